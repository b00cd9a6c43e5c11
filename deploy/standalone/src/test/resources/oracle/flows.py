"""Aggregates tshark field lines (see flows.sh) into per-flow, per-direction counts. Reads stdin, writes CSV."""
import ipaddress
import sys

flows = {}
order = []
for line in sys.stdin:
    (ts, src4, dst4, len4, proto4, src6, dst6, plen6, nxt6, tsport, tdport, tflags, usport, udport,
     icmpt, icmpc, icmp6t, icmp6c, fragoff) = line.rstrip("\n").split(",")
    if src4:
        src, dst, nbytes, proto = src4, dst4, int(len4), int(proto4)
    else:
        src, dst, nbytes, proto = src6, dst6, int(plen6) + 40, int(nxt6)
    if fragoff and int(fragoff) > 0:
        sport = dport = 0
    elif proto == 6 and tsport:
        sport, dport = int(tsport), int(tdport)
    elif proto == 17 and usport:
        sport, dport = int(usport), int(udport)
    elif proto == 1 and icmpt:
        sport, dport = 0, int(icmpt) * 256 + int(icmpc or 0)
    elif proto == 58 and icmp6t:
        sport, dport = 0, int(icmp6t) * 256 + int(icmp6c or 0)
    else:
        continue
    a = (ipaddress.ip_address(src).packed, sport)
    b = (ipaddress.ip_address(dst).packed, dport)
    if proto in (1, 58):
        # ICMP has no ports: the flow is the address pair plus type/code, as Fluxtap keys it.
        key = (proto, min(a[0], b[0]), max(a[0], b[0]), dport)
    else:
        key = (proto,) + (a + b if a <= b else b + a)
    flags = int(tflags, 16) if tflags else 0
    syn_only = proto == 6 and flags & 0x02 and not flags & 0x10
    flow = flows.get(key)
    if flow is None:
        flow = flows[key] = {"init": (src, sport), "resp": (dst, dport), "fwd": [0, 0], "rev": [0, 0], "syn": bool(syn_only)}
        order.append(key)
    elif syn_only and not flow["syn"]:
        # A SYN seen after other packets names the initiator (the earlier packets were mid-stream).
        if (src, sport) != flow["init"]:
            flow["init"], flow["resp"] = flow["resp"], flow["init"]
            flow["fwd"], flow["rev"] = flow["rev"], flow["fwd"]
        flow["syn"] = True
    direction = "fwd" if (src, sport) == flow["init"] else "rev"
    flow[direction][0] += 1
    flow[direction][1] += nbytes

print("protocol,srcIp,srcPort,dstIp,dstPort,fwdPackets,fwdBytes,revPackets,revBytes")
for key in order:
    f = flows[key]
    print(f"{key[0]},{f['init'][0]},{f['init'][1]},{f['resp'][0]},{f['resp'][1]},{f['fwd'][0]},{f['fwd'][1]},{f['rev'][0]},{f['rev'][1]}")
