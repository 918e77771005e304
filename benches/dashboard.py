#!/usr/bin/env python3
"""Dashboard measurements for ssedash: idle CPU and key latency under a flood.

Python 3.11, standard library only (cargo ignores .py files in benches/).

    python3 benches/dashboard.py [--bin target/release/ssedash] [--idle-seconds 30]
                                 [--rate 10000] [--presses 30] [--board]

1. Idle: four loopback SSE feeds that send one event, then a `: keep-alive` comment every
   15 s. The dashboard runs on them in a pseudo-terminal; once all four panes show `● open`,
   its CPU time (utime+stime from /proc/PID/stat) and the bytes it writes to the terminal
   are measured over --idle-seconds.
2. Flood: one feed paced at --rate events/s (a batch every 10 ms, ~80-byte JSON-ish data,
   incrementing ids) plus one quiet feed. After 2 s of receiving, `?` is pressed --presses
   times; each latency is the time from writing `?` to the pty until the help overlay
   (`this help` inside the ` Keys ` box) is on the screen, as rebuilt from the bytes the
   dashboard wrote. Then Esc, wait until the overlay is gone, pause 100-200 ms, repeat.
   Also reported: the rate the server actually achieved, the `N ev/s` of the dashboard's
   title bar, and the dashboard's CPU % and output volume during the presses.
3. With --board, only the flood, shown as a board: each event also carries one of 50
   symbols and a price, and the dashboard runs with `--view board --key .sym
   --column .price --column .seq`, so every event runs three jq expressions on arrival and
   updates a board row (the 50 rows fill the pane; each frame redraws changed cells).

The terminal output is drained continuously by a thread and fed to a minimal screen model
(cursor moves, erases and text; colours ignored), so text split by cursor-movement sequences
is still found. As a cross-check, the text runs written after each key press (escape
sequences stripped) are searched for `this help` too.

Everything binds to 127.0.0.1 on ephemeral ports; every loop has a deadline; the dashboard
and the servers are stopped at the end, on error and on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import http.server
import os
import random
import re
import signal
import socketserver
import statistics
import sys
import threading
import time

sys.dont_write_bytecode = True  # no benches/__pycache__ in the checkout
from ptyterm import Screen, Terminal, help_gone, help_shown  # noqa: E402  benches/ptyterm.py

ROWS, COLS = 40, 160
HARD_LIMIT_S = 300  # the watchdog ends everything after this, whatever happens


# --------------------------------------------------------------------------- SSE servers


class Feeds:
    """Loopback SSE feeds on one threaded HTTP server.

    /idle/N: one event, then `: keep-alive` every 15 s.  /flood: `rate` events/s in batches
    every 10 ms.  Every handler stops by itself at `deadline` or when `stop` is set."""

    def __init__(self, rate: int, lifetime: float, board: bool = False) -> None:
        self.rate = rate
        self.board = board
        self.stop = threading.Event()
        self.deadline = time.monotonic() + lifetime
        self.lock = threading.Lock()
        self.flood_sent = 0  # events written by /flood handlers, all connections
        self.flood_connections = 0
        feeds = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                if not (self.path.startswith("/idle") or self.path == "/flood"):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                try:
                    if self.path == "/flood":
                        feeds._flood(self.wfile)
                    else:
                        feeds._idle(self.wfile, self.path)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _alive(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline

    def _idle(self, w, path: str) -> None:
        w.write(f'id: 1\ndata: {{"feed":"{path}","msg":"hello"}}\n\n'.encode())
        w.flush()
        while self._alive():
            if self.stop.wait(min(15.0, max(self.deadline - time.monotonic(), 0))):
                break
            if self._alive():
                w.write(b": keep-alive\n\n")
                w.flush()

    def _flood(self, w) -> None:
        with self.lock:
            self.flood_connections += 1
        pad = "x" * 8
        start = time.monotonic()
        sent = 0
        tick = 0
        max_batch = max(1, self.rate // 100) * 4  # catch up after a stall, but in bounds
        while self._alive():
            tick += 1
            due = int(self.rate * (time.monotonic() - start)) - sent
            n = min(max(due, 0), max_batch)
            if n:
                now = time.time()
                parts = []
                for i in range(sent + 1, sent + n + 1):
                    # data is ~80 bytes: {"seq":..,"ts":..,"kind":"tick","feed":"flood","v":..}
                    # (a board's adds a symbol and a price)
                    board = (
                        f',"sym":"S{i % 50:02}","price":{100 + (i * 7919) % 1000 / 100:.2f}'
                        if self.board
                        else ""
                    )
                    parts.append(
                        f'id: {i}\ndata: {{"seq":{i},"ts":{now:.6f},"kind":"tick",'
                        f'"feed":"flood","v":"{pad}"{board}}}\n\n'
                    )
                w.write("".join(parts).encode())
                w.flush()
                sent += n
                with self.lock:
                    self.flood_sent += n
            next_at = start + tick * 0.010
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stop.wait(delay)

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- the dashboard


class Dashboard(Terminal):
    """ssedash in a pseudo-terminal, with a thread draining and interpreting its output."""

    def __init__(self, binary: str, urls: list[str], args: list[str] | None = None) -> None:
        # cwd "/": no ./feeds.toml to pick up (ad-hoc URLs don't read one anyway)
        super().__init__([binary, *(args or []), *urls], ROWS, COLS, cwd="/")


def open_panes(screen: Screen) -> int:
    return screen.text().count("● open")


# --------------------------------------------------------------------------- phases


def wait_until(dash: Dashboard, predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dash.proc.poll() is not None:
            raise RuntimeError(f"dashboard exited early with status {dash.proc.returncode}")
        with dash.cond:
            if predicate(dash.screen):
                return True
        time.sleep(0.05)
    return False


def idle_phase(binary: str, seconds: float, cleanup: list) -> dict:
    feeds = Feeds(rate=0, lifetime=seconds + 60)
    cleanup.append(feeds.close)
    dash = Dashboard(binary, [feeds.url(f"/idle/{i}") for i in range(1, 5)])
    cleanup.append(dash.close)
    t_start = time.monotonic()
    all_open = wait_until(dash, lambda s: open_panes(s) >= 4, 10.0)
    t_open = time.monotonic() - t_start
    time.sleep(0.5)  # let the first frames settle
    b0, c0 = dash.counters()
    cpu0, w0 = dash.cpu(), time.monotonic()
    time.sleep(seconds)
    cpu1, w1 = dash.cpu(), time.monotonic()
    b1, c1 = dash.counters()
    res = {
        "all_open": all_open,
        "open_after_s": t_open,
        "open_panes": open_panes(dash.screen),
        "wall_s": w1 - w0,
        "cpu_s": cpu1 - cpu0,
        "cpu_pct": 100.0 * (cpu1 - cpu0) / (w1 - w0),
        "bytes": b1 - b0,
        "chunks": c1 - c0,
        "title": dash.title().rstrip(),
    }
    dash.close()
    feeds.close()
    return res


_EVS = re.compile(r"([\d,.]+) ev/s")
_DROPPED = re.compile(r"dropped ([\d,]+)")
_EVENTS = re.compile(r"([\d,]+) events? ·")


def title_rate(dash: Dashboard) -> float | None:
    m = _EVS.search(dash.title())
    return float(m.group(1).replace(",", "")) if m else None


def dropped_total(dash: Dashboard) -> int:
    return sum(int(x.replace(",", "")) for x in _DROPPED.findall(dash.text()))


def events_shown(dash: Dashboard) -> int:
    """The largest pane counter `N events` on the screen (the flood pane's)."""
    return max((int(x.replace(",", "")) for x in _EVENTS.findall(dash.text())), default=0)


BOARD_ARGS = ["--view", "board", "--key", ".sym", "--column", ".price", "--column", ".seq"]


def flood_phase(binary: str, rate: int, presses: int, cleanup: list, board: bool = False) -> dict:
    feeds = Feeds(rate=rate, lifetime=120, board=board)
    cleanup.append(feeds.close)
    dash = Dashboard(
        binary, [feeds.url("/flood"), feeds.url("/idle/quiet")], BOARD_ARGS if board else None
    )
    cleanup.append(dash.close)
    wait_until(dash, lambda s: open_panes(s) >= 2, 10.0)
    time.sleep(2.0)  # receiving for 2 s
    if dash.proc.poll() is not None:
        raise RuntimeError(f"dashboard exited early with status {dash.proc.returncode}")

    rates_seen = []
    r = title_rate(dash)
    if r is not None:
        rates_seen.append(r)
    dropped_before = dropped_total(dash)
    with feeds.lock:
        sent0 = feeds.flood_sent
    b0, c0 = dash.counters()
    cpu0, w0 = dash.cpu(), time.monotonic()
    harness0 = os.times()

    latencies, stripped, timeouts, esc_ms = [], [], 0, []
    for _ in range(presses):
        if dash.proc.poll() is not None:
            raise RuntimeError(f"dashboard exited early with status {dash.proc.returncode}")
        t0, t_seen, t_text = dash.wait_for(help_shown, 5.0, key=b"?", capture=True)
        if t_seen is None:
            timeouts += 1
        else:
            latencies.append((t_seen - t0) * 1000)
        if t_text is not None:
            stripped.append((t_text - t0) * 1000)
        r = title_rate(dash)
        if r is not None:
            rates_seen.append(r)
        t0, t_gone, _ = dash.wait_for(help_gone, 5.0, key=b"\x1b")
        if t_gone is not None:
            esc_ms.append((t_gone - t0) * 1000)
        time.sleep(random.uniform(0.10, 0.20))  # sample different phases of the frame clock

    cpu1, w1 = dash.cpu(), time.monotonic()
    harness1 = os.times()
    b1, c1 = dash.counters()
    with feeds.lock:
        sent1 = feeds.flood_sent
    r = title_rate(dash)
    if r is not None:
        rates_seen.append(r)
    shown_end = events_shown(dash)
    wall = w1 - w0
    res = {
        "server_rate": (sent1 - sent0) / wall,
        "sent_end": sent1,
        "shown_end": shown_end,
        "connections": feeds.flood_connections,
        "title_rates": rates_seen,
        "latencies": latencies,
        "stripped": stripped,
        "timeouts": timeouts,
        "esc_ms": esc_ms,
        "wall_s": wall,
        "cpu_pct": 100.0 * (cpu1 - cpu0) / wall,
        "harness_cpu_pct": 100.0
        * ((harness1.user - harness0.user) + (harness1.system - harness0.system))
        / wall,
        "bytes": b1 - b0,
        "chunks": c1 - c0,
        "dropped": dropped_total(dash) - dropped_before,
        "title": dash.title().rstrip(),
    }
    dash.close()
    feeds.close()
    return res


# --------------------------------------------------------------------------- report


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def fmt_ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"median {statistics.median(values):7.1f}   p90 {pct(values, 0.9):7.1f}   "
        f"max {max(values):7.1f}   (n={len(values)})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/ssedash")
    ap.add_argument("--idle-seconds", type=float, default=30.0)
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--board", action="store_true", help="only the flood, as a board view")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)  # the dashboard runs with cwd=/
    if not os.access(args.bin, os.X_OK):
        print(f"not an executable: {args.bin} (cargo build --release?)", file=sys.stderr)
        return 2

    cleanup: list = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    def watchdog():
        time.sleep(HARD_LIMIT_S)
        for fn in reversed(cleanup):
            try:
                fn()
            except Exception:
                pass
        print(f"watchdog: gave up after {HARD_LIMIT_S} s", file=sys.stderr)
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()

    t_total = time.monotonic()
    try:
        print(f"ssedash dashboard measurements: {args.bin}, pty {ROWS}x{COLS}, "
              f"{os.cpu_count()} CPUs", flush=True)
        idle = None if args.board else idle_phase(args.bin, args.idle_seconds, cleanup)
        flood = flood_phase(args.bin, args.rate, args.presses, cleanup, board=args.board)
    finally:
        for fn in reversed(cleanup):
            try:
                fn()
            except Exception:
                pass

    print()
    if idle is not None:
        print_idle(idle)
    print_flood(args, flood)
    print()
    print(f"total {time.monotonic() - t_total:.1f} s")
    return 0


