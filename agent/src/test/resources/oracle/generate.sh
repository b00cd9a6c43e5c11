#!/usr/bin/env bash
# Regenerates the expected per-packet fields of the accuracy test (InspectAccuracyTest) with tshark, an independent
# dissector. tshark is needed only to regenerate, never at test time (Debian: apt-get install -y tshark).
# Generated with: TShark (Wireshark) 4.0.17 (Debian 12), by running this script from any directory:
#   agent/src/test/resources/oracle/generate.sh
# Per capture it runs:
#   tshark -r FILE -o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields -E header=y -E separator=, -E occurrence=f \
#          -e frame.number -e ip.src -e ip.dst -e ip.proto -e ip.len -e ip.ttl -e ip.flags.mf -e ip.frag_offset \
#          -e ipv6.src -e ipv6.dst -e ipv6.plen -e ipv6.hlim -e ipv6.fraghdr.offset -e ipv6.fraghdr.more \
#          -e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.window_size_value \
#          -e udp.srcport -e udp.dstport -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code -e vlan.id
# (occurrence=f: the outermost header when tunnels or ICMP errors carry inner ones; defragmentation off so that every
# fragment keeps its own fields.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pcaps="$here/../pcaps"
captures=(
  "tcpdump-tests/mptcp-v0.pcap"                 # Ethernet, IPv4 TCP with options
  "tcpdump-tests/various_gre.pcap"              # Ethernet with 802.1Q VLAN tags, GRE, IPv4 and IPv6
  "tcpdump-tests/resp_1_benchmark.pcap"         # Linux SLL, TCP
  "fluxtap/sll2-any-loopback.pcap"              # Linux SLL2 (tcpdump -i any -y LINUX_SLL2), IPv4+IPv6 TCP and UDP
  "tcpdump-tests/ipv6-routing-header.pcap"      # IPv6 routing extension headers, ICMPv6, UDP
  "tcpdump-tests/ipv6-srh-ext-header.pcap"      # IPv6 segment routing header
  "fluxtap/ethernet-veth-fragments.pcap"        # Ethernet, IPv4 and IPv6 fragments, TCP, ICMP (veth, MTU 1400)
  "tcpdump-tests/quic_vn.pcap"                  # BSD loopback (DLT_NULL), IPv6 UDP
  "tcpdump-tests/icmpv6-RFC2894-RR.pcap"        # DLT_NULL, IPv6 ICMPv6
  "tcpdump-tests/LINKTYPE_IPV6.pcap"            # raw IPv6 link type
)
for capture in "${captures[@]}"; do
  name="$(basename "$capture")"
  tshark -r "$pcaps/$capture" -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
    -T fields -E header=y -E separator=, -E occurrence=f \
    -e frame.number -e ip.src -e ip.dst -e ip.proto -e ip.len -e ip.ttl -e ip.flags.mf -e ip.frag_offset \
    -e ipv6.src -e ipv6.dst -e ipv6.plen -e ipv6.hlim -e ipv6.fraghdr.offset -e ipv6.fraghdr.more \
    -e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.window_size_value \
    -e udp.srcport -e udp.dstport -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code -e vlan.id \
    > "$here/${name%.*}.csv"
  echo "$capture -> ${name%.*}.csv ($(($(wc -l < "$here/${name%.*}.csv") - 1)) frames)"
done
printf '%s\n' "${captures[@]}" > "$here/captures.txt"
