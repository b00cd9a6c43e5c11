package dev.fluxtap.agent.tcpstats.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.StdCallLibrary;

/** The iphlpapi.dll functions the Windows source calls (no A/W variants, stdcall on 32-bit). Loaded on first read. */
interface IpHlpApi extends StdCallLibrary {

    int AF_INET = 2;
    int AF_INET6 = 23;
    int TCP_TABLE_OWNER_PID_ALL = 5;
    int NO_ERROR = 0;
    int ERROR_ACCESS_DENIED = 5;
    int ERROR_INSUFFICIENT_BUFFER = 122;

    static IpHlpApi load() {
        return Native.load("iphlpapi", IpHlpApi.class);
    }

    int GetExtendedTcpTable(Pointer pTcpTable, IntByReference pdwSize, boolean bOrder, int ulAf, int tableClass, int reserved);

    int SetPerTcpConnectionEStats(Pointer row, int estatsType, Pointer rw, int rwVersion, int rwSize, int offset);

    int SetPerTcp6ConnectionEStats(Pointer row, int estatsType, Pointer rw, int rwVersion, int rwSize, int offset);

    int GetPerTcpConnectionEStats(Pointer row, int estatsType, Pointer rw, int rwVersion, int rwSize, Pointer ros,
            int rosVersion, int rosSize, Pointer rod, int rodVersion, int rodSize);

    int GetPerTcp6ConnectionEStats(Pointer row, int estatsType, Pointer rw, int rwVersion, int rwSize, Pointer ros,
            int rosVersion, int rosSize, Pointer rod, int rodVersion, int rodSize);
}
