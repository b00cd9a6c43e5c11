package dev.fluxtap.aggregator.serve.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The dashboard files, read once from the classpath into memory with a gzip copy of each. Nothing is looked up on disk
 * per request, so a request can only ever get one of these files. The application files are served under
 * {@code /assets/<content hash>/} and Chart.js (from its WebJar) under {@code /vendor/chart.js/<version>/}: both URLs
 * change when their content does, so they can be cached forever; {@code index.html} names them and is revalidated.
 */
public final class WebAssets {

    static final String ROOT = "dev/fluxtap/aggregator/web";
    static final String CHARTJS_POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    static final String CHARTJS_DIR = "META-INF/resources/webjars/chart.js/";

    /** One file: its bytes, their gzip, the content type and a strong ETag. */
    public record Asset(byte[] bytes, byte[] gzipped, String contentType, String etag) {
    }

    private final Map<String, Asset> byPath;
    private final Asset index;
    private final String assetsPrefix;
    private final String chartJsPath;

    private WebAssets(Map<String, Asset> byPath, Asset index, String assetsPrefix, String chartJsPath) {
        this.byPath = byPath;
        this.index = index;
        this.assetsPrefix = assetsPrefix;
        this.chartJsPath = chartJsPath;
    }

    /** Loads the files bundled in the jar; fails at start with the missing resource named. */
    public static WebAssets load() {
        ClassLoader loader = WebAssets.class.getClassLoader();
        Map<String, byte[]> files = readTree(loader, ROOT);
        byte[] indexTemplate = files.remove("index.html");
        if (indexTemplate == null) {
            throw new IllegalStateException("dashboard: " + ROOT + "/index.html is missing from the jar");
        }
        String version = chartJsVersion(loader);
        String chartPath = "/vendor/chart.js/" + version + "/chart.umd.js";
        byte[] chart = read(loader, CHARTJS_DIR + version + "/dist/chart.umd.js");

        String prefix = "/assets/" + hash(files) + "/";
        Map<String, Asset> assets = new HashMap<>();
        files.forEach((name, bytes) -> assets.put(prefix + name, asset(name, bytes)));
        assets.put(chartPath, asset("chart.umd.js", chart));
        String html = new String(indexTemplate, StandardCharsets.UTF_8)
                .replace("{{assets}}", prefix)
                .replace("{{chartjs}}", chartPath);
        return new WebAssets(Map.copyOf(assets), asset("index.html", html.getBytes(StandardCharsets.UTF_8)), prefix, chartPath);
    }

    public Asset index() {
        return index;
    }

    /** The file at this exact request path, if there is one. */
    public Optional<Asset> find(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /** Where the application files live, for example {@code /assets/3f2a9c10b4de/}. */
    public String assetsPrefix() {
        return assetsPrefix;
    }

    public String chartJsPath() {
        return chartJsPath;
    }

    static String contentType(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "js", "mjs" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            case "ico" -> "image/x-icon";
            case "json", "map" -> "application/json";
            case "woff2" -> "font/woff2";
            default -> "application/octet-stream";
        };
    }

    private static Asset asset(String name, byte[] bytes) {
        String etag = "\"" + hash(Map.of(name, bytes)) + "\"";
        return new Asset(bytes, gzip(bytes), contentType(name), etag);
    }

    /** Every file under {@code root} on the classpath, by path relative to it, whether the classes are a directory or a jar. */
    private static Map<String, byte[]> readTree(ClassLoader loader, String root) {
        URL url = loader.getResource(root + "/index.html");
        if (url == null) {
            throw new IllegalStateException("dashboard: " + root + "/index.html is missing from the jar");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                return readDirectory(fs.getPath(root));
            }
            return readDirectory(Path.of(uri).getParent());
        } catch (URISyntaxException | IOException e) {
            throw new UncheckedIOException(new IOException("dashboard: cannot read " + root + ": " + e.getMessage(), e));
        }
    }

    private static Map<String, byte[]> readDirectory(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static String chartJsVersion(ClassLoader loader) {
        Properties pom = new Properties();
        try (InputStream in = loader.getResourceAsStream(CHARTJS_POM)) {
            if (in == null) {
                throw new IllegalStateException("dashboard: the Chart.js WebJar (" + CHARTJS_POM + ") is missing from the classpath");
            }
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pom.getProperty("version");
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dashboard: " + resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String hash(Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(files).forEach((name, bytes) -> {
                sha.update(name.getBytes(StandardCharsets.UTF_8));
                sha.update(bytes);
            });
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
