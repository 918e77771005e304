#!/usr/bin/env bash
# Throughput of `ssedash tail` on a flood, next to `curl -N` on the same bytes.
# A static file of N small events is served on 127.0.0.1 as text/event-stream; both clients
# read it to the end and write to /dev/null. Usage: benches/tail-throughput.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-2000000}
bin=target/release/ssedash
[ -x "$bin" ] || cargo build --release --quiet
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
python3 - "$dir/flood.sse" "$events" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(1, n + 1):
        f.write('id: %d\nevent: quote\ndata: {"symbol":"ACME","price":%d.%02d}\n\n' % (i, 100 + i % 50, i % 100))
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$dir" "$port" <<'PY' &
import http.server, functools, sys
H = http.server.SimpleHTTPRequestHandler
H.extensions_map = {**H.extensions_map, ".sse": "text/event-stream"}
H.log_message = lambda *a: None
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])),
    functools.partial(H, directory=sys.argv[1])).serve_forever()
PY
server=$!
url="http://127.0.0.1:$port/flood.sse"
for _ in $(seq 50); do curl -sf -o /dev/null -r 0-0 "$url" && break; sleep 0.1; done
size=$(stat -c %s "$dir/flood.sse")
measure() {
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); b=int(sys.argv[4]); print('%-28s %7.2f s  %6.2f M events/s  %7.1f MB/s' % (sys.argv[5], t, n/t/1e6, b/t/1e6))" "$t0" "$t1" "$events" "$size" "$label"
}
echo "$events events, $((size / 1000000)) MB, served from 127.0.0.1"
measure "curl -N" curl -sN "$url"
measure "ssedash tail --format data" "$bin" tail "$url" --no-reconnect --format data
measure "ssedash tail (ndjson)" "$bin" tail "$url" --no-reconnect --format ndjson
lines=$("$bin" tail "$url" --no-reconnect --format ndjson | grep -c '"kind":"event"')
echo "events printed by ssedash tail: $lines (expected $events)"
