package dev.fluxtap.deploy.manifests;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** A Compose file parsed as YAML, with the few Compose conventions the tests need. */
final class ComposeFile {
    static final Path MAIN = RepositoryFiles.COMPOSE_DIR.resolve("docker-compose.yml");
    static final Path ALL_NAMESPACES_OVERRIDE = RepositoryFiles.COMPOSE_DIR.resolve("all-netns.override.yml");

    final Map<String, Object> root;

    private ComposeFile(Map<String, Object> root) {
        this.root = root;
    }

    static ComposeFile load(Path file) {
        return new ComposeFile(new Yaml(new SafeConstructor(new LoaderOptions())).load(RepositoryFiles.read(file)));
    }

    Map<String, Object> service(String name) {
        return Tree.map(root, "services", name);
    }

    /** Environment as a map, whether written as a mapping or as a list of NAME=value. */
    static Map<String, String> environment(Map<String, Object> service) {
        Object environment = service.get("environment");
        if (environment instanceof List<?> list) {
            return list.stream().map(String::valueOf).map(entry -> entry.split("=", 2))
                    .collect(java.util.stream.Collectors.toMap(pair -> pair[0], pair -> pair.length == 2 ? pair[1] : ""));
        }
        return Tree.map(service, "environment").entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }

    /** {@code ${NAME:-default}} → {@code default}: the value Compose uses when the variable is not set. */
    static String withDefaults(String value) {
        return value.replaceAll("\\$\\{\\w+:-([^}]*)}", "$1");
    }
}
