package dev.fluxtap.deploy.manifests;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file (or drop-in) read as systemd reads it: sections, repeated keys, comment lines, line
 * continuations, and an empty assignment that resets a list.
 */
final class SystemdUnit {
    private final Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();

    static SystemdUnit parse(String text) {
        SystemdUnit unit = new SystemdUnit();
        Map<String, List<String>> section = null;
        StringBuilder logical = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (logical.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            String full = logical.toString().strip();
            logical.setLength(0);
            if (full.startsWith("[") && full.endsWith("]")) {
                section = unit.sections.computeIfAbsent(full.substring(1, full.length() - 1), name -> new LinkedHashMap<>());
                continue;
            }
            int equals = full.indexOf('=');
            if (section == null || equals < 0) {
                throw new AssertionError("not a key=value line inside a section: " + full);
            }
            section.computeIfAbsent(full.substring(0, equals).strip(), key -> new ArrayList<>())
                    .add(full.substring(equals + 1).strip());
        }
        return unit;
    }

    boolean hasSection(String section) {
        return sections.containsKey(section);
    }

    /** The raw assignments of a key, in order (empty list if never assigned). */
    List<String> assignments(String section, String key) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
    }

    /** The single effective value of a key that takes one value: the last assignment. */
    String value(String section, String key) {
        List<String> values = assignments(section, key);
        if (values.isEmpty()) {
            throw new AssertionError("[" + section + "] " + key + " is not set");
        }
        return values.get(values.size() - 1);
    }

    /** A list-valued key (capabilities, address families): words accumulate, an empty assignment resets. */
    List<String> words(String section, String key) {
        return accumulate(new ArrayList<>(), assignments(section, key));
    }

    /** The list a key ends up with when drop-ins are applied after this unit, in order. */
    List<String> wordsWith(String section, String key, SystemdUnit... dropIns) {
        List<String> words = words(section, key);
        for (SystemdUnit dropIn : dropIns) {
            accumulate(words, dropIn.assignments(section, key));
        }
        return words;
    }

    private static List<String> accumulate(List<String> words, List<String> assignments) {
        for (String assignment : assignments) {
            if (assignment.isEmpty()) {
                words.clear();
            } else {
                words.addAll(Arrays.asList(assignment.split("\\s+")));
            }
        }
        return words;
    }
}
