package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/OPERATIONS.md lists exactly the options the commands accept, with their defaults. */
class ConfigReferenceTest {

    private static final Path DOC = ReadmeCommandsTest.ROOT.resolve("docs/OPERATIONS.md");

    @Test
    void operationsGuideHoldsTheCurrentReference() throws IOException {
        String doc = Files.readString(DOC);
        if (Boolean.getBoolean("fluxtap.regenerate")) {
            Files.writeString(DOC, ConfigReference.replaceSection(doc));
            doc = Files.readString(DOC);
        }

        assertThat(doc.substring(doc.indexOf(ConfigReference.HEADING)))
                .as("docs/OPERATIONS.md is stale: regenerate with ./mvnw -pl deploy/standalone test -Dtest=ConfigReferenceTest -Dfluxtap.regenerate=true")
                .isEqualTo(ConfigReference.markdown());
        assertThat(ConfigReference.markdown()).contains("`--bootstrap-servers`", "`FLUXTAP_KAFKA_PROPERTIES_FILE`", "`--tcp-stats-interval`",
                "`--auth-token-file`", "`--kafka-port`");
    }
}
