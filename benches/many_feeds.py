#!/usr/bin/env python3
"""ssedash at scale: 100 feeds in one dashboard, in `tail`, memory, a soak and fairness.

Python 3.11, standard library only (cargo ignores .py files in benches/). Only the command
line and the screen are used, so the script works against whatever binary is built.

    python3 benches/many_feeds.py [MODE] [--bin target/release/ssedash] [--seconds S]
                                  [--feeds N] [--rate R] [--minutes M]

The feeds come from benches/feedserver.py: one asyncio server in its own process (so this
script's screen parsing never delays the pacing) on 127.0.0.1. Events are ~95-byte JSON
quotes with ids and their send time `ts`, paced evenly: event k of the whole schedule goes
to feed k mod N, so every feed gets one event every 1/R s, staggered, not in bursts. A
feeds.toml for them is written to a temp dir; the dashboard runs on it (`--config FILE`) in
a 160x48 pty (benches/ptyterm.py), `tail` with `--config FILE`. Sending starts once every
feed is connected.

Modes (default `dashboard`):

dashboard  --feeds (100) feeds at --rate (100) events/s each for --seconds (30). First half:
           no keys; second half: `?` is pressed and the time to the frame showing the help
           overlay measured, then Esc, a pause of 100-300 ms, repeat. Printed: CPU % of one
           core (utime+stime from /proc) in each half, RSS (VmRSS at the end, VmHWM peak),
           key->frame p50/max, and events shown vs sent: the server stops sending
           (connections stay open, so the totals freeze), and every pane is visited (`z`
           zoom, then Tab), reading its `N events` and `lost N` counters from the screen. If
           the dashboard shows a table instead of panes (an overview), `o` is pressed to get
           the panes; failing that, the table's `events` column is read, page by page. Panes
           that could not be read are named. Goals: CPU < 10 % of one core (without keys),
           key->frame max < 16 ms, shown == sent.
tail       The same feeds read by `ssedash tail --config FILE --format ndjson > FILE` for
           --seconds; then the server stops, tail is given until its output stops growing
           for 1 s, and is stopped. Per feed, the ids printed are checked against what the
           server sent: lost, duplicated, out of order. Also tail's CPU % and RSS.
memory     --feeds feeds each get --events (5,000) + 100 events at --fill-rate (250) events/s
           per feed, then idle. RSS is read with the feeds connected but empty (baseline) and
           again once everything is in and the dashboard is idle. RSS per buffered event =
           (RSS - baseline) / events buffered (a pane keeps `buffer` = 5,000 by default).
           Goals: RSS < 100 MB; per event <= data bytes + 96.
soak       10 feeds at 1,000 events/s each (change with --feeds/--rate) in the dashboard for
           --minutes (10); VmRSS every 10 s. Goal: RSS at the end within 10 % of RSS at 1 min.
fairness   One feed flooding as fast as a second server process can write, next to 99 quiet
           feeds each sending an event every 500 ms. 1) `tail --format ndjson` reads all 100,
           its output through a pipe; per quiet event: `at` (tail's receive stamp, ms
           resolution) - ts, and the time this script read the line from the pipe - ts.
           2) The dashboard on the same feeds, zoomed on one quiet feed: the time its newest
           event (`"seq":N ... "ts":T` on screen) first shows - ts. --seconds each; p50, p99
           and max; goal: max < 50 ms.
all        every mode but soak, one after the other.

Every phase has a deadline, a watchdog ends everything after the longest sensible run, and
the dashboard, tail and the servers are stopped at the end, on error and on
SIGINT/SIGTERM/SIGHUP. The server's achieved rate is printed next to the target: on a busy
2-core machine it may fall short, and then so does the load the client was measured under.
The script, the servers and ssedash share the machine's cores; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime

sys.dont_write_bytecode = True  # no benches/__pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feedserver import Server, quote  # noqa: E402  (benches/feedserver.py)
from ptyterm import Terminal, cpu_seconds, help_gone, help_shown, rss_kib  # noqa: E402

ROWS, COLS = 48, 160
NAME = "feed-{:03d}"
NAME_RE = re.compile(r"(?:feed|quiet|flood)-\d{3}")

# =========================================================================== config


def write_config(path: str, feeds: list[tuple[str, str]]) -> None:
    with open(path, "w") as f:
        f.write("# written by benches/many_feeds.py\n")
        for name, url in feeds:
            f.write(f'\n[[feed]]\nname = "{name}"\nurl = "{url}"\n')


def check_config(binary: str, config: str) -> None:
    r = subprocess.run([binary, "check", "--config", config], capture_output=True, text=True,
                       timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"`ssedash check` rejects the config:\n{r.stdout}{r.stderr}")


# =========================================================================== reading the screen

_COUNTER = re.compile(r"([\d,]+) events?\b")
_LOST = re.compile(r"lost ([\d,]+)")
_BORDER = "│┃║"


def _num(s: str) -> int:
    return int(s.replace(",", ""))


def read_panes(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Pane name -> (events, lost) for every pane whose title and counters are on screen:
    a name in a border row, and on the next row `N events` starting just left of it."""
    found = {}
    for r, line in enumerate(lines[:-1]):
        for m in NAME_RE.finditer(line):
            before = line[max(0, m.start() - 6) : m.start()]
            if not any(ch in before for ch in "─━╭┏╔═"):
                continue  # not a pane title
            below = lines[r + 1]
            for c in _COUNTER.finditer(below):
                if m.start() - 6 <= c.start() <= m.start():
                    end = len(below)
                    for b in _BORDER:
                        j = below.find(b, c.end())
                        if j >= 0:
                            end = min(end, j)
                    lost = _LOST.search(below, c.end(), end)
                    found[m.group(0)] = (_num(c.group(1)), _num(lost.group(1)) if lost else 0)
                    break
    return found


