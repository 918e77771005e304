#!/usr/bin/env python3
"""The dashboard's RSS with full buffers: 100 feeds x 5,000 buffered events of 95 bytes.

Python 3.11, standard library only (cargo ignores .py files in benches/).

    python3 benches/buffered_rss.py [--bin target/release/ssedash] [--feeds 100]
                                    [--events 6000] [--rate 500] [--buffer 5000] [--minute]

One asyncio server on 127.0.0.1 (ephemeral port) serves --feeds SSE feeds; each sends --events
quote events of exactly 95 data bytes with 8-digit ids at --rate events/s (more than the
default buffer of 5,000, so every ring is full and has evicted), then only a `: keep-alive` comment every 15 s. The
dashboard runs on all the feeds (ad-hoc URLs) in a pseudo-terminal of 160x48, its output
drained. Once the server has written every event and VmRSS has not changed for 3 s, the script
prints VmRSS, the same with no events (the dashboard on the same feeds before any event is
sent), and the difference per buffered event. With --minute it also prints VmRSS one minute in:
`--feeds 10 --rate 1000 --events 600000 --minute` is a 10-minute flood of 10,000 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

DATA_BYTES = 95


def quote(i: int) -> bytes:
    head = (
        f'{{"symbol":"ACME","price":{100 + i % 900}.{i % 100:02},"size":{i % 1000},'
        f'"ts":"2026-11-30T03:{i // 60000 % 60:02}:{i // 1000 % 60:02}.{i % 1000:03}Z","x":'
    )
    data = head + "1" * (DATA_BYTES - 1 - len(head)) + "}"
    assert len(data) == DATA_BYTES
    return data.encode()


class Server:
    def __init__(self, events: int, rate: int) -> None:
        self.events = events
        self.rate = rate
        self.go = asyncio.Event()  # set when the feeds may start sending
        self.finished = 0  # feeds that wrote all their events
        self.connected = 0
        self.tasks: set[asyncio.Task] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.tasks.add(asyncio.current_task())
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                b"cache-control: no-cache\r\n\r\n"
            )
            await writer.drain()
            self.connected += 1
            await self.go.wait()
            # A batch every 10 ms, at --rate events/s.
            batch = max(1, self.rate // 100)
            start = time.monotonic()
            for first in range(0, self.events, batch):
                due = start + first / self.rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                writer.write(
                    b"".join(
                        b"event: quote\nid: %08d\ndata: %s\n\n" % (i, quote(i))
                        for i in range(first, min(first + batch, self.events))
                    )
                )
                await writer.drain()
            self.finished += 1
            while True:
                await asyncio.sleep(15)
                writer.write(b": keep-alive\n\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Shutting down: end quietly (a cancelled handler is logged as an error).
            pass
        finally:
            writer.close()


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def wait_stable(pid: int, deadline: float, ready=lambda: True) -> int:
    """VmRSS once `ready()` and unchanged for 3 s (sampled every 0.25 s)."""
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_kb = rss_kb(pid)
        if now_kb != last or not ready():
            last, since = now_kb, time.monotonic()
        elif time.monotonic() - since >= 3:
            return now_kb
        time.sleep(0.25)
    raise TimeoutError("RSS did not settle")


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/ssedash")
    ap.add_argument("--feeds", type=int, default=100)
    ap.add_argument("--events", type=int, default=6000)
    ap.add_argument("--rate", type=int, default=500, help="events/s per feed")
    ap.add_argument(
        "--minute", action="store_true",
        help="also print VmRSS one minute after the events start (a long run stays flat)",
    )
    ap.add_argument("--buffer", type=int, default=5000, help="the dashboard's default buffer")
    args = ap.parse_args()

    srv = Server(args.events, args.rate)
    server = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    urls = [f"http://127.0.0.1:{port}/feed{k:03}" for k in range(args.feeds)]

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    proc = subprocess.Popen(
        [args.bin, *urls], stdin=slave, stdout=slave, stderr=slave, env=env,
        start_new_session=True,
    )
    os.close(slave)
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return

    threading.Thread(target=drain, daemon=True).start()
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + 300 + args.events / args.rate
    try:
        while srv.connected < args.feeds:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"only {srv.connected} of {args.feeds} feeds connected")
            await asyncio.sleep(0.1)
        empty = await loop.run_in_executor(None, wait_stable, proc.pid, deadline)
        t0 = time.monotonic()
        srv.go.set()
        if args.minute:
            def minute() -> None:
                time.sleep(60)
                if srv.finished < args.feeds:
                    print(f"RSS after 1 minute   {rss_kb(proc.pid) / 1024:7.1f} MiB", flush=True)

            threading.Thread(target=minute, daemon=True).start()
        full = await loop.run_in_executor(
            None, wait_stable, proc.pid, deadline, lambda: srv.finished == args.feeds
        )
        buffered = args.feeds * min(args.events, args.buffer)
        per_event = (full - empty) * 1024 / buffered
        print(f"feeds {args.feeds}, events sent {args.feeds * args.events}, buffered {buffered}")
        print(f"sent in {time.monotonic() - t0 - 3:.1f} s (RSS settled 3 s later)")
        print(f"RSS with no events    {empty / 1024:7.1f} MiB")
        print(f"RSS with full buffers {full / 1024:7.1f} MiB")
        print(f"per buffered event    {per_event:7.1f} B ({DATA_BYTES} B of data)")
        return 0
    finally:
        stop.set()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            proc.kill()
        os.close(master)
        server.close()
        for task in srv.tasks:
            task.cancel()
        await asyncio.gather(*srv.tasks, return_exceptions=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
