#!/usr/bin/env bash
# Records the sample capture the standalone mode replays when it may not capture live (no CAP_NET_RAW).
# Real traffic between five hosts in network namespaces joined by a bridge: HTTP, a database-like TCP service,
# DNS-like UDP, a bulk TCP transfer and pings. Headers only (snaplen 128).
#   usage (root): bash make-sample.sh OUTPUT.pcap    needs iproute2, tcpdump, python3, curl, iperf3, iputils-ping
set -euo pipefail
out=$(readlink -f "${1:?usage: make-sample.sh OUTPUT.pcap}")
id=$$
br=ftbr$id
hosts=(web db dns client1 client2)
cleanup() {
  for h in "${hosts[@]}"; do ip netns pids ft-$h-$id 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del ft-$h-$id 2>/dev/null || true; done
  ip link del $br 2>/dev/null || true
}
trap cleanup EXIT
ip link add $br type bridge && ip link set $br up
n=10
for h in "${hosts[@]}"; do
  ns=ft-$h-$id
  ip netns add $ns
  ip link add v$h$id type veth peer name eth0 netns $ns
  ip link set v$h$id master $br up
  ip -n $ns addr add 10.77.0.$n/24 dev eth0
  ip -n $ns link set eth0 up
  ip -n $ns link set lo up
  n=$((n + 1))
done
x() { local h=$1; shift; ip netns exec ft-$h-$id "$@"; }
web=10.77.0.10 db=10.77.0.11 dns=10.77.0.12
tmp=$(mktemp -d)
head -c 200000 /dev/urandom > "$tmp/asset.bin"
echo '<html><body>fluxtap sample</body></html>' > "$tmp/index.html"
x web python3 -m http.server 80 --directory "$tmp" >/dev/null 2>&1 &
x web iperf3 -s -D >/dev/null
x db python3 -c '
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 5432)); s.listen()
def serve(c):
    with c:
        while (d := c.recv(4096)):
            c.sendall(d * 3)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()' &
x dns python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 53))
while True:
    d, a = s.recvfrom(512); s.sendto(d + b"\x00" * 48, a)' &
sleep 1
timeout 25 tcpdump -i $br -s 128 -w "$out" >/dev/null 2>&1 &
capture=$!
sleep 1
for round in 1 2 3 4 5 6; do
  for c in client1 client2; do
    x $c curl -s -o /dev/null http://$web/index.html
    x $c curl -s -o /dev/null http://$web/asset.bin
    x $c python3 -c "
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(1)
for q in range(3):
    u.sendto(b'query-%d-$round' % q, ('$dns', 53)); u.recvfrom(1024)
t = socket.create_connection(('$db', 5432))
for q in range(5):
    t.sendall(b'SELECT %d;' % q); t.recv(4096)
t.close()"
  done
  x web curl -s -o /dev/null -m 1 http://$db:5432/ || true
  x client1 ping -c 2 -i 0.2 -q $dns >/dev/null
  [ $round = 3 ] && x client2 iperf3 -c $web -t 2 -b 30M -l 1400 >/dev/null
  sleep 1.5
done
sleep 1
kill -INT $capture; wait $capture || true
rm -rf "$tmp"
echo "wrote $out: $(tcpdump -r "$out" 2>/dev/null | wc -l) packets"
