package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's two set-up commands stay true: CI runs the README's test command, and the run command names this jar. */
class ReadmeCommandsTest {

    static final Path ROOT = Path.of("../..");
    private static final Pattern CODE_BLOCK = Pattern.compile("```\\n(.*?)\\n```", Pattern.DOTALL);

    @Test
    void ciRunsTheReadmeTestCommand() throws IOException {
        List<String> blocks = quickStartCommands();
        String testCommand = blocks.get(1);
        List<String> ciLines = Files.readAllLines(ROOT.resolve(".ci/run")).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

        assertThat(testCommand).startsWith("./mvnw").contains("verify");
        assertThat(ciLines).as(".ci/run must run the README's test command").contains(testCommand);
    }

    @Test
    void runCommandBuildsAndStartsTheStandaloneJar() throws IOException {
        String runCommand = quickStartCommands().get(0);

        assertThat(runCommand).contains("./mvnw").contains("package").contains("java -jar deploy/standalone/target/fluxtap-standalone.jar");
        assertThat(Files.readString(ROOT.resolve("deploy/standalone/pom.xml")))
                .as("the shaded jar the README starts").contains("<finalName>fluxtap-standalone</finalName>");
    }

    /** The code blocks of the README's Quick start section: the run command, then the test command. */
    static List<String> quickStartCommands() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Quick start");
        int end = readme.indexOf("\n## ", start + 1);
        Matcher m = CODE_BLOCK.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        List<String> blocks = m.results().map(r -> r.group(1).trim()).toList();
        assertThat(blocks).as("Quick start code blocks").hasSize(2);
        return blocks;
    }
}
