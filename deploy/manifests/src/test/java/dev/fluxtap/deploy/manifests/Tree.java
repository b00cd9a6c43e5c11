package dev.fluxtap.deploy.manifests;

import java.util.List;
import java.util.Map;

/** Navigation in parsed YAML (maps and lists), failing with the path that was missing. */
final class Tree {
    private Tree() {
    }

    static Object at(Object node, String... path) {
        Object current = node;
        StringBuilder walked = new StringBuilder();
        for (String key : path) {
            walked.append('.').append(key);
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                throw new AssertionError("missing " + walked + " in " + node);
            }
            current = map.get(key);
        }
        return current;
    }

    static Object find(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... path) {
        Object value = at(node, path);
        if (!(value instanceof Map)) {
            throw new AssertionError(String.join(".", path) + " is not a mapping: " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... path) {
        Object value = at(node, path);
        if (!(value instanceof List)) {
            throw new AssertionError(String.join(".", path) + " is not a sequence: " + value);
        }
        return (List<Object>) value;
    }

    static String string(Object node, String... path) {
        return String.valueOf(at(node, path));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Object node, String... path) {
        return (List<Map<String, Object>>) (List<?>) list(node, path);
    }

    /** The element of a list of mappings whose {@code name} is the given one (containers, env, volumes, ports). */
    static Map<String, Object> named(List<Map<String, Object>> items, String name) {
        return items.stream()
                .filter(item -> name.equals(item.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no item named " + name + " in " + items));
    }
}
