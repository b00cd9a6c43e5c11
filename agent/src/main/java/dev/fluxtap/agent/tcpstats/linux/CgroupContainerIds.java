package dev.fluxtap.agent.tcpstats.linux;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the container id in the lines of {@code /proc/PID/cgroup} (cgroup v1 {@code N:controllers:/path} and v2
 * {@code 0::/path}). Recognised, with the systemd and the cgroupfs drivers:
 * <ul>
 *   <li>docker: {@code /system.slice/docker-<id>.scope}, {@code /docker/<id>}</li>
 *   <li>containerd (CRI): {@code cri-containerd-<id>.scope}</li>
 *   <li>cri-o: {@code crio-<id>.scope}</li>
 *   <li>podman: {@code libpod-<id>.scope}, {@code /libpod_parent/libpod-<id>}</li>
 *   <li>kubernetes: {@code /kubepods/burstable/pod<uid>/<id>} and
 *       {@code /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/<runtime>-<id>.scope};
 *       a process directly in a pod cgroup gets {@code pod<uid>} (dashes restored).</li>
 * </ul>
 * The conmon monitors of podman and cri-o ({@code *-conmon-<id>.scope}) run on the host: they get no id.
 */
public final class CgroupContainerIds {

    private static final Pattern RUNTIME_SCOPE =
            Pattern.compile("(?:docker|cri-containerd|crio|libpod|containerd)-([0-9a-f]{64})(?:\\.scope)?");
    private static final Pattern BARE_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern POD = Pattern.compile("(?:kubepods(?:-[a-z]+)?-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\\.slice)?");

    private CgroupContainerIds() {
    }

    public static Optional<String> fromCgroupLines(List<String> lines) {
        String pod = null;
        for (String line : lines) {
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0) {
                continue;
            }
            String path = line.substring(second + 1);
            String[] segments = path.split("/");
            boolean containerParent = false;
            for (String segment : segments) {
                Matcher scope = RUNTIME_SCOPE.matcher(segment);
                if (scope.matches()) {
                    return Optional.of(scope.group(1));
                }
                if (containerParent && BARE_ID.matcher(segment).matches()) {
                    return Optional.of(segment);
                }
                Matcher podMatch = POD.matcher(segment);
                if (podMatch.matches()) {
                    pod = "pod" + podMatch.group(1).replace('_', '-');
                }
                containerParent = podMatch.matches() || segment.equals("docker") || segment.equals("libpod_parent")
                        || segment.startsWith("kubepods") || segment.equals("crio") || segment.equals("containerd");
            }
        }
        return Optional.ofNullable(pod);
    }
}
