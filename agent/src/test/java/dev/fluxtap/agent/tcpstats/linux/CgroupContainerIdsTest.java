package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CgroupContainerIdsTest {

    private static final String ID = "3f4e0c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "docker, cgroup v2, systemd driver|0::/system.slice/docker-" + ID + ".scope|" + ID,
        "docker, cgroup v1, cgroupfs driver|12:pids:/docker/" + ID + "|" + ID,
        "docker, cgroup v1, systemd driver|4:memory:/system.slice/docker-" + ID + ".scope|" + ID,
        "containerd CRI, v2|0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/cri-containerd-" + ID + ".scope|" + ID,
        "cri-o, v2|0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/crio-" + ID + ".scope|" + ID,
        "podman, v2 rootful|0::/machine.slice/libpod-" + ID + ".scope/container|" + ID,
        "podman, v1 cgroupfs|3:cpu:/libpod_parent/libpod-" + ID + "|" + ID,
        "kubernetes cgroupfs driver|10:cpuset:/kubepods/burstable/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" + ID + "|" + ID,
        "kubernetes pod without container segment|0::/kubepods.slice/kubepods-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice|pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
        "host process, v2|0::/user.slice/user-1000.slice/session-3.scope|",
        "host root|0::/|",
        "podman conmon runs on the host|0::/machine.slice/libpod-conmon-" + ID + ".scope|",
        "hex that is not under a runtime|0::/system.slice/" + ID + "|",
        "malformed line|garbage-without-colons|"
    })
    void containerIds(String name, String line, String expected) {
        assertThat(CgroupContainerIds.fromCgroupLines(List.of(line)).orElse(null)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "v1 with several hierarchies: {0}")
    @CsvSource({"first", "last"})
    void anyLineOfAVersion1FileCanCarryTheId(String where) {
        List<String> host = List.of("11:devices:/", "8:cpuset:/", "1:name=systemd:/init.scope");
        String docker = "7:pids:/docker/" + ID;
        List<String> lines = where.equals("first")
                ? List.of(docker, host.get(0), host.get(1), host.get(2))
                : List.of(host.get(0), host.get(1), host.get(2), docker);
        assertThat(CgroupContainerIds.fromCgroupLines(lines)).contains(ID);
    }
}
