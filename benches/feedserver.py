#!/usr/bin/env python3
"""Loopback SSE feeds for the benchmark scripts: one asyncio server in its own process.

Python 3.11, standard library only. Started by benches/many_feeds.py through `Server`, as
`python3 feedserver.py SPEC` (SPEC is JSON: names, kind, rate, limit, lifetime). It binds
127.0.0.1 on an ephemeral port, prints {"port": P}, then reads commands on stdin, one a line:
`go` (start sending), `pause` (stop sending; connections stay open, so a client's totals
freeze), `stats` (print one JSON line: events sent per feed, connections, the achieved span),
`quit`. It ends by itself after `lifetime` seconds or when stdin closes.

Kinds:
- `paced`: every feed gets `rate` events/s, evenly: event k of the whole schedule goes to
  feed k mod N, so the feeds' events are staggered, not bursts. `limit` > 0 stops a feed
  after that many events. Each event is a ~95-byte JSON quote with an id and its send time
  `ts` (epoch seconds).
- `flood`: one block of 1,000 such events, built once, written as fast as the socket takes
  it (ids 1-1000 repeat).

A separate process, so the harness's own work (parsing the screen) never delays the pacing.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

class Feed:
    def __init__(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind
        self.writer: asyncio.StreamWriter | None = None
        self.conns = 0
        self.sent = 0  # events written, over all connections
        self.skipped = 0  # events due while not connected (not sent, not counted)
        self.bytes = 0


def quote(name: str, seq: int, ts: float) -> bytes:
    sym = "Q" + name[-3:]
    data = (
        f'{{"symbol":"{sym}","seq":{seq},"ex":"XN","bid":{100 + seq % 50}.{seq % 100:02d},'
        f'"ask":{100 + seq % 50}.{(seq + 2) % 100:02d},"size":{100 * (1 + seq % 9)},'
        f'"ts":{ts:.6f}}}'
    )
    return f"id: {seq}\nevent: quote\ndata: {data}\n\n".encode()


def serve(spec: dict) -> None:
    asyncio.run(_serve(spec))


async def _serve(spec: dict) -> None:
    loop = asyncio.get_running_loop()
    feeds = {name: Feed(name, spec["kind"]) for name in spec["names"]}
    order = list(feeds.values())
    rate = float(spec.get("rate", 0))  # per feed, paced feeds
    limit = int(spec.get("limit", 0))  # per feed; 0: no limit
    deadline = time.monotonic() + float(spec["lifetime"])
    go, stop = asyncio.Event(), asyncio.Event()
    info = {"t_go": None, "t_pause": None, "t_last": None, "max_lag_ms": 0.0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            path = head.split(b" ", 2)[1].decode("latin-1")
            feed = feeds.get(path.rsplit("/", 1)[-1])
            if feed is None:
                writer.write(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                return
            writer.write(
                b"HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Cache-Control: no-cache\r\n\r\n"
            )
            feed.writer = writer
            feed.conns += 1
            if feed.kind == "flood":
                await flood(feed, writer)
            while await reader.read(4096):  # until the client closes
                pass
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, IndexError):
            pass
        finally:
            for f in order:
                if f.writer is writer:
                    f.writer = None
            writer.close()

    async def flood(feed: Feed, writer: asyncio.StreamWriter) -> None:
        # One block of 1,000 events built once and written over and over (ids 1-1000 repeat),
        # so the flood is as fast as a socket write, not as fast as Python formats events.
        block = b"".join(quote(feed.name, i, time.time()) for i in range(1, 1001))
        await go.wait()
        info["t_go"] = info["t_go"] or time.monotonic()
        while not stop.is_set() and time.monotonic() < deadline:
            writer.write(block)
            feed.sent += 1000
            feed.bytes += len(block)
            await writer.drain()
            await asyncio.sleep(0)  # drain() does not yield while the client keeps up

    async def pacer() -> None:
        await go.wait()
        n = len(order)
        total = rate * n
        t0 = info["t_go"] = time.monotonic()
        k = 0
        while not stop.is_set():
            now = time.monotonic()
            if now >= deadline:
                break
            due = int((now - t0) * total) - k
            if due > 0:
                info["max_lag_ms"] = max(info["max_lag_ms"], 1000 * (due - 1) / total)
                ts = time.time()
                for _ in range(due):
                    f = order[k % n]
                    k += 1
                    if limit and f.sent >= limit:
                        continue
                    w = f.writer
                    if w is None or w.is_closing():
                        f.skipped += 1
                        continue
                    f.sent += 1
                    ev = quote(f.name, f.sent, ts)
                    f.bytes += len(ev)
                    w.write(ev)
                info["t_last"] = time.monotonic()
                if limit and all(f.sent >= limit for f in order):
                    break
            await asyncio.sleep(0.001)

    def stats() -> dict:
        buffered = 0
        for f in order:
            if f.writer is not None and f.writer.transport is not None:
                buffered += f.writer.transport.get_write_buffer_size()
        t_go, t_end = info["t_go"], info["t_pause"] or time.monotonic()
        return {
            "sent": {f.name: f.sent for f in order},
            "skipped": sum(f.skipped for f in order),
            "conns": {f.name: f.conns for f in order},
            "connected": sum(1 for f in order if f.writer is not None),
            "bytes": sum(f.bytes for f in order),
            "unsent_buffer_bytes": buffered,
            "elapsed": (t_end - t_go) if t_go else 0.0,
            "send_span": (info["t_last"] - t_go) if t_go and info["t_last"] else 0.0,
            "max_lag_ms": info["max_lag_ms"],
        }

    def command(line: str) -> None:
        cmd = line.strip()
        if cmd == "go" and not go.is_set():
            go.set()
        elif cmd == "pause":
            info["t_pause"] = time.monotonic()
            stop.set()
        elif cmd == "stats":
            print(json.dumps(stats()), flush=True)
        elif cmd in ("quit", ""):
            stop.set()
            done.set()

    done = asyncio.Event()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(command, line)
        loop.call_soon_threadsafe(command, "")  # EOF: the harness is gone

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    threading.Thread(target=read_stdin, daemon=True).start()
    pacing = loop.create_task(pacer()) if spec["kind"] == "paced" else None
    try:
        await asyncio.wait_for(done.wait(), max(deadline - time.monotonic(), 1))
    except asyncio.TimeoutError:
        pass
    if pacing:
        pacing.cancel()
    server.close()


class Server:
    """The harness's handle on a server process."""

    def __init__(self, names: list[str], kind: str, lifetime: float, rate: float = 0,
                 limit: int = 0) -> None:
        spec = {"names": names, "kind": kind, "rate": rate, "limit": limit,
                "lifetime": lifetime}
        self.names = names
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), json.dumps(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            start_new_session=True,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.port = self._line(10)["port"]

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _line(self, timeout: float) -> dict:
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise RuntimeError("the server process ended")
        return json.loads(line)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{name}"

    def send(self, cmd: str) -> None:
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def stats(self) -> dict:
        self.send("stats")
        return self._line(10)

    def wait_connected(self, n: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while True:
            c = self.stats()["connected"]
            if c >= n or time.monotonic() >= deadline:
                return c
            time.sleep(0.1)

    def cpu(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=3)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=3)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the harness stops us, through stdin
    serve(json.loads(sys.argv[1]))
