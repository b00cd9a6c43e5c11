package dev.fluxtap.schemas;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The rule that keeps the contract evolvable: a schema must be fully compatible with every released version, so new
 * readers read old data (backward) and old readers read new data (forward). Adding a field without a default breaks
 * backward compatibility; removing one without a default breaks forward compatibility.
 */
public final class CompatibilityGate {

    /** Returns one line per violation, empty when {@code candidate} may be released after {@code released}. */
    public static List<String> check(String typeName, Schema candidate, List<Schema> released) {
        List<String> violations = new ArrayList<>();
        for (int i = 0; i < released.size(); i++) {
            Schema old = released.get(i);
            String version = typeName + " v" + (i + 1);
            report(violations, "backward (current reads " + version + " data)",
                    SchemaCompatibility.checkReaderWriterCompatibility(candidate, old));
            report(violations, "forward (" + version + " readers read current data)",
                    SchemaCompatibility.checkReaderWriterCompatibility(old, candidate));
        }
        violations.addAll(missingDocs(typeName, candidate));
        return violations;
    }

    /** Every field of every record in the schema carries a doc string: the contract documents itself. */
    static List<String> missingDocs(String typeName, Schema schema) {
        List<String> missing = new ArrayList<>();
        collectMissingDocs(schema, new ArrayList<>(), missing);
        return missing.stream().map(f -> typeName + ": field " + f + " has no doc").toList();
    }

    private static void collectMissingDocs(Schema schema, List<String> seen, List<String> missing) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.contains(schema.getFullName())) {
                    return;
                }
                seen.add(schema.getFullName());
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() == null || field.doc().isBlank()) {
                        missing.add(schema.getName() + "." + field.name());
                    }
                    collectMissingDocs(field.schema(), seen, missing);
                }
            }
            case ARRAY -> collectMissingDocs(schema.getElementType(), seen, missing);
            case MAP -> collectMissingDocs(schema.getValueType(), seen, missing);
            case UNION -> schema.getTypes().forEach(s -> collectMissingDocs(s, seen, missing));
            default -> {
            }
        }
    }

    private static void report(List<String> violations, String direction, SchemaPairCompatibility result) {
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            result.getResult().getIncompatibilities().forEach(inc -> violations.add(direction + ": " + inc.getType()
                    + " at " + inc.getLocation() + ": " + inc.getMessage()));
        }
    }

    private CompatibilityGate() {
    }
}
