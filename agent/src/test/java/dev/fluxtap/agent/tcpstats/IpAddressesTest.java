package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource({
        "::,::", "::1,::1", "fe80::1,fe80::1", "2001:db8::5,2001:db8::5", "2001:0db8:0000:0000:0000:0000:0000:0005,2001:db8::5",
        "1:2:3:4:5:6:7:8,1:2:3:4:5:6:7:8", "1::8,1::8", "1:0:0:2:0:0:0:3,1:0:0:2::3", "::ffff:127.0.0.1,::ffff:127.0.0.1",
        "::FFFF:10.1.2.3,::ffff:10.1.2.3", "64:ff9b::192.0.2.1,64:ff9b::c000:201", "10.0.0.1,10.0.0.1", "0.0.0.0,0.0.0.0"})
    void parsesLikeTheJdkAndFormatsPerRfc5952(String text, String formatted) throws Exception {
        InetAddress parsed = IpAddresses.parseLiteral(text);
        assertThat(IpAddresses.format(parsed)).isEqualTo(formatted);
        byte[] jdk = InetAddress.getByName(text).getAddress();
        if (jdk.length == parsed.getAddress().length) {
            assertThat(parsed.getAddress()).isEqualTo(jdk);
        } else {
            assertThat(parsed.getAddress()).as("mapped stays 16 bytes").hasSize(16).endsWith(jdk);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:::2", "::1::2", "1:2:3:4:5:6:7:8:9", "12345::1", "fe80::g", "1:2:3:4:5:6:7",
        "::ffff:1.2.3", "::ffff:1.2.3.400", "256.0.0.1", "1.2.3", "1..2.3", "example.com", "1:"})
    void rejectsWhatIsNotAnAddressLiteral(String text) {
        assertThatThrownBy(() -> IpAddresses.parseLiteral(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IPv");
    }
}
