package dev.fluxtap.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * A top-level record type of the contract: its generated class, its current schema and every released version of it.
 * Released versions live in {@code dev/fluxtap/schemas/released/<Name>/v<N>.avsc} as self-contained schemas.
 */
public record SchemaType<T extends SpecificRecord>(String name, Class<T> recordClass, Schema current, List<Schema> released) {

    static final String RELEASED_ROOT = "dev/fluxtap/schemas/released/";

    public SchemaType {
        released = List.copyOf(released);
    }

    static <T extends SpecificRecord> SchemaType<T> of(Class<T> recordClass, Schema current) {
        String name = current.getName();
        return new SchemaType<>(name, recordClass, current, loadReleased(name));
    }

    /** Reads v1, v2, ... from the classpath until a version is missing. */
    static List<Schema> loadReleased(String name) {
        List<Schema> versions = new ArrayList<>();
        ClassLoader loader = SchemaType.class.getClassLoader();
        for (int version = 1; ; version++) {
            String path = RELEASED_ROOT + name + "/v" + version + ".avsc";
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read released schema " + path, e);
            }
        }
    }
}