def read_table(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Name -> (events, lost) from a table whose header row names `name`, `events` and maybe
    `lost` columns: the whole number in each row between the neighbouring headers, the one
    nearest its header (so left- and right-aligned columns both read)."""
    header = None
    for line in lines:
        low = line.lower()
        if re.search(r"\bevents\b", low) and re.search(r"\bname\b", low):
            header = low
            break
    if header is None:
        return {}
    words = list(re.finditer(r"[a-z/]+(?: [a-z]+)?", header))

    def cell(word: str) -> tuple[int, int, int] | None:
        for i, w in enumerate(words):
            if w.group(0) == word:
                lo = words[i - 1].end() if i > 0 else 0
                hi = words[i + 1].start() if i + 1 < len(words) else len(header)
                return lo, hi, (w.start() + w.end()) // 2
        return None

    ev, lo_ = cell("events"), cell("lost")

    def under(line: str, c: tuple[int, int, int] | None) -> int | None:
        if c is None:
            return None
        nums = [m for m in re.finditer(r"(?<![\d.])\d[\d,]*(?![\d.])", line)
                if m.start() >= c[0] and m.end() <= c[1]]
        if not nums:
            return None
        m = min(nums, key=lambda m: abs((m.start() + m.end()) // 2 - c[2]))
        return _num(m.group(0))

    found = {}
    for line in lines:
        m = NAME_RE.search(line)
        if m and line.lower() != header:
            rest = " " * m.end() + line[m.end() :]  # the name itself is no number
            e = under(rest, ev)
            if e is not None:
                found[m.group(0)] = (e, under(rest, lo_) or 0)
    return found


def press(term: Terminal, key: bytes, timeout: float = 1.0) -> None:
    """Writes a key and waits for the frame it causes to be complete (output, then quiet)."""
    b0, _ = term.counters()
    term.write(key)
    deadline = time.monotonic() + timeout
    while term.counters()[0] == b0 and time.monotonic() < deadline:
        time.sleep(0.005)
    term.settle(0.04, 0.5)


def walk_counters(term: Terminal, names: list[str], budget_s: float = 60.0) -> dict:
    """Visits every pane and reads its counters. Returns {"seen": {name: (events, lost)},
    "how": str}."""
    want = set(names)
    seen: dict[str, tuple[int, int]] = {}
    deadline = time.monotonic() + budget_s
    how = "panes"
    term.settle(0.1, 1.0)
    seen.update(read_panes(term.lines()))
    if not seen:
        # Perhaps an overview table: switch to panes.
        press(term, b"o")
        seen.update(read_panes(term.lines()))
        if not seen:
            press(term, b"o")  # back to whatever it was, and read it as a table
            how = "table"
    if how == "panes":
        press(term, b"z")  # zoomed: one pane at full width, every counter visible
        seen.update(read_panes(term.lines()))
        for _ in range(len(names) + 5):
            if want <= seen.keys() or time.monotonic() > deadline:
                break
            press(term, b"\t")
            seen.update(read_panes(term.lines()))
        press(term, b"z")
    else:
        seen.update(read_table(term.lines()))
        for _ in range(3 * len(names) // max(ROWS - 6, 1) + 3):
            if want <= seen.keys() or time.monotonic() > deadline:
                break
            press(term, b"\x1b[6~")  # PgDn
            seen.update(read_table(term.lines()))
    return {"seen": {k: v for k, v in seen.items() if k in want}, "how": how}


# =========================================================================== helpers


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def mib_mb(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB = {kib * 1024 / 1e6:.1f} MB"


class Run:
    """Cleanup in reverse order of creation, whatever happens."""

    def __init__(self) -> None:
        self.cleanup: list = []
        self.tmp = tempfile.mkdtemp(prefix="ssedash-many-")
        self.cleanup.append(lambda: subprocess.run(["rm", "-rf", self.tmp]))

    def add(self, fn):
        self.cleanup.append(fn)

    def close(self) -> None:
        while self.cleanup:
            fn = self.cleanup.pop()
            try:
                fn()
            except Exception:
                pass


def start_dashboard(run: Run, binary: str, config: str) -> Terminal:
    term = Terminal([binary, "--config", config], ROWS, COLS, cwd=run.tmp)
    run.add(term.close)
    return term


def alive(term_or_proc) -> None:
    proc = getattr(term_or_proc, "proc", term_or_proc)
    if proc.poll() is not None:
        raise RuntimeError(f"{proc.args[0]} exited early with status {proc.returncode}")


def press_loop(term: Terminal, seconds: float, sample=None) -> tuple[list, int]:
    """Presses `?` and Esc for `seconds`, timing `?` to the help overlay on screen."""
    latencies, timeouts = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        alive(term)
        t0, t_seen, _ = term.wait_for(help_shown, 5.0, key=b"?", capture=True)
        if t_seen is None:
            timeouts += 1
        else:
            latencies.append((t_seen - t0) * 1000)
        term.wait_for(help_gone, 5.0, key=b"\x1b")
        if sample:
            sample()
        time.sleep(min(random.uniform(0.10, 0.30), max(end - time.monotonic(), 0)))
    return latencies, timeouts


def shown_vs_sent(walk: dict, sent: dict[str, int]) -> dict:
    seen = walk["seen"]
    readable = [n for n in sent if n in seen]
    shown = sum(seen[n][0] for n in readable)
    lost = sum(seen[n][1] for n in readable)
    sent_readable = sum(sent[n] for n in readable)
    mismatched = [n for n in readable if seen[n][0] != sent[n]]
    return {
        "readable": len(readable),
        "unreadable": [n for n in sent if n not in seen],
        "shown": shown,
        "lost": lost,
        "sent_readable": sent_readable,
        "mismatched": mismatched,
        "how": walk["how"],
    }


# =========================================================================== modes


def mode_dashboard(args, run: Run) -> list[tuple]:
    names = [NAME.format(i) for i in range(args.feeds)]
    srv = Server(names, "paced", args.seconds + 300, rate=args.rate)
    run.add(srv.close)
    config = os.path.join(run.tmp, "feeds.toml")
    write_config(config, [(n, srv.url(n)) for n in names])
    check_config(args.bin, config)
    term = start_dashboard(run, args.bin, config)
    connected = srv.wait_connected(len(names), 30)
    print(f"  {connected}/{len(names)} feeds connected; sending for {args.seconds:.0f} s",
          flush=True)
    time.sleep(1.0)
    rss_samples = []
    cpu0, srv_cpu0, w0 = term.cpu(), srv.cpu(), time.monotonic()
    srv.send("go")
    last_sample = [0.0]

    def sample():
        if time.monotonic() - last_sample[0] >= 1.0:
            last_sample[0] = time.monotonic()
            rss_samples.append(term.rss()[0])

    # First half: no keys, so the CPU is that of following the feeds; second half: key presses
    # (each opens and closes the help overlay: two extra full frames).
    half_end = w0 + args.seconds / 2
    while time.monotonic() < half_end:
        alive(term)
        sample()
        time.sleep(min(0.2, max(half_end - time.monotonic(), 0)))
    cpu_h, wh = term.cpu(), time.monotonic()
    me0 = os.times()
    latencies, timeouts = press_loop(term, w0 + args.seconds - wh, sample)
    cpu1, srv_cpu1, w1 = term.cpu(), srv.cpu(), time.monotonic()
    me1 = os.times()
    harness_pct = 100 * (me1.user - me0.user + me1.system - me0.system) / (w1 - wh)
    srv.send("pause")
    rss_end, rss_peak = term.rss()
    title = term.title().strip()
    time.sleep(2.0)  # let what is in flight arrive; totals are frozen from here on
    st = srv.stats()
    sent = st["sent"]
    walk = walk_counters(term, names)
    cmp_ = shown_vs_sent(walk, sent)
    walks = 1
    if cmp_["mismatched"] or cmp_["unreadable"]:
        time.sleep(3.0)  # perhaps still catching up: look once more
        walk = walk_counters(term, names)
        cmp_ = shown_vs_sent(walk, sent)
        walks = 2
    wall = w1 - w0
    total_sent = sum(sent.values())
    achieved = total_sent / st["elapsed"] if st["elapsed"] else 0
    cpu_pct = 100 * (cpu_h - cpu0) / (wh - w0)
    cpu_keys = 100 * (cpu1 - cpu_h) / (w1 - wh)
    cpu_all = 100 * (cpu1 - cpu0) / wall
    reconnects = sum(max(c - 1, 0) for c in st["conns"].values())

    print()
    print(f"dashboard: {len(names)} feeds x {args.rate:g} ev/s = {len(names) * args.rate:,.0f} "
          f"ev/s target, {wall:.1f} s, pty {COLS}x{ROWS}")
    print(f"  server achieved           {achieved:,.0f} ev/s ({total_sent:,} events; "
          f"{st['skipped']:,} due while a feed was not connected; max lag "
          f"{st['max_lag_ms']:.1f} ms; server CPU {100 * (srv_cpu1 - srv_cpu0) / wall:.0f} %)")
    print(f"  dashboard CPU             {cpu_pct:.1f} % of one core without keys (first "
          f"{wh - w0:.0f} s); {cpu_keys:.1f} % while `?`/Esc were pressed; {cpu_all:.1f} % in all")
    print(f"  RSS                       {mib(rss_end)} at the end, peak {mib(rss_peak)}"
          + (f" (min {mib(min(rss_samples))} during the run)" if rss_samples else ""))
    lat = latencies
    if lat:
        print(f"  key `?` -> help shown     p50 {statistics.median(lat):.1f} ms, p90 "
              f"{pct(lat, 0.9):.1f} ms, max {max(lat):.1f} ms ({len(lat)} presses, "
              f"{timeouts} timeouts)")
    else:
        print(f"  key `?` -> help shown     no measurement ({timeouts} timeouts)")
    print(f"  {'panes read (' + cmp_['how'] + ')':<26}{cmp_['readable']}/{len(names)}, 2 s after "
          f"sending stopped" + (" and again 3 s later" if walks == 2 else "")
          + (f"; not readable from the screen: {', '.join(cmp_['unreadable'][:8])}"
             f"{' ...' if len(cmp_['unreadable']) > 8 else ''}" if cmp_["unreadable"] else ""))
    print(f"  events shown vs sent      {cmp_['shown']:,} shown / {cmp_['sent_readable']:,} sent "
          f"(of the panes read); lost counters {cmp_['lost']:,}; "
          f"{len(cmp_['mismatched'])} panes differ"
          + (f" (e.g. {cmp_['mismatched'][0]}: {walk['seen'][cmp_['mismatched'][0]][0]:,} "
             f"vs {sent[cmp_['mismatched'][0]]:,})" if cmp_["mismatched"] else ""))
    print(f"  harness CPU (pty reader)  {harness_pct:.0f} % of one core while keys were pressed "
          f"(it rebuilds the screen from the output; {term.counters()[0] / 1e6:.1f} MB in all)")
    print(f"  reconnects (server side)  {reconnects}")
    print(f"  title bar at the end      {title}")
    nothing_lost = cmp_["readable"] == len(names) and cmp_["shown"] == total_sent
    return [
        ("dashboard", "server rate", f"{achieved:,.0f} ev/s", f"target {len(names) * args.rate:,.0f}", ""),
        ("dashboard", "CPU (no keys)", f"{cpu_pct:.1f} %", "< 10 %", verdict(cpu_pct < 10)),
        ("dashboard", "CPU (with keys)", f"{cpu_keys:.1f} %", "", ""),
        ("dashboard", "RSS end / peak", f"{mib(rss_end)} / {mib(rss_peak)}", "", ""),
        ("dashboard", "key->frame p50",
         f"{statistics.median(lat):.1f} ms" if lat else "n/a", "", ""),
        ("dashboard", "key->frame max", f"{max(lat):.1f} ms" if lat else "n/a", "< 16 ms",
         verdict(bool(lat) and max(lat) < 16 and timeouts == 0)),
        ("dashboard", "shown / sent",
         f"{cmp_['shown']:,} / {total_sent:,} ({cmp_['readable']} panes read)",
         "equal", verdict(nothing_lost)),
    ]


def parse_at(s: str) -> float:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def mode_tail(args, run: Run) -> list[tuple]:
    names = [NAME.format(i) for i in range(args.feeds)]
    srv = Server(names, "paced", args.seconds + 300, rate=args.rate)
    run.add(srv.close)
    config = os.path.join(run.tmp, "feeds.toml")
    write_config(config, [(n, srv.url(n)) for n in names])
    check_config(args.bin, config)
    out_path = os.path.join(run.tmp, "tail.ndjson")
    out = open(out_path, "wb")
    tail = subprocess.Popen([args.bin, "tail", "--config", config, "--format", "ndjson"],
                            stdout=out, stderr=subprocess.PIPE, cwd=run.tmp,
                            start_new_session=True)
    run.add(lambda: stop_proc(tail))
    connected = srv.wait_connected(len(names), 30)
    print(f"  {connected}/{len(names)} feeds connected; sending for {args.seconds:.0f} s",
          flush=True)
    time.sleep(0.5)
    cpu0, w0 = cpu_seconds(tail.pid), time.monotonic()
    srv.send("go")
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        alive(tail)
        time.sleep(min(0.5, max(end - time.monotonic(), 0)))
    cpu1, w1 = cpu_seconds(tail.pid), time.monotonic()
    srv.send("pause")
    st = srv.stats()
    # Give tail until its output stops growing for 1 s (at most 20 s) to print the rest.
    size, still_since, deadline = -1, time.monotonic(), time.monotonic() + 20
    while time.monotonic() < deadline:
        s = os.path.getsize(out_path)
        if s != size:
            size, still_since = s, time.monotonic()
        elif time.monotonic() - still_since >= 1.0:
            break
        time.sleep(0.1)
    rss_end, rss_peak = rss_kib(tail.pid)
    cpu_end = cpu_seconds(tail.pid)
    stop_proc(tail)
    out.close()

    sent = st["sent"]
    got = {n: [] for n in names}
    other = bad = 0
    with open(out_path, "rb") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if obj.get("kind") == "event":
                ids = got.get(obj.get("feed"))
                if ids is None:
                    other += 1
                else:
                    ids.append(int(obj["id"]))
    printed = sum(len(v) for v in got.values())
    lost = dup = disorder = 0
    for n in names:
        ids = got[n]
        lost += len(set(range(1, sent[n] + 1)) - set(ids))
        dup += len(ids) - len(set(ids))
        disorder += sum(1 for a, b in zip(ids, ids[1:]) if b <= a)
    total_sent = sum(sent.values())
    wall = w1 - w0
    achieved = total_sent / st["elapsed"] if st["elapsed"] else 0
    cpu_pct = 100 * (cpu1 - cpu0) / wall
    every = lost == 0 and dup == 0 and printed == total_sent
    print()
    print(f"tail: {len(names)} feeds x {args.rate:g} ev/s = {len(names) * args.rate:,.0f} ev/s "
          f"target, {wall:.1f} s, NDJSON to a file")
    print(f"  server achieved           {achieved:,.0f} ev/s ({total_sent:,} events, "
          f"{st['skipped']:,} due while not connected)")
    print(f"  events printed            {printed:,} of {total_sent:,} sent; lost {lost:,}, "
          f"duplicated {dup:,}, out of order {disorder:,}; unparsable lines {bad}")
    print(f"  every event printed       {'yes' if every else 'NO'}")
    print(f"  tail CPU                  {cpu_pct:.1f} % of one core while sending "
          f"({cpu_end - cpu0:.2f} s in all)")
    print(f"  tail RSS                  {mib(rss_end)} at the end, peak {mib(rss_peak)}")
    return [
        ("tail", "server rate", f"{achieved:,.0f} ev/s", f"target {len(names) * args.rate:,.0f}", ""),
        ("tail", "printed / sent", f"{printed:,} / {total_sent:,}", "equal", verdict(every)),
        ("tail", "lost", f"{lost:,}", "0", verdict(lost == 0)),
        ("tail", "CPU", f"{cpu_pct:.1f} %", "", ""),
    ]


def stop_proc(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=3)


def wait_idle(pid: int, below_pct: float, timeout: float) -> bool:
    """Waits until a process used under `below_pct` % of a core over half a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c0, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(0.5)
        if 100 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0) < below_pct:
            return True
    return False


