# Shared by bench/soak.sh and bench/latency.sh (sourced, inside the network namespace they create): a work directory
# cleaned up on exit with the processes started, free ports, the standalone jar capturing lo, and its REST API.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Needs http_port to be set.
api() { curl -sf "http://127.0.0.1:$http_port$1"; }

# start_standalone NAME JAR: starts JAR on http_port/kafka_port capturing lo, sets app (its pid) and waits until its
# agent has reported to the aggregator; NAME prefixes the error when it exits first.
start_standalone() {
  java -jar "$2" --http-port "$http_port" --kafka-port "$kafka_port" --interface lo > "$work/standalone.log" 2>&1 &
  app=$!; pids+=("$app")
  until api /readiness >/dev/null && api /api/v1/agents | grep -q agentId; do
    kill -0 "$app" 2>/dev/null || { echo "$1: the standalone exited:" >&2; tail -20 "$work/standalone.log" >&2; exit 1; }
    sleep 1
  done
}
