#!/usr/bin/env bash
# Throughput of `ssedash tail` on a flood, next to `curl -N` on the same bytes, in one run.
# A static file of N small quote events with ids is served on 127.0.0.1 as text/event-stream
# by sendfile(2) (so the server is not the limit); every client reads it to the end and writes
# to /dev/null. Each client runs RUNS times and its best run counts (the machine is shared).
# Prints a line per client and `ratio X.XX`: tail's NDJSON event rate over curl's.
# Usage: benches/tail-throughput.sh [EVENTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-2000000}
runs=${2:-3}
bin=${SSEDASH_BIN:-target/release/ssedash}  # SSEDASH_BIN: measure another build
if [ ! -x "$bin" ]; then
    [ -z "${SSEDASH_BIN:-}" ] || { echo "no executable $bin" >&2; exit 1; }
    cargo build --release --quiet
fi
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
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
def copyfile(self, source, outputfile):
    # shutil.copyfileobj would copy through Python buffers; sendfile(2) hands the file to
    # the kernel, so the server costs next to nothing beside the clients.
    outputfile.flush()
    self.connection.sendfile(source)
H.copyfile = copyfile
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])),
    functools.partial(H, directory=sys.argv[1])).serve_forever()
PY
server=$!
url="http://127.0.0.1:$port/flood.sse"
for _ in $(seq 50); do curl -sf -o /dev/null -r 0-0 "$url" && break; sleep 0.1; done
size=$(stat -c %s "$dir/flood.sse")
# The best of $runs wall-clock times of a command, in seconds.
best() {
    local best= t0 t1 t
    for _ in $(seq "$runs"); do
        t0=$(date +%s%N)
        "$@" > /dev/null || { echo "failed: $*" >&2; exit 1; }
        t1=$(date +%s%N)
        t=$((t1 - t0))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
}
report() {
    python3 -c "import sys; t=int(sys.argv[1])/1e9; n=int(sys.argv[2]); b=int(sys.argv[3]); print('%-28s %6.3f s  %6.2f M events/s  %7.1f MB/s' % (sys.argv[4], t, n/t/1e6, b/t/1e6))" "$1" "$events" "$size" "$2"
}
echo "$events events, $((size / 1000000)) MB, served by sendfile from 127.0.0.1, best of $runs"
curl_ns=$(best curl -sN "$url")
report "$curl_ns" "curl -N"
data_ns=$(best "$bin" tail "$url" --no-reconnect --format data)
report "$data_ns" "ssedash tail --format data"
json_ns=$(best "$bin" tail "$url" --no-reconnect --format ndjson)
report "$json_ns" "ssedash tail (ndjson)"
python3 -c "import sys; print('ratio %.2f' % (int(sys.argv[1]) / int(sys.argv[2])))" "$curl_ns" "$json_ns"
# The same with a full-fidelity recording beside stdout (a fresh file each run).
rec_ns=$(best sh -c 'rm -f "$0"; exec "$@"' "$dir/rec.ndjson" "$bin" tail "$url" --no-reconnect --format ndjson --record "$dir/rec.ndjson")
report "$rec_ns" "ssedash tail --record"
python3 -c "import sys; print('recording overhead %+.0f %%' % ((int(sys.argv[1]) / int(sys.argv[2]) - 1) * 100))" "$rec_ns" "$json_ns"
echo "events recorded: $(grep -c '"kind":"event"' "$dir/rec.ndjson") (expected $events)"
rm -f "$dir/rec.ndjson"
lines=$("$bin" tail "$url" --no-reconnect --format ndjson | grep -c '"kind":"event"')
echo "events printed by ssedash tail: $lines (expected $events)"
