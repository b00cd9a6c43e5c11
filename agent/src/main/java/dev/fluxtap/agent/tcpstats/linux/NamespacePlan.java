package dev.fluxtap.agent.tcpstats.linux;

import java.util.List;

/** Which namespaces one poll reads: the agent's own first, then the others up to the cap. */
record NamespacePlan(List<ProcScan.NetNamespace> toRead, int skipped) {

    static NamespacePlan of(ProcScan procs, boolean allNamespaces, int maxNamespaces) {
        List<ProcScan.NetNamespace> found = procs.namespaces();
        if (!allNamespaces) {
            List<ProcScan.NetNamespace> own = found.stream().filter(ProcScan.NetNamespace::own).toList();
            return new NamespacePlan(own, 0);
        }
        if (found.size() <= maxNamespaces) {
            return new NamespacePlan(found, 0);
        }
        return new NamespacePlan(found.subList(0, maxNamespaces), found.size() - maxNamespaces);
    }
}
