package dev.fluxtap.agent.tcpstats.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsReading;
import dev.fluxtap.agent.tcpstats.TcpStatsSource;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Windows: the connection table from {@code GetExtendedTcpTable} (TCP_TABLE_OWNER_PID_ALL, IPv4 and IPv6) and, when
 * running as administrator, per-connection extended statistics ({@code SetPerTcpConnectionEStats} to turn collection
 * on, {@code GetPerTcpConnectionEStats} for data, path, congestion, send buffer, receiver and bandwidth). Without
 * administrator rights the connections come without extended stats and one warning is logged. Windows has no
 * network namespaces: one table, {@code netnsInode} null.
 */
public final class WindowsTcpStatsSource implements TcpStatsSource {

    private static final Logger LOG = LoggerFactory.getLogger(WindowsTcpStatsSource.class);
    private static final TcpEstats.Type[] ESTATS = {
        TcpEstats.Type.DATA, TcpEstats.Type.PATH, TcpEstats.Type.SND_CONG, TcpEstats.Type.SEND_BUFF, TcpEstats.Type.REC,
        TcpEstats.Type.BANDWIDTH
    };

    private final TcpStatsConfig config;
    private IpHlpApi api;
    private final int pointerSize = Native.POINTER_SIZE;
    private boolean extendedStatsAllowed = true;
    private final Map<Integer, String[]> processCache = new HashMap<>();

    public WindowsTcpStatsSource(TcpStatsConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "windows";
    }

    @Override
    public TcpStatsReading read() {
        if (api == null) {
            api = IpHlpApi.load();
        }
        List<TcpConnectionStats> connections = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int failed = 0;
        int malformed = 0;
        processCache.clear();
        for (int af : new int[] {IpHlpApi.AF_INET, IpHlpApi.AF_INET6}) {
            List<MibTcpTables.Row> rows;
            try {
                ByteBuffer table = extendedTcpTable(af);
                rows = af == IpHlpApi.AF_INET ? MibTcpTables.parseIpv4(table) : MibTcpTables.parseIpv6(table);
            } catch (RuntimeException e) {
                failed++;
                errors.add("GetExtendedTcpTable(" + (af == IpHlpApi.AF_INET ? "AF_INET" : "AF_INET6") + "): " + e.getMessage());
                LOG.warn("{}", errors.get(errors.size() - 1));
                continue;
            }
            for (MibTcpTables.Row row : rows) {
                TcpState state;
                try {
                    state = MibTcpTables.state(row.mibState());
                } catch (IllegalArgumentException e) {
                    malformed++;
                    continue;
                }
                if (!config.includeListening() && (state == TcpState.LISTEN || state == TcpState.CLOSE)) {
                    continue;
                }
                TcpConnectionStats.Builder b = TcpConnectionStats.builder()
                        .state(state)
                        .local(IpAddresses.fromBytes(row.localAddress()), row.localPort())
                        .remote(IpAddresses.fromBytes(row.remoteAddress()), row.remotePort())
                        .pid(row.pid());
                String[] process = processCache.computeIfAbsent(row.pid(), this::describeProcess);
                b.processName(process[0]).commandLine(process[1]);
                if (extendedStatsAllowed && state != TcpState.LISTEN) {
                    addExtendedStats(row, b);
                }
                connections.add(b.build());
            }
        }
        return new TcpStatsReading(name(), 1, 0, failed, malformed, connections, errors);
    }

    private ByteBuffer extendedTcpTable(int af) {
        IntByReference size = new IntByReference(0);
        for (int attempt = 0; attempt < 5; attempt++) {
            int needed = Math.max(size.getValue(), 4);
            Memory buffer = new Memory(needed);
            int rc = api.GetExtendedTcpTable(buffer, size, false, af, IpHlpApi.TCP_TABLE_OWNER_PID_ALL, 0);
            if (rc == IpHlpApi.NO_ERROR) {
                return buffer.getByteBuffer(0, needed);
            }
            if (rc != IpHlpApi.ERROR_INSUFFICIENT_BUFFER) {
                throw new IllegalStateException("error " + rc);
            }
            // The table grew between the size query and the call: ask again with the new size plus room.
            size.setValue(size.getValue() + 16 * MibTcpTables.ROW6_SIZE);
        }
        throw new IllegalStateException("table kept growing; gave up after 5 attempts");
    }

    private void addExtendedStats(MibTcpTables.Row row, TcpConnectionStats.Builder b) {
        byte[] rowBytes = MibTcpTables.estatsRow(row);
        Memory rowMemory = new Memory(rowBytes.length);
        rowMemory.write(0, rowBytes, 0, rowBytes.length);
        int mss = 0;
        for (TcpEstats.Type type : ESTATS) {
            byte[] rw = TcpEstats.enableRw(type);
            Memory rwMemory = new Memory(rw.length);
            rwMemory.write(0, rw, 0, rw.length);
            int rc = row.ipv6()
                    ? api.SetPerTcp6ConnectionEStats(rowMemory, type.code(), rwMemory, 0, rw.length, 0)
                    : api.SetPerTcpConnectionEStats(rowMemory, type.code(), rwMemory, 0, rw.length, 0);
            if (rc == IpHlpApi.ERROR_ACCESS_DENIED) {
                extendedStatsAllowed = false;
                LOG.warn("Extended TCP statistics need administrator rights (SetPerTcpConnectionEStats: access denied); "
                        + "reporting connections without RTT, cwnd, bytes and rates. Run the agent as administrator.");
                return;
            }
            if (rc != IpHlpApi.NO_ERROR) {
                return; // the connection closed meanwhile
            }
            int rodSize = type.rodSize(pointerSize);
            Memory rod = new Memory(rodSize);
            rod.clear();
            rc = row.ipv6()
                    ? api.GetPerTcp6ConnectionEStats(rowMemory, type.code(), null, 0, 0, null, 0, 0, rod, 0, rodSize)
                    : api.GetPerTcpConnectionEStats(rowMemory, type.code(), null, 0, 0, null, 0, 0, rod, 0, rodSize);
            if (rc != IpHlpApi.NO_ERROR) {
                return;
            }
            ByteBuffer buffer = rod.getByteBuffer(0, rodSize);
            switch (type) {
                case DATA:
                    TcpEstats.applyData(buffer, b);
                    break;
                case PATH:
                    mss = TcpEstats.applyPath(buffer, b);
                    break;
                case SND_CONG:
                    TcpEstats.applySndCong(buffer, pointerSize, mss, b);
                    break;
                case SEND_BUFF:
                    TcpEstats.applySendBuff(buffer, pointerSize, b);
                    break;
                case REC:
                    TcpEstats.applyRec(buffer, pointerSize, b);
                    break;
                case BANDWIDTH:
                    TcpEstats.applyBandwidth(buffer, b);
                    break;
                default:
                    break;
            }
        }
    }

    private String[] describeProcess(int pid) {
        BiFunction<String, Integer, String> truncate = (s, n) -> s == null || s.length() <= n ? s : s.substring(0, n);
        return ProcessHandle.of(pid)
                .map(ProcessHandle::info)
                .map(info -> new String[] {
                    info.command().map(c -> Path.of(c).getFileName().toString()).orElse(null),
                    truncate.apply(info.commandLine().orElse(null), config.commandLineChars())
                })
                .orElse(new String[2]);
    }
}
