"""A pseudo-terminal for driving ssedash from the benchmark scripts.

Python 3.11, standard library only. Shared by benches/dashboard.py and benches/many_feeds.py:

- `Screen`: just enough of a terminal to read what ratatui draws (text only, colours ignored);
- `Terminal`: runs a command in a pty of a given size, drains and interprets its output on a
  thread, and times key presses to the frame that shows their effect;
- `cpu_seconds`, `rss_kib`: what /proc says about a process.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import threading
import time
import unicodedata

CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- screen model

_TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"  # CSI: params, final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[()#][0-9A-Za-z]"  # charset designation
    r"|\x1bP[^\x1b]*\x1b\\"  # DCS
    r"|\x1b[^\[\]()#P]"  # two-byte escapes (ESC 7, ESC 8, ESC =, ...)
    r"|([\x00-\x1a\x1c-\x1f\x7f])"  # C0 controls
    r"|([^\x00-\x1f\x1b\x7f]+)"  # text
)
_ASCII = re.compile(r"[ -~]*\Z")


class Screen:
    """Just enough of a terminal to read what ratatui draws: CUP/CUU/CUD/CUF/CUB/CHA/VPA,
    ED, EL, CR/LF/BS and printable text (wide characters take two cells)."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.r = self.c = 0
        self.carry = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        # Text runs written since capture_start(), joined, last characters only.
        self.capturing = False
        self.capture_tail = ""
        self.capture_hit = False

    def capture_start(self) -> None:
        self.capturing, self.capture_tail, self.capture_hit = True, "", False

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.grid)

    def line(self, r: int) -> str:
        return "".join(self.grid[r])

    def feed(self, data: bytes) -> None:
        s = self.carry + self.decoder.decode(data)
        self.carry = ""
        # Keep an escape sequence cut by the chunk boundary for the next chunk: a whole one
        # always matches a token; a cut one (ESC, `ESC [ 1 2 ;`, an OSC without its end)
        # matches none.
        esc = s.rfind("\x1b")
        if esc >= 0 and len(s) - esc < 256 and _TOKEN.match(s, esc) is None:
            s, self.carry = s[:esc], s[esc:]
        for m in _TOKEN.finditer(s):
            text = m.group(4)
            if text is not None:
                self._put(text)
                continue
            final = m.group(2)
            if final is not None:
                self._csi(m.group(1), final)
                continue
            ctl = m.group(3)
            if ctl == "\r":
                self.c = 0
            elif ctl == "\n":
                self.r = min(self.r + 1, self.rows - 1)
            elif ctl == "\b":
                self.c = max(self.c - 1, 0)

    def _csi(self, params: str, final: str) -> None:
        if params.startswith(("?", ">", "<", "=")):
            return  # private modes: alternate screen, cursor visibility, sync updates, ...
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def n(i: int, default: int) -> int:
            return nums[i] if len(nums) > i and nums[i] > 0 else default

        if final in "Hf":
            self.r = min(n(0, 1), self.rows) - 1
            self.c = min(n(1, 1), self.cols) - 1
        elif final == "A":
            self.r = max(self.r - n(0, 1), 0)
        elif final == "B":
            self.r = min(self.r + n(0, 1), self.rows - 1)
        elif final == "C":
            self.c = min(self.c + n(0, 1), self.cols - 1)
        elif final == "D":
            self.c = max(self.c - n(0, 1), 0)
        elif final == "G":
            self.c = min(n(0, 1), self.cols) - 1
        elif final == "d":
            self.r = min(n(0, 1), self.rows) - 1
        elif final == "J":
            mode = n(0, 0) if nums else 0
            if mode in (2, 3):
                for row in self.grid:
                    row[:] = [" "] * self.cols
            elif mode == 0:
                self.grid[self.r][self.c :] = [" "] * (self.cols - self.c)
                for row in self.grid[self.r + 1 :]:
                    row[:] = [" "] * self.cols
            elif mode == 1:
                for row in self.grid[: self.r]:
                    row[:] = [" "] * self.cols
                self.grid[self.r][: self.c + 1] = [" "] * (self.c + 1)
        elif final == "K":
            mode = nums[0] if nums else 0
            row = self.grid[self.r]
            if mode == 0:
                row[self.c :] = [" "] * (self.cols - self.c)
            elif mode == 1:
                row[: self.c + 1] = [" "] * (self.c + 1)
            else:
                row[:] = [" "] * self.cols
        # 'm' (colours) and everything else: no effect on the text.

    def _put(self, text: str) -> None:
        if self.capturing:
            joined = self.capture_tail + text
            if "this help" in joined:
                self.capture_hit = True
            self.capture_tail = joined[-16:]
        if _ASCII.match(text):
            while text:
                if self.c >= self.cols:
                    self.c = 0
                    self.r = min(self.r + 1, self.rows - 1)
                room = self.cols - self.c
                part, text = text[:room], text[room:]
                self.grid[self.r][self.c : self.c + len(part)] = list(part)
                self.c += len(part)
            return
        for ch in text:
            wide = unicodedata.east_asian_width(ch) in ("W", "F")
            if unicodedata.combining(ch):
                continue
            if self.c + (2 if wide else 1) > self.cols:
                self.c = 0
                self.r = min(self.r + 1, self.rows - 1)
            self.grid[self.r][self.c] = ch
            self.c += 1
            if wide:
                self.grid[self.r][self.c] = ""
                self.c += 1