def mode_memory(args, run: Run) -> list[tuple]:
    names = [NAME.format(i) for i in range(args.feeds)]
    limit = args.events + 100
    srv = Server(names, "paced", 900, rate=args.fill_rate, limit=limit)
    run.add(srv.close)
    config = os.path.join(run.tmp, "feeds.toml")
    write_config(config, [(n, srv.url(n)) for n in names])
    check_config(args.bin, config)
    term = start_dashboard(run, args.bin, config)
    connected = srv.wait_connected(len(names), 30)
    time.sleep(3.0)
    wait_idle(term.proc.pid, 2.0, 10)
    base, _ = term.rss()
    print(f"  {connected}/{len(names)} feeds connected, none sent yet: RSS {mib(base)}; sending "
          f"{limit:,} per feed at {args.fill_rate:g}/s each", flush=True)
    srv.send("go")
    t0 = time.monotonic()
    deadline = t0 + limit / args.fill_rate * 3 + 60
    while time.monotonic() < deadline:
        alive(term)
        st = srv.stats()
        if all(v >= limit for v in st["sent"].values()):
            break
        time.sleep(0.5)
    fill_s = time.monotonic() - t0
    idle = wait_idle(term.proc.pid, 5.0, 30)
    time.sleep(1.0)
    rss, peak = term.rss()
    st = srv.stats()
    sent = st["sent"]
    walk = walk_counters(term, names)
    cmp_ = shown_vs_sent(walk, sent)
    seen = walk["seen"]
    # A pane keeps at most `buffer` (5,000 by default) events; read totals where possible.
    buffered = sum(min(seen[n][0] if n in seen else sent[n], args.events) for n in names)
    per_event = (rss - base) * 1024 / buffered if buffered else 0
    data_len = round(statistics.mean(
        len(quote(names[0], i, time.time()).split(b"data: ", 1)[1]) - 2 for i in range(1, limit + 1)
    ))
    total_sent = sum(sent.values())
    print()
    print(f"memory: {len(names)} feeds x {limit:,} events (~{data_len}-byte data), "
          f"sent in {fill_s:.1f} s ({total_sent / max(st['send_span'], 1e-9):,.0f} ev/s achieved, "
          f"target {len(names) * args.fill_rate:,.0f})")
    print(f"  dashboard idle afterwards {'yes' if idle else 'NO (still busy after 30 s)'}")
    print(f"  RSS baseline (empty)      {mib(base)}")
    print(f"  RSS with events buffered  {mib_mb(rss)} (peak {mib(peak)})")
    print(f"  events buffered           {buffered:,} (min(total, {args.events:,}) per pane; "
          f"{cmp_['readable']} panes read, shown {cmp_['shown']:,} of {total_sent:,} sent, "
          f"lost counters {cmp_['lost']:,})")
    print(f"  RSS per buffered event    {per_event:,.0f} bytes (goal: data {data_len} + 96 = "
          f"{data_len + 96})")
    return [
        ("memory", "RSS buffered", mib_mb(rss), "< 100 MB", verdict(rss * 1024 < 100e6)),
        ("memory", "RSS baseline", mib(base), "", ""),
        ("memory", "per buffered event", f"{per_event:,.0f} B", f"<= {data_len + 96} B",
         verdict(per_event <= data_len + 96)),
    ]


