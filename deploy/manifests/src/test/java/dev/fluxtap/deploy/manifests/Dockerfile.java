package dev.fluxtap.deploy.manifests;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way BuildKit reads it, as far as these tests need: parser directives, comments, line
 * continuations, global ARG defaults, and the stages that FROM starts.
 */
final class Dockerfile {
    record Instruction(String keyword, String arguments) {
    }

    record Stage(String baseImage, String name, List<Instruction> instructions) {
        List<String> arguments(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        /** Every RUN of the stage as one string, for assertions on what the stage does. */
        String runs() {
            return String.join("\n", arguments("RUN"));
        }

        Instruction last(String keyword) {
            List<Instruction> matching = instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
            if (matching.isEmpty()) {
                throw new AssertionError("stage " + name + " has no " + keyword);
            }
            return matching.get(matching.size() - 1);
        }

        int indexOfLast(String keyword) {
            for (int i = instructions.size() - 1; i >= 0; i--) {
                if (instructions.get(i).keyword().equals(keyword)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*(\\w+)\\s*=\\s*(\\S+)\\s*$");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    final Map<String, String> directives = new HashMap<>();
    final List<Stage> stages = new ArrayList<>();

    static Dockerfile parse(String text) {
        Dockerfile dockerfile = new Dockerfile();
        Map<String, String> globalArgs = new HashMap<>();
        List<Instruction> current = null;
        boolean directivesAllowed = true;
        StringBuilder logical = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (directivesAllowed) {
                Matcher directive = DIRECTIVE.matcher(trimmed);
                if (directive.matches()) {
                    dockerfile.directives.put(directive.group(1).toLowerCase(Locale.ROOT), directive.group(2));
                    continue;
                }
                directivesAllowed = false;
            }
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            String full = logical.toString().strip();
            logical.setLength(0);
            if (full.isEmpty()) {
                continue;
            }
            int space = full.indexOf(' ');
            String keyword = (space < 0 ? full : full.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : full.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                String[] parts = arguments.split("\\s+");
                String image = substitute(parts[0], globalArgs);
                String name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : String.valueOf(dockerfile.stages.size());
                current = new ArrayList<>();
                dockerfile.stages.add(new Stage(image, name, current));
            } else if (current == null) {
                if (!keyword.equals("ARG")) {
                    throw new AssertionError("only ARG may precede the first FROM, found " + keyword);
                }
                String[] nameAndDefault = arguments.split("=", 2);
                globalArgs.put(nameAndDefault[0], nameAndDefault.length == 2 ? nameAndDefault[1] : "");
            } else {
                current.add(new Instruction(keyword, arguments));
            }
        }
        if (logical.length() > 0) {
            throw new AssertionError("the last instruction ends with a line continuation");
        }
        return dockerfile;
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named " + name));
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    private static String substitute(String value, Map<String, String> args) {
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
            if (!args.containsKey(name)) {
                throw new AssertionError("FROM uses ${" + name + "}, which no global ARG defines");
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(args.get(name)));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
