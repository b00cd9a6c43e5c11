package dev.fluxtap.deploy.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the deployment files, relative to the repository root (set by the pom, or found from the working dir). */
final class RepositoryFiles {
    static final Path ROOT = findRoot();
    static final Path COMPOSE_DIR = ROOT.resolve("deploy/compose");
    static final Path DOCKER_DIR = ROOT.resolve("deploy/docker");
    static final Path CHART_DIR = ROOT.resolve("deploy/helm/fluxtap");
    static final Path SYSTEMD_DIR = ROOT.resolve("deploy/systemd");
    static final Path OPERATIONS_DOC = ROOT.resolve("docs/OPERATIONS.md");

    private RepositoryFiles() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Path findRoot() {
        String configured = System.getProperty("fluxtap.repository.root");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("repository root not found: run from the repository or set -Dfluxtap.repository.root");
    }
}