def mode_soak(args, run: Run) -> list[tuple]:
    feeds = args.feeds if args.feeds_given else 10
    rate = args.rate if args.rate_given else 1000.0
    names = [NAME.format(i) for i in range(feeds)]
    seconds = args.minutes * 60
    srv = Server(names, "paced", seconds + 300, rate=rate)
    run.add(srv.close)
    config = os.path.join(run.tmp, "feeds.toml")
    write_config(config, [(n, srv.url(n)) for n in names])
    check_config(args.bin, config)
    term = start_dashboard(run, args.bin, config)
    srv.wait_connected(len(names), 30)
    time.sleep(1.0)
    cpu0, t0 = term.cpu(), time.monotonic()
    srv.send("go")
    samples = []  # (seconds since start, VmRSS KiB)
    next_at = t0 + 10
    at_1min = None
    while True:
        now = time.monotonic()
        if now >= t0 + seconds:
            break
        alive(term)
        time.sleep(min(max(next_at - now, 0), t0 + seconds - now))
        t = time.monotonic() - t0
        rss = term.rss()[0]
        samples.append((t, rss))
        if at_1min is None and t >= 59.5:
            at_1min = rss
        print(f"  {t:6.0f} s  RSS {mib(rss)}", flush=True)
        next_at += 10
    cpu1, t1 = term.cpu(), time.monotonic()
    srv.send("pause")
    st = srv.stats()
    rss_end, peak = term.rss()
    total_sent = sum(st["sent"].values())
    achieved = total_sent / st["elapsed"] if st["elapsed"] else 0
    first = "1 min"
    if at_1min is None:  # a run shorter than a minute: compare with the first sample
        at_1min = samples[0][1] if samples else rss_end
        first = f"{samples[0][0]:.0f} s" if samples else "the end"
    growth = (rss_end - at_1min) / at_1min * 100 if at_1min else 0
    print()
    print(f"soak: {feeds} feeds x {rate:g} ev/s = {feeds * rate:,.0f} ev/s target, "
          f"{(t1 - t0) / 60:.1f} min")
    print(f"  server achieved           {achieved:,.0f} ev/s ({total_sent:,} events)")
    print(f"  dashboard CPU             {100 * (cpu1 - cpu0) / (t1 - t0):.1f} % of one core")
    print(f"  RSS at {first:<19}{mib(at_1min)}")
    print(f"  RSS at the end            {mib(rss_end)} ({growth:+.1f} %), peak {mib(peak)}")
    return [
        ("soak", "server rate", f"{achieved:,.0f} ev/s", f"target {feeds * rate:,.0f}", ""),
        ("soak", f"RSS {first} -> end", f"{mib(at_1min)} -> {mib(rss_end)} ({growth:+.1f} %)",
         "within 10 %", verdict(abs(growth) <= 10)),
    ]