# --------------------------------------------------------------------------- /proc


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After "pid (comm)": state is fields[0], utime is field 14 overall -> index 11 here.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in KiB: the resident set now and its peak so far."""
    now = peak = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    return now, peak


# --------------------------------------------------------------------------- the terminal


class Terminal:
    """A command in a pseudo-terminal, with a thread draining and interpreting its output."""

    def __init__(self, argv: list[str], rows: int, cols: int, cwd: str = "/") -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        env.pop("SSEDASH_CONFIG", None)
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,  # "/" by default: no ./feeds.toml to pick up
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.screen = Screen(rows, cols)
        self.cond = threading.Condition()
        self.bytes = 0
        self.chunks = 0
        self.last_output = time.monotonic()
        self.stop = threading.Event()
        self.eof = False
        # A waiter: [predicate on the screen, event, [time it first held], time of `this help`].
        self.waiter = None
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while not self.stop.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    continue
                data = os.read(self.master, 1 << 16)
            except OSError:
                data = b""
            t = time.monotonic()
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.bytes += len(data)
                self.chunks += 1
                self.last_output = t
                self.screen.feed(data)
                w = self.waiter
                if w is not None and not w[2] and w[0](self.screen):
                    w[2].append(t)
                    w[1].set()
                if w is not None and w[3] is None and self.screen.capture_hit:
                    w[3] = t

    def counters(self) -> tuple[int, int]:
        with self.cond:
            return self.bytes, self.chunks

    def text(self) -> str:
        with self.cond:
            return self.screen.text()

    def lines(self) -> list[str]:
        with self.cond:
            return [self.screen.line(r) for r in range(self.screen.rows)]

    def title(self) -> str:
        with self.cond:
            return self.screen.line(0)

    def write(self, key: bytes) -> None:
        os.write(self.master, key)

    def wait_for(self, predicate, timeout: float, key: bytes | None = None, capture=False):
        """Optionally write `key`, then wait until `predicate(screen)` holds on the screen
        rebuilt from the output. Returns (start, time it held or None, time the stripped
        text runs since `start` first contained `this help`, or None)."""
        ev = threading.Event()
        with self.cond:
            if capture:
                self.screen.capture_start()
            w = [predicate, ev, [], None]
            if key is None and predicate(self.screen):
                return time.monotonic(), time.monotonic(), None
            self.waiter = w
            t0 = time.monotonic()
            if key is not None:
                os.write(self.master, key)
        ev.wait(timeout)
        with self.cond:
            self.waiter = None
            self.screen.capturing = False
        return t0, (w[2][0] if w[2] else None), w[3]

    def settle(self, quiet: float, timeout: float) -> bool:
        """Waits until nothing was written for `quiet` seconds (at most `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            with self.cond:
                since = now - self.last_output
            if since >= quiet:
                return True
            if now >= deadline:
                return False
            time.sleep(min(quiet - since, deadline - now, 0.05) + 0.001)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def rss(self) -> tuple[int, int]:
        return rss_kib(self.proc.pid)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.write(self.master, b"q")
                self.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=2)
        self.stop.set()
        self.reader.join(timeout=1)
        try:
            os.close(self.master)
        except OSError:
            pass


def help_shown(screen: Screen) -> bool:
    t = screen.text()
    return "this help" in t and " Keys " in t


def help_gone(screen: Screen) -> bool:
    return "this help" not in screen.text()


def wait_until(term: Terminal, predicate, timeout: float) -> bool:
    """Polls `predicate(screen)` until it holds; raises if the program exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if term.proc.poll() is not None:
            raise RuntimeError(f"{term.proc.args[0]} exited early with status {term.proc.returncode}")
        with term.cond:
            if predicate(term.screen):
                return True
        time.sleep(0.05)
    return False
