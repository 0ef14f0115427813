# Shared by the benchmark scripts (sourced, from examples/blog): settings
# from the environment, a work dir removed on exit with the servers started
# in it, and helpers to find a free port and wait for a server.
set -euo pipefail
root=$(cd ../.. && pwd)
duration=${DURATION:-10s}
conns=${CONNS:-64}
threads=${THREADS:-2}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

work=$(mktemp -d)
pids=() # servers to stop on exit
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() {
  for _ in $(seq 1 400); do curl -fso /dev/null "$1" && return 0; sleep 0.05; done
  echo "no answer from $1" >&2; exit 1
}