def fairness_feeds(args, run: Run, tag: str):
    """A flood server, a server of 99 quiet feeds (an event every 500 ms each) and a config
    naming all 100, the flood first."""
    quiet = [f"quiet-{i:03d}" for i in range(1, 100)]
    flood_srv = Server(["flood-000"], "flood", args.seconds + 300)
    run.add(flood_srv.close)
    quiet_srv = Server(quiet, "paced", args.seconds + 300, rate=2.0)
    run.add(quiet_srv.close)
    config = os.path.join(run.tmp, f"fairness-{tag}.toml")
    write_config(config, [("flood-000", flood_srv.url("flood-000"))]
                 + [(n, quiet_srv.url(n)) for n in quiet])
    check_config(args.bin, config)
    return flood_srv, quiet_srv, config, quiet


def delays_summary(v: list[float]) -> str:
    if not v:
        return "n/a"
    return (f"p50 {statistics.median(v):.1f} ms, p99 {pct(v, 0.99):.1f} ms, "
            f"max {max(v):.1f} ms (n={len(v)})")


def mode_fairness(args, run: Run) -> list[tuple]:
    # The tail part's servers stay up, paused and without clients, until the end.
    return fairness_tail(args, run) + fairness_dashboard(args, run)


def fairness_tail(args, run: Run) -> list[tuple]:
    flood_srv, quiet_srv, config, quiet = fairness_feeds(args, run, "tail")
    tail = subprocess.Popen([args.bin, "tail", "--config", config, "--format", "ndjson"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=run.tmp,
                            start_new_session=True)
    run.add(lambda: stop_proc(tail))
    # The pipe is read in big chunks; a quiet event's line is timed when its chunk arrives.
    arrivals: list[tuple[float, bytes]] = []
    counts = {"lines": 0, "bytes": 0}
    marker = b'"kind":"event","feed":"quiet-'

    def reader():
        carry = b""
        fd = tail.stdout.fileno()
        while True:
            chunk = os.read(fd, 1 << 20)
            t = time.time()
            if not chunk:
                return
            counts["bytes"] += len(chunk)
            counts["lines"] += chunk.count(b"\n")
            buf = carry + chunk
            cut = buf.rfind(b"\n") + 1
            buf, carry = buf[:cut], buf[cut:]
            i = buf.find(marker)
            while i >= 0:
                s = buf.rfind(b"\n", 0, i) + 1
                e = buf.find(b"\n", i)
                arrivals.append((t, buf[s:e]))
                i = buf.find(marker, e)

    rt = threading.Thread(target=reader, daemon=True)
    rt.start()
    connected = flood_srv.wait_connected(1, 30) + quiet_srv.wait_connected(len(quiet), 30)
    print(f"  {connected}/100 feeds connected; flooding for {args.seconds:.0f} s", flush=True)
    time.sleep(0.5)
    cpu0, w0 = cpu_seconds(tail.pid), time.monotonic()
    flood_srv.send("go")
    time.sleep(1.0)  # the flood first, so every quiet event meets it
    quiet_srv.send("go")
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        alive(tail)
        time.sleep(min(0.5, max(end - time.monotonic(), 0)))
    cpu1, w1 = cpu_seconds(tail.pid), time.monotonic()
    quiet_srv.send("pause")
    flood_srv.send("pause")
    qs, fs = quiet_srv.stats(), flood_srv.stats()
    time.sleep(2.0)
    stop_proc(tail)
    rt.join(timeout=10)

    at_delay, read_delay = [], []
    for t, line in arrivals:
        try:
            obj = json.loads(line)
            ts = json.loads(obj["data"])["ts"]
        except (ValueError, KeyError):
            continue
        at_delay.append((parse_at(obj["at"]) - ts) * 1000)
        read_delay.append((t - ts) * 1000)
    quiet_sent = sum(qs["sent"].values())
    flood_rate = fs["sent"]["flood-000"] / fs["elapsed"] if fs["elapsed"] else 0
    wall = w1 - w0

    print()
    print(f"fairness, tail: 1 flood + 99 quiet feeds (an event every 500 ms each), {wall:.1f} s, tail "
          f"NDJSON through a pipe")
    print(f"  flood server achieved     {flood_rate:,.0f} ev/s (as fast as it can write); tail "
          f"printed {counts['lines']:,} lines ({counts['bytes'] / 1e6:,.0f} MB)")
    print(f"  quiet events              {len(at_delay):,} printed of {quiet_sent:,} sent "
          f"({quiet_sent / qs['elapsed'] if qs['elapsed'] else 0:,.0f} ev/s achieved, target 198)")
    print(f"  delay send -> `at`        {delays_summary(at_delay)}   (tail's receive stamp, ms "
          f"resolution)")
    print(f"  delay send -> printed     {delays_summary(read_delay)}   (read from tail's stdout)")
    print(f"  tail CPU                  {100 * (cpu1 - cpu0) / wall:.0f} % of one core")
    ok_at = bool(at_delay) and max(at_delay) < 50
    ok_read = bool(read_delay) and max(read_delay) < 50
    return [
        ("fairness", "tail: flood rate", f"{flood_rate:,.0f} ev/s", "", ""),
        ("fairness", "tail: quiet printed/sent", f"{len(at_delay):,} / {quiet_sent:,}", "equal",
         verdict(len(at_delay) == quiet_sent)),
        ("fairness", "tail: send->at max",
         f"{max(at_delay):.1f} ms (p99 {pct(at_delay, 0.99):.1f})" if at_delay else "n/a",
         "< 50 ms", verdict(ok_at)),
        ("fairness", "tail: send->printed max",
         f"{max(read_delay):.1f} ms (p99 {pct(read_delay, 0.99):.1f})" if read_delay else "n/a",
         "< 50 ms", verdict(ok_read)),
    ]


_NEWEST = re.compile(r'"seq":(\d+),.*?"ts":(\d+\.\d+)')


def newest_event(screen) -> tuple[int, float]:
    """(seq, ts) of the newest quiet event on screen, or (0, 0)."""
    best = (0, 0.0)
    for r in range(screen.rows):
        m = _NEWEST.search(screen.line(r))
        if m and int(m.group(1)) > best[0]:
            best = (int(m.group(1)), float(m.group(2)))
    return best


def focus_zoomed(term: Terminal, name: str, n: int) -> bool:
    """Zooms the dashboard on the pane `name` (`z`, then Tab until it is the one shown)."""
    term.settle(0.1, 2.0)
    if not read_panes(term.lines()):
        press(term, b"o")  # an overview: to the panes
    press(term, b"z")
    for _ in range(n + 2):
        if set(read_panes(term.lines())) == {name}:
            return True
        press(term, b"\t")
    return False


def fairness_dashboard(args, run: Run) -> list[tuple]:
    flood_srv, quiet_srv, config, quiet = fairness_feeds(args, run, "dashboard")
    term = start_dashboard(run, args.bin, config)
    connected = flood_srv.wait_connected(1, 30) + quiet_srv.wait_connected(len(quiet), 30)
    target = quiet[0]
    zoomed = focus_zoomed(term, target, len(quiet) + 1)
    print(f"  {connected}/100 feeds connected; the dashboard "
          f"{'is zoomed on ' + target if zoomed else 'could NOT be zoomed on ' + target}; "
          f"flooding for {args.seconds:.0f} s", flush=True)
    offset = time.time() - time.monotonic()
    cpu0, w0 = term.cpu(), time.monotonic()
    flood_srv.send("go")
    time.sleep(1.0)
    quiet_srv.send("go")
    delays, last, misses = [], 0, 0
    end = time.monotonic() + args.seconds
    while zoomed and time.monotonic() < end:
        alive(term)
        wait = max(min(2.0, end - time.monotonic()), 0.01)
        _, t_seen, _ = term.wait_for(lambda sc, last=last: newest_event(sc)[0] > last, wait)
        if t_seen is None:
            continue
        with term.cond:
            seq, ts = newest_event(term.screen)
        if last and seq > last + 1:
            misses += seq - last - 1  # shown in the same frame as the next: not timed
        delays.append((t_seen + offset - ts) * 1000)
        last = seq
    cpu1, w1 = term.cpu(), time.monotonic()
    flood_srv.send("pause")
    quiet_srv.send("pause")
    qs, fs = quiet_srv.stats(), flood_srv.stats()
    title = term.title().strip()
    term.close()
    flood_rate = fs["sent"]["flood-000"] / fs["elapsed"] if fs["elapsed"] else 0
    print()
    print(f"fairness, dashboard: the same feeds, zoomed on {target}, {w1 - w0:.1f} s")
    print(f"  flood server achieved     {flood_rate:,.0f} ev/s")
    print(f"  {target} events timed   {len(delays)} of {qs['sent'][target]} sent ({misses} "
          f"first shown together with a later one)")
    print(f"  delay send -> on screen   {delays_summary(delays)}")
    print(f"  dashboard CPU             {100 * (cpu1 - cpu0) / (w1 - w0):.0f} % of one core")
    print(f"  title bar at the end      {title}")
    return [
        ("fairness", "dashboard: flood rate", f"{flood_rate:,.0f} ev/s", "", ""),
        ("fairness", "dashboard: send->shown max",
         f"{max(delays):.1f} ms (p99 {pct(delays, 0.99):.1f})" if delays else "n/a",
         "< 50 ms", verdict(bool(delays) and max(delays) < 50)),
    ]


MODES = {
    "dashboard": mode_dashboard,
    "tail": mode_tail,
    "memory": mode_memory,
    "soak": mode_soak,
    "fairness": mode_fairness,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Modes are described at the top of this file.")
    ap.add_argument("mode", nargs="?", default="dashboard", choices=[*MODES, "all"],
                    help="what to measure (`all`: every mode but soak)")
    ap.add_argument("--bin", default="target/release/ssedash")
    ap.add_argument("--seconds", type=float, default=30.0, help="run length (dashboard, tail, "
                    "fairness)")
    ap.add_argument("--feeds", type=int, default=None, help="feeds (100; soak: 10)")
    ap.add_argument("--rate", type=float, default=None, help="events/s per feed (100; soak: 1000)")
    ap.add_argument("--events", type=int, default=5000, help="memory: events each pane buffers")
    ap.add_argument("--fill-rate", type=float, default=250.0,
                    help="memory: events/s per feed while filling")
    ap.add_argument("--minutes", type=float, default=10.0, help="soak: run length")
    args = ap.parse_args()
    args.feeds_given, args.rate_given = args.feeds is not None, args.rate is not None
    args.feeds = args.feeds if args.feeds is not None else 100
    args.rate = args.rate if args.rate is not None else 100.0
    args.bin = os.path.abspath(args.bin)
    if not os.access(args.bin, os.X_OK):
        print(f"not an executable: {args.bin} (cargo build --release?)", file=sys.stderr)
        return 2
    modes = [m for m in MODES if m != "soak"] if args.mode == "all" else [args.mode]

    limit = 600 + (args.minutes * 60 if "soak" in modes else 0) + len(modes) * (args.seconds + 120)
    runs: list[Run] = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)  # SIGINT too: a shell's background job ignores it

    def watchdog():
        time.sleep(limit)
        for r in runs:
            r.close()
        print(f"watchdog: gave up after {limit:.0f} s", file=sys.stderr)
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    print(f"ssedash at scale: {args.bin}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    rows: list[tuple] = []
    t_all = time.monotonic()
    status = 0
    for m in modes:
        print(f"\n== {m}", flush=True)
        run = Run()
        runs.append(run)
        try:
            rows += MODES[m](args, run)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            run.close()
            return 130
        except Exception as e:  # one mode failing does not hide the others' figures
            print(f"{m}: ERROR: {e!r}", file=sys.stderr)
            rows.append((m, "error", (str(e) or repr(e)).splitlines()[0][:60], "", "FAIL"))
            status = 1
        finally:
            run.close()

    print()
    print(f"Summary ({time.monotonic() - t_all:.0f} s, load average {os.getloadavg()[0]:.1f})")
    widths = [max(len(str(r[i])) for r in rows + [("mode", "measure", "value", "goal", "")])
              for i in range(5)]
    for r in [("mode", "measure", "value", "goal", "")] + rows:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    if any(r[4] == "FAIL" for r in rows):
        status = status or 1
    return status


if __name__ == "__main__":
    sys.exit(main())
