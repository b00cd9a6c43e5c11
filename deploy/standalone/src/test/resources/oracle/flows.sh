#!/usr/bin/env bash
# Independent oracle for the end-to-end flow tests: per bidirectional flow (canonical 5-tuple) and direction,
# the packet and IP-byte counts that tshark (Wireshark's dissector, not our decoder) sees in a capture.
#
#   usage: flows.sh CAPTURE... (writes CAPTURE-NAME.flows.csv beside this script)
#   made with: TShark (Wireshark) 4.0.x on Debian 12, `bash flows.sh ../pcaps/*.pcap*`
#
# Direction follows Fluxtap's rule: the initiator is the sender of the first SYN without ACK, else the first sender.
# Bytes are IP-layer bytes: IPv4 total length, IPv6 payload length + 40. Only the outer IP header counts (first
# occurrence of each field), IP reassembly is off, and only TCP, UDP, ICMP and ICMPv6 are counted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for capture in "$@"; do
  name=$(basename "$capture")
  tshark -n -r "$capture" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.analyze_sequence_numbers:FALSE \
      -Y 'ip or ipv6' -T fields -E occurrence=f -E separator=, \
      -e frame.time_epoch -e ip.src -e ip.dst -e ip.len -e ip.proto -e ipv6.src -e ipv6.dst -e ipv6.plen -e ipv6.nxt \
      -e tcp.srcport -e tcp.dstport -e tcp.flags -e udp.srcport -e udp.dstport -e icmp.type -e icmp.code \
      -e icmpv6.type -e icmpv6.code -e ip.frag_offset \
    | python3 "$here/flows.py" > "$here/$name.flows.csv"
  echo "wrote $here/$name.flows.csv ($(($(wc -l < "$here/$name.flows.csv") - 1)) flows)"
done
