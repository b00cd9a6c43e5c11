package dev.fluxtap.deploy.manifests;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The chart rendered by helm-java's bundled helm (`helm template`), parsed into Kubernetes objects. */
final class RenderedChart {
    static final String RELEASE = "fx";
    static final String NAMESPACE = "telemetry";
    static final String FULLNAME = "fx-fluxtap";

    final String yaml;
    final List<Map<String, Object>> objects;

    private RenderedChart(String yaml, List<Map<String, Object>> objects) {
        this.yaml = yaml;
        this.objects = objects;
    }

    static RenderedChart render() {
        return render(Map.of());
    }

    /** Renders with {@code --set key=value} for each entry, in order. */
    @SuppressWarnings("unchecked")
    static RenderedChart render(Map<String, Object> sets) {
        TemplateCommand template = new Helm(RepositoryFiles.CHART_DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        new LinkedHashMap<>(sets).forEach(template::set);
        String yaml = template.call();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document != null) {
                objects.add((Map<String, Object>) document);
            }
        }
        return new RenderedChart(yaml, objects);
    }

    List<Map<String, Object>> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    boolean has(String kind) {
        return !all(kind).isEmpty();
    }

    Map<String, Object> one(String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(Tree.find(o, "metadata", "name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " among " + summary()));
    }

    Map<String, Object> agentDaemonSet() {
        return one("DaemonSet", FULLNAME + "-agent");
    }

    Map<String, Object> aggregatorDeployment() {
        return one("Deployment", FULLNAME + "-aggregator");
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return Tree.map(workload, "spec", "template", "spec");
    }

    static Map<String, Object> container(Map<String, Object> workload, String name) {
        return Tree.named(Tree.maps(podSpec(workload), "containers"), name);
    }

    /** The value of an environment variable given literally (not from a reference), or null. */
    static String env(Map<String, Object> container, String name) {
        return Tree.maps(container, "env").stream()
                .filter(e -> name.equals(e.get("name")))
                .map(e -> (String) e.get("value"))
                .findFirst()
                .orElse(null);
    }

    private List<String> summary() {
        return objects.stream().map(o -> o.get("kind") + "/" + Tree.find(o, "metadata", "name")).toList();
    }
}
