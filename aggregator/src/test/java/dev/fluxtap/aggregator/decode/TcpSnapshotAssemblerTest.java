package dev.fluxtap.aggregator.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpSnapshotAssemblerTest {

    private static SocketStats socket(int port) {
        return new SocketStats("10.0.0.1", port, "10.0.0.2", 443, "ESTABLISHED", 1000L, 10, 0L, 42, "curl", null);
    }

    private static TcpSnapshot part(long ts, int part, int parts, int port) {
        return new TcpSnapshot("host-a", "agent-a", "boot", ts, "ss", 0, List.of(socket(port)), part, parts);
    }

    @Test
    void aWholePollPassesThrough() {
        TcpSnapshot whole = new TcpSnapshot("host-a", "agent-a", "boot", 1, "ss", 0, List.of(socket(1)));

        assertThat(new TcpSnapshotAssembler().add(whole)).contains(whole);
    }

    @Test
    void partsBecomeOnePollWhenTheLastArrives() {
        TcpSnapshotAssembler assembler = new TcpSnapshotAssembler();

        assertThat(assembler.add(part(5, 0, 3, 1))).isEmpty();
        assertThat(assembler.add(part(5, 1, 3, 2))).isEmpty();
        TcpSnapshot whole = assembler.add(part(5, 2, 3, 3)).orElseThrow();

        assertThat(whole.sockets()).extracting(SocketStats::localPort).containsExactly(1, 2, 3);
        assertThat(whole.parts()).isEqualTo(1);
        assertThat(assembler.incomplete()).isZero();
    }

    @Test
    void aPollWithAMissingPartIsCountedAndTheNextOneStillAssembles() {
        TcpSnapshotAssembler assembler = new TcpSnapshotAssembler();

        assertThat(assembler.add(part(5, 0, 2, 1))).isEmpty();
        assertThat(assembler.add(part(10, 0, 2, 7))).isEmpty();   // the agent moved on: poll 5 lost its second part
        assertThat(assembler.add(part(10, 1, 2, 8))).hasValueSatisfying(w -> assertThat(w.sockets()).hasSize(2));
        assertThat(assembler.add(part(20, 1, 2, 9))).isEmpty();   // a tail without its head

        assertThat(assembler.incomplete()).isEqualTo(2);
    }
}
