package dev.fluxtap.agent.tcpstats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The CLI's output: JSON ({@code {"connections":[...]}}, every field, nulls included) or an aligned table. */
public final class TcpStatsFormat {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TcpStatsFormat() {
    }

    public static Map<String, Object> toJsonMap(TcpConnectionStats c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("localIp", IpAddresses.format(c.localAddress()));
        m.put("localPort", c.localPort());
        m.put("remoteIp", IpAddresses.format(c.remoteAddress()));
        m.put("remotePort", c.remotePort());
        m.put("state", c.state().label());
        m.put("rttMicros", c.rttMicros());
        m.put("rttVarMicros", c.rttVarMicros());
        m.put("minRttMicros", c.minRttMicros());
        m.put("cwnd", c.cwnd());
        m.put("ssthresh", c.ssthresh());
        m.put("mss", c.mss());
        m.put("retransmits", c.retransmitsTotal());
        m.put("retransmitsCurrent", c.retransmitsCurrent());
        m.put("lost", c.lost());
        m.put("bytesSent", c.bytesSent());
        m.put("bytesAcked", c.bytesAcked());
        m.put("bytesReceived", c.bytesReceived());
        m.put("segsIn", c.segsIn());
        m.put("segsOut", c.segsOut());
        m.put("deliveryRateBps", c.deliveryRateBps());
        m.put("pacingRateBps", c.pacingRateBps());
        m.put("sendQueueBytes", c.sendQueueBytes());
        m.put("recvQueueBytes", c.recvQueueBytes());
        m.put("uid", c.uid());
        m.put("inode", c.inode());
        m.put("pid", c.pid());
        m.put("process", c.processName());
        m.put("commandLine", c.commandLine());
        m.put("containerId", c.containerId());
        m.put("netnsInode", c.netnsInode());
        return m;
    }

    public static String json(List<TcpConnectionStats> connections) {
        List<Map<String, Object>> rows = new ArrayList<>(connections.size());
        for (TcpConnectionStats c : connections) {
            rows.add(toJsonMap(c));
        }
        try {
            return JSON.writeValueAsString(Map.of("connections", rows));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON of plain maps failed", e);
        }
    }

    public static String table(List<TcpConnectionStats> connections) {
        String[] header = {"STATE", "LOCAL", "REMOTE", "RTT_US", "CWND", "RETRANS", "BYTES_ACKED", "BYTES_RECV", "PID",
            "PROCESS", "CONTAINER", "NETNS"};
        List<String[]> rows = new ArrayList<>();
        rows.add(header);
        for (TcpConnectionStats c : connections) {
            rows.add(new String[] {
                c.state().label(),
                endpoint(c.localAddress(), c.localPort()),
                endpoint(c.remoteAddress(), c.remotePort()),
                str(c.rttMicros()), str(c.cwnd()), str(c.retransmitsTotal()), str(c.bytesAcked()), str(c.bytesReceived()),
                str(c.pid()), str(c.processName()),
                c.containerId() == null ? "-" : c.containerId().substring(0, Math.min(12, c.containerId().length())),
                str(c.netnsInode())
            });
        }
        int[] widths = new int[header.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                sb.append(row[i]);
                if (i < row.length - 1) {
                    sb.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String endpoint(java.net.InetAddress address, int port) {
        String ip = IpAddresses.format(address);
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static String str(Object o) {
        return o == null ? "-" : o.toString();
    }
}