def print_idle(idle: dict) -> None:
    print(f"Idle: 4 open feeds (1 event, then `: keep-alive` every 15 s), "
          f"{idle['wall_s']:.1f} s window")
    print(f"  all 4 panes `● open`      {'yes' if idle['all_open'] else 'NO'} "
          f"(after {idle['open_after_s']:.2f} s; {idle['open_panes']} at the end)")
    print(f"  CPU                       {idle['cpu_pct']:.2f} % of one core "
          f"({idle['cpu_s']:.2f} s)")
    print(f"  terminal output           {idle['bytes']:,} bytes in {idle['chunks']} reads "
          f"({idle['bytes'] / idle['wall_s']:,.0f} B/s)")
    print(f"  title bar                 {idle['title'].strip()}")
    print()


def print_flood(args, flood: dict) -> None:
    view = " as a board (--view board, 3 jq expressions per event)" if args.board else ""
    print(f"Flood{view}: 1 feed at {args.rate:,} ev/s target (+1 quiet feed), "
          f"{len(flood['latencies']) + flood['timeouts']} presses of `?` "
          f"over {flood['wall_s']:.1f} s")
    print(f"  server achieved           {flood['server_rate']:,.0f} ev/s "
          f"({flood['connections']} flood connection(s))")
    tr = flood["title_rates"]
    if tr:
        print(f"  dashboard title           median {statistics.median(tr):,.0f} ev/s "
              f"(min {min(tr):,.0f}, max {max(tr):,.0f}, {len(tr)} samples; "
          f"last {tr[-1]:,.0f}; a 5 s average)")
    else:
        print("  dashboard title           (no `N ev/s` found)")
    print(f"  key `?` -> help shown ms  {fmt_ms(flood['latencies'])}")
    print(f"    (stripped-text check)   {fmt_ms(flood['stripped'])}")
    print(f"  Esc -> help gone ms       {fmt_ms(flood['esc_ms'])}")
    print(f"  timeouts (> 5 s)          {flood['timeouts']}")
    print(f"  dashboard CPU             {flood['cpu_pct']:.1f} % of one core")
    print(f"  terminal output           {flood['bytes']:,} bytes in {flood['chunks']} reads "
          f"({flood['bytes'] / flood['wall_s'] / 1024:,.0f} KiB/s)")
    print(f"  events in flood pane      {flood['shown_end']:,} shown at the end vs "
          f"{flood['sent_end']:,} sent (gap: in flight + last frame)")
    print(f"  pane `dropped` counter    +{flood['dropped']:,} during the presses "
          f"(queue drops + events evicted from the pane's buffer)")
    print(f"  harness CPU (this script) {flood['harness_cpu_pct']:.1f} % (servers + pty reader)")
    print(f"  title bar at the end      {flood['title'].strip()}")


if __name__ == "__main__":
    sys.exit(main())
