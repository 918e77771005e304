#!/usr/bin/env python3
"""Make the README screenshots of ssedash from the running binary.

Two sub-commands:

  shoot   run `ssedash --demo` in a detached tmux session (160x44), drive it with
          `tmux send-keys`, grab each screen with `tmux capture-pane -e -p` (ANSI colours
          included) and render it to assets/screenshots/*.png
  render  render one saved ANSI capture (a `tmux capture-pane -e -p` dump) to a PNG

The renderer understands SGR sequences (16/256/truecolour foreground and background, bold,
dim, italic, underline, reverse, hidden, crossed-out), wide characters, and draws box-drawing,
block-element and braille characters itself (like modern terminals do), so borders join up
without gaps whatever the font's line height. Other characters come from DejaVu Sans Mono
(fallback: DejaVu Sans), with the cell size taken from the font metrics (9x18 px at size 15).

Needs Python 3.11, Pillow and fontTools (pip install pillow fonttools), tmux, and the DejaVu
fonts (apt-get install -y fonts-dejavu-core).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------------------------
# Palettes
# --------------------------------------------------------------------------------------------

Color = tuple[int, int, int]


def hexc(s: str) -> Color:
    s = s.lstrip("#")
    return (int(s[0:2], 16), int(s[2:4], 16), int(s[4:6], 16))


@dataclass(frozen=True)
class Scheme:
    """The terminal the picture pretends to be: default colours and the 16 ANSI colours."""

    bg: Color
    fg: Color
    ansi16: tuple[Color, ...]


# Tokyo Night (the dark theme of ssedash uses its colours).
DARK = Scheme(
    bg=hexc("#1a1b26"),
    fg=hexc("#c0caf5"),
    ansi16=tuple(
        hexc(c)
        for c in (
            "#15161e", "#f7768e", "#9ece6a", "#e0af68", "#7aa2f7", "#bb9af7", "#7dcfff", "#a9b1d6",
            "#414868", "#f7768e", "#9ece6a", "#e0af68", "#7aa2f7", "#bb9af7", "#7dcfff", "#c0caf5",
        )
    ),
)

# Tokyo Night Day-ish, for the light theme.
LIGHT = Scheme(
    bg=hexc("#f5f5f5"),
    fg=hexc("#343b58"),
    ansi16=tuple(
        hexc(c)
        for c in (
            "#e9e9ed", "#b0233f", "#33635c", "#8f5e15", "#2959aa", "#7847bd", "#166775", "#6172b0",
            "#a1a6c5", "#b0233f", "#33635c", "#8f5e15", "#2959aa", "#7847bd", "#166775", "#343b58",
        )
    ),
)


def xterm256(n: int, scheme: Scheme) -> Color:
    if n < 16:
        return scheme.ansi16[n]
    if n < 232:
        n -= 16
        steps = (0, 95, 135, 175, 215, 255)
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + 10 * (n - 232)
    return (v, v, v)


# --------------------------------------------------------------------------------------------
# ANSI parsing
# --------------------------------------------------------------------------------------------


@dataclass
class Style:
    fg: Color | None = None  # None: the terminal's default
    bg: Color | None = None
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    reverse: bool = False
    hidden: bool = False
    strike: bool = False

    def copy(self) -> "Style":
        return Style(**self.__dict__)


@dataclass
class Cell:
    ch: str = " "
    style: Style = field(default_factory=Style)
    width: int = 1  # 2 for the first cell of a wide character, 0 for its second cell


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


CSI = re.compile(r"\x1b\[([0-9;:?<=>]*)([ -/]*)([@-~])")
OSC = re.compile(r"\x1b\].*?(?:\x07|\x1b\\)", re.S)


def apply_sgr(params: str, st: Style, scheme: Scheme) -> Style:
    # Colon sub-parameters (38:2::r:g:b) are turned into the semicolon form.
    if ":" in params:
        params = re.sub(r"([34]8):2::?", r"\1;2;", params).replace(":", ";")
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            st = Style()
        elif c == 1:
            st.bold = True
        elif c == 2:
            st.dim = True
        elif c == 3:
            st.italic = True
        elif c in (4, 21):
            st.underline = True
        elif c == 7:
            st.reverse = True
        elif c == 8:
            st.hidden = True
        elif c == 9:
            st.strike = True
        elif c == 22:
            st.bold = st.dim = False
        elif c == 23:
            st.italic = False
        elif c == 24:
            st.underline = False
        elif c == 27:
            st.reverse = False
        elif c == 28:
            st.hidden = False
        elif c == 29:
            st.strike = False
        elif 30 <= c <= 37:
            st.fg = scheme.ansi16[c - 30]
        elif 90 <= c <= 97:
            st.fg = scheme.ansi16[c - 90 + 8]
        elif 40 <= c <= 47:
            st.bg = scheme.ansi16[c - 40]
        elif 100 <= c <= 107:
            st.bg = scheme.ansi16[c - 100 + 8]
        elif c == 39:
            st.fg = None
        elif c == 49:
            st.bg = None
        elif c in (38, 48, 58):
            color = None
            if i + 1 < len(codes) and codes[i + 1] == 5 and i + 2 < len(codes):
                color = xterm256(codes[i + 2], scheme)
                i += 2
            elif i + 1 < len(codes) and codes[i + 1] == 2 and i + 4 < len(codes):
                color = tuple(max(0, min(255, v)) for v in codes[i + 2 : i + 5])
                i += 4
            if c == 38:
                st.fg = color
            elif c == 48:
                st.bg = color
        # anything else (blink, fonts, overline, ...) is ignored
        i += 1
    return st


def parse_ansi(text: str, cols: int, rows: int | None, scheme: Scheme) -> list[list[Cell]]:
    """A `tmux capture-pane -e -p` dump to a grid of cells.

    tmux carries the current style from one line to the next (it only emits changes), so
    the whole dump is parsed as one stream, with each newline starting a new row.
    """
    text = OSC.sub("", text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if rows is None:
        rows = len(lines)
    grid = [[Cell() for _ in range(cols)] for _ in range(rows)]
    st = Style()
    for y, line in enumerate(lines[:rows]):
        x = 0
        pos = 0
        for m in CSI.finditer(line + "\x1b[Z"):  # sentinel to flush the tail
            chunk = line[pos : m.start()] if m.start() <= len(line) else line[pos:]
            for ch in chunk:
                if ch in "\r\x1b" or (ord(ch) < 32):
                    continue
                w = char_width(ch)
                if w == 0:
                    # combining mark: attach to the previous cell
                    if x > 0:
                        prev = grid[y][x - 1]
                        if prev.width == 0 and x > 1:
                            prev = grid[y][x - 2]
                        prev.ch += ch
                    continue
                if x + w > cols:
                    break
                grid[y][x] = Cell(ch, st.copy(), w)
                if w == 2:
                    grid[y][x + 1] = Cell("", st.copy(), 0)
                x += w
            pos = m.end()
            if m.group(3) == "m" and not m.group(2) and m.start() < len(line):
                st = apply_sgr(m.group(1), st, scheme)
        # cells after the end of the line keep the default style (tmux trims those)
    return grid


# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def find_font(name: str) -> Path | None:
    for d in FONT_DIRS:
        if (d / name).exists():
            return d / name
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", name.rsplit(".", 1)[0]],
                             capture_output=True, text=True).stdout
        if out and Path(out).name == name:
            return Path(out)
    except FileNotFoundError:
        pass
    return None


class Fonts:
    """DejaVu Sans Mono (regular, bold, oblique) plus DejaVu Sans as fallback."""

    def __init__(self, size: int):
        from fontTools.ttLib import TTFont

        names = {
            (False, False): ["DejaVuSansMono.ttf", "DejaVuSans.ttf"],
            (True, False): ["DejaVuSansMono-Bold.ttf", "DejaVuSans-Bold.ttf"],
            (False, True): ["DejaVuSansMono-Oblique.ttf", "DejaVuSans-Oblique.ttf"],
            (True, True): ["DejaVuSansMono-BoldOblique.ttf", "DejaVuSans-BoldOblique.ttf"],
        }
        self.chains: dict[tuple[bool, bool], list[tuple[ImageFont.FreeTypeFont, set[int]]]] = {}
        cmaps: dict[Path, set[int]] = {}
        for key, files in names.items():
            chain = []
            for f in files:
                p = find_font(f)
                if p is None:
                    continue
                if p not in cmaps:
                    cmaps[p] = set(TTFont(str(p), lazy=True).getBestCmap())
                chain.append((ImageFont.truetype(str(p), size), cmaps[p]))
            if not chain:
                if key == (False, False):
                    sys.exit("DejaVu Sans Mono not found: apt-get install -y fonts-dejavu-core")
                chain = self.chains[(False, False)]
            self.chains[key] = chain
        base = self.chains[(False, False)][0][0]
        self.cell_w = round(base.getlength("M"))
        ascent, descent = base.getmetrics()
        self.ascent = ascent
        self.cell_h = ascent + descent
        self.missing: set[str] = set()

    def pick(self, ch: str, bold: bool, italic: bool) -> tuple[ImageFont.FreeTypeFont, bool]:
        """The font for `ch` and whether it is the primary (monospace) one."""
        chain = self.chains[(bold, italic)]
        cp = ord(ch[0])
        for i, (font, cmap) in enumerate(chain):
            if cp in cmap:
                return font, i == 0
        self.missing.add(ch)
        return chain[0][0], True


# --------------------------------------------------------------------------------------------
# Box drawing, block elements and braille, drawn as shapes
# --------------------------------------------------------------------------------------------

SS = 4  # supersampling of the shape masks

WEIGHTS = {"LIGHT": 1, "SINGLE": 1, "HEAVY": 2, "DOUBLE": 3}
DIRS = {"UP": "u", "DOWN": "d", "LEFT": "l", "RIGHT": "r", "HORIZONTAL": "lr", "VERTICAL": "ud"}


@lru_cache(maxsize=None)
def box_arms(ch: str) -> tuple[dict[str, int], bool] | None:
    """Arms of a box-drawing character from its Unicode name: ({dir: weight}, rounded)."""
    if not 0x2500 <= ord(ch) <= 0x257F:
        return None
    name = unicodedata.name(ch, "")
    if not name.startswith("BOX DRAWINGS ") or "DASH" in name or "DIAGONAL" in name:
        return None
    words = name[len("BOX DRAWINGS "):].split()
    arms: dict[str, int] = {}
    pending: list[str] = []
    prefix: int | None = None
    first_weight: int | None = None
    prev = "AND"
    rounded = False
    for w in words:
        if w == "ARC":
            rounded = True
            continue
        if w in WEIGHTS:
            weight = WEIGHTS[w]
            first_weight = first_weight or weight
            if prev == "AND" or not pending:
                prefix = weight
            else:
                for d in pending:
                    arms[d] = weight
                pending = []
        elif w in DIRS:
            for d in DIRS[w]:
                if prefix is not None:
                    arms[d] = prefix
                else:
                    pending.append(d)
        elif w == "AND":
            prefix = None
        else:
            return None
        prev = w
    for d in pending:
        if first_weight is None:
            return None
        arms[d] = first_weight
    if not arms or (3 in arms.values() and set(arms.values()) != {3}):
        return None  # single/double mixes: left to the font
    return arms, rounded


class Shapes:
    def __init__(self, cw: int, ch: int):
        self.cw, self.ch = cw, ch
        self.light = max(1, round(ch / 18))
        self.heavy = self.light * 2

    @lru_cache(maxsize=None)
    def mask(self, c: str) -> Image.Image | None:
        """An 'L' mask of the cell size for `c`, or None when the font should draw it."""
        W, H = self.cw * SS, self.ch * SS
        img = Image.new("L", (W, H), 0)
        d = ImageDraw.Draw(img)
        cp = ord(c)
        box = box_arms(c)
        if box is not None:
            self._box(d, *box)
        elif 0x2580 <= cp <= 0x259F:
            if not self._block(d, img, cp):
                return None
        elif 0x2800 <= cp <= 0x28FF:
            self._braille(d, cp - 0x2800)
        else:
            return None
        return img.resize((self.cw, self.ch), Image.Resampling.BOX)

    def _box(self, d: ImageDraw.ImageDraw, arms: dict[str, int], rounded: bool) -> None:
        cw, ch = self.cw, self.ch
        th = {1: self.light, 2: self.heavy}
        mx, my = cw // 2, ch // 2  # pixel column/row of the centre lines
        lo = lambda m, t: m - (t - 1) // 2  # first pixel of a line of thickness t at m

        def rect(x0, y0, x1, y1, fill=255):  # pixel coordinates, end exclusive
            d.rectangle([x0 * SS, y0 * SS, x1 * SS - 1, y1 * SS - 1], fill=fill)

        if set(arms.values()) == {3}:
            # double lines: a band of 2g+1 px per arm, then its inside carved out
            g = self.light + 1
            for a in arms:
                self._arm(rect, a, mx - g, my - g, 2 * g + 1, 2 * g + 1)
            for a in arms:
                self._arm(lambda *r: rect(*r, fill=0), a, mx - g + 1, my - g + 1, 2 * g - 1, 2 * g - 1)
            return

        ext = max(th[w] for w in arms.values())
        if rounded:
            t = th[max(arms.values())]
            horiz = "l" if "l" in arms else "r"
            vert = "u" if "u" in arms else "d"
            xc, yc = lo(mx, t) + t / 2, lo(my, t) + t / 2  # centre of the lines (px)
            r = min(xc, cw - xc, yc, ch - yc)  # radius: the arc ends on the cell edge
            ccx = xc + (-r if horiz == "l" else r)  # centre of the circle
            ccy = yc + (-r if vert == "u" else r)
            R, T = r * SS, t * SS
            bbox = [ccx * SS - R - T / 2, ccy * SS - R - T / 2,
                    ccx * SS + R + T / 2, ccy * SS + R + T / 2]
            start = {("r", "d"): 180, ("l", "d"): 270, ("l", "u"): 0, ("r", "u"): 90}[(horiz, vert)]
            d.arc(bbox, start, start + 90, fill=255, width=T)
            # the straight bit of the vertical arm, from the arc to the cell edge
            if vert == "d":
                rect(lo(mx, t), int(yc + r), lo(mx, t) + t, ch)
            else:
                rect(lo(mx, t), 0, lo(mx, t) + t, int(round(yc - r)) + 1)
            return

        for a, w in arms.items():
            t = th[w]
            if a == "l":
                rect(0, lo(my, t), lo(mx, ext) + ext, lo(my, t) + t)
            elif a == "r":
                rect(lo(mx, ext), lo(my, t), cw, lo(my, t) + t)
            elif a == "u":
                rect(lo(mx, t), 0, lo(mx, t) + t, lo(my, ext) + ext)
            elif a == "d":
                rect(lo(mx, t), lo(my, ext), lo(mx, t) + t, ch)

    def _arm(self, rect, a: str, x0: int, y0: int, tw: int, th: int) -> None:
        """A line of thickness tw (vertical) / th (horizontal) from the centre square
        [x0, x0+tw) x [y0, y0+th) to the cell edge in direction `a`."""
        cw, ch = self.cw, self.ch
        if a == "l":
            rect(0, y0, x0 + tw, y0 + th)
        elif a == "r":
            rect(x0, y0, cw, y0 + th)
        elif a == "u":
            rect(x0, 0, x0 + tw, y0 + th)
        elif a == "d":
            rect(x0, y0, x0 + tw, ch)

    def _block(self, d: ImageDraw.ImageDraw, img: Image.Image, cp: int) -> bool:
        cw, ch = self.cw, self.ch

        def rect(x0, y0, x1, y1, fill=255):  # fractions of the cell
            X0, X1 = round(x0 * cw) * SS, round(x1 * cw) * SS
            Y0, Y1 = round(y0 * ch) * SS, round(y1 * ch) * SS
            if X1 > X0 and Y1 > Y0:
                d.rectangle([X0, Y0, X1 - 1, Y1 - 1], fill=fill)

        if cp == 0x2580:
            rect(0, 0, 1, 0.5)
        elif 0x2581 <= cp <= 0x2588:  # lower 1/8 .. full
            rect(0, 1 - (cp - 0x2580) / 8, 1, 1)
        elif 0x2589 <= cp <= 0x258F:  # left 7/8 .. 1/8
            rect(0, 0, (0x2590 - cp) / 8, 1)
        elif cp == 0x2590:
            rect(0.5, 0, 1, 1)
        elif 0x2591 <= cp <= 0x2593:  # shades
            rect(0, 0, 1, 1, fill=(64, 128, 192)[cp - 0x2591])
        elif cp == 0x2594:
            rect(0, 0, 1, 1 / 8)
        elif cp == 0x2595:
            rect(7 / 8, 0, 1, 1)
        elif 0x2596 <= cp <= 0x259F:
            # quadrants: bits UL, UR, LL, LR
            quads = {
                0x2596: "..x.", 0x2597: "...x", 0x2598: "x...", 0x2599: "x.xx",
                0x259A: "x..x", 0x259B: "xxx.", 0x259C: "xx.x", 0x259D: ".x..",
                0x259E: ".xx.", 0x259F: ".xxx",
            }[cp]
            for q, (x0, y0) in zip(quads, ((0, 0), (0.5, 0), (0, 0.5), (0.5, 0.5))):
                if q == "x":
                    rect(x0, y0, x0 + 0.5, y0 + 0.5)
        else:
            return False
        return True

    def _braille(self, d: ImageDraw.ImageDraw, bits: int) -> None:
        W, H = self.cw * SS, self.ch * SS
        dots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
        r = max(1.0, self.cw / 9 * 1.2) * SS
        for i, (col, row) in enumerate(dots):
            if bits & (1 << i):
                cx = W * (0.3 + 0.4 * col)
                cy = H * (0.14 + 0.24 * row)
                d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def blend(a: Color, b: Color, t: float) -> Color:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def render(grid: list[list[Cell]], scheme: Scheme, fonts: Fonts, pad: int = 12) -> Image.Image:
    cw, chh = fonts.cell_w, fonts.cell_h
    rows, cols = len(grid), len(grid[0]) if grid else 0
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * chh + 2 * pad), scheme.bg)
    draw = ImageDraw.Draw(img)
    shapes = Shapes(cw, chh)

    def colors(st: Style) -> tuple[Color, Color]:
        fg = st.fg if st.fg is not None else scheme.fg
        bg = st.bg if st.bg is not None else scheme.bg
        if st.reverse:
            fg, bg = bg, fg
        if st.dim:
            fg = blend(bg, fg, 0.6)
        return fg, bg

    # backgrounds first, so glyphs overhanging a cell are not cut by the next background
    for y, row in enumerate(grid):
        for x, cell in enumerate(row):
            if cell.width == 0:
                continue
            _, bg = colors(cell.style)
            if bg != scheme.bg:
                x0, y0 = pad + x * cw, pad + y * chh
                draw.rectangle([x0, y0, x0 + cw * cell.width - 1, y0 + chh - 1], fill=bg)

    for y, row in enumerate(grid):
        for x, cell in enumerate(row):
            if cell.width == 0:
                continue
            st = cell.style
            fg, bg = colors(st)
            x0, y0 = pad + x * cw, pad + y * chh
            w = cw * cell.width
            if not st.hidden and cell.ch not in (" ", ""):
                m = shapes.mask(cell.ch) if len(cell.ch) == 1 else None
                if m is not None:
                    img.paste(fg, (x0, y0), m)
                else:
                    font, primary = fonts.pick(cell.ch, st.bold, st.italic)
                    if primary:
                        draw.text((x0, y0 + fonts.ascent), cell.ch, font=font, fill=fg, anchor="ls")
                    else:
                        # proportional fallback: centre it in its cell(s), shrink if too wide
                        gw = font.getlength(cell.ch)
                        if gw > w:
                            font = font.font_variant(size=max(6, int(font.size * w / gw)))
                            gw = font.getlength(cell.ch)
                        draw.text((x0 + (w - gw) / 2, y0 + fonts.ascent), cell.ch, font=font,
                                  fill=fg, anchor="ls")
            if st.underline:
                uy = y0 + fonts.ascent + 2
                draw.line([x0, uy, x0 + w - 1, uy], fill=fg, width=1)
            if st.strike:
                sy = y0 + round(chh * 0.55)
                draw.line([x0, sy, x0 + w - 1, sy], fill=fg, width=1)
    return img


def save_png(img: Image.Image, out: Path) -> None:
    """PNG, palettised when that loses nothing visible (text has few distinct colours)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    colors = img.getcolors(maxcolors=256)
    if colors is not None:
        img = img.convert("P", palette=Image.Palette.ADAPTIVE, colors=len(colors))
    else:
        img = img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(out, optimize=True)


def render_file(ans: Path, out: Path, light: bool, cols: int, rows: int | None, size: int) -> None:
    scheme = LIGHT if light else DARK
    fonts = Fonts(size)
    text = ans.read_text(encoding="utf-8", errors="replace")
    grid = parse_ansi(text, cols, rows, scheme)
    img = render(grid, scheme, fonts)
    save_png(img, out)
    if fonts.missing:
        print(f"{out.name}: no glyph for {' '.join(sorted(fonts.missing))}", file=sys.stderr)
    print(f"{out}  {img.width}x{img.height}  {out.stat().st_size // 1024} KiB")


# --------------------------------------------------------------------------------------------
# Driving the dashboard in tmux
# --------------------------------------------------------------------------------------------


class Tmux:
    """A private tmux server (its own socket), so no other tmux session is touched."""

    def __init__(self, socket: str, session: str):
        self.socket, self.session = socket, session

    def run(self, *args: str, check: bool = True) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=check,
                              capture_output=True, text=True).stdout

    def start(self, cmd: str, cols: int, rows: int) -> None:
        self.run("kill-session", "-t", self.session, check=False)
        self.run("new-session", "-d", "-s", self.session, "-x", str(cols), "-y", str(rows), cmd)

    def keys(self, *keys: str, literal: bool = False, pause: float = 0.3) -> None:
        for k in keys:
            self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), k)
            time.sleep(pause)

    def capture(self) -> str:
        return self.run("capture-pane", "-e", "-p", "-t", self.session)

    def plain(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def kill(self) -> None:
        self.run("kill-server", check=False)


def wait_for(tmux: Tmux, pred, timeout: float, step: float = 0.5) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred(tmux.plain()):
            return True
        time.sleep(step)
    return False


def pane_text(screen: str, title: str) -> list[str]:
    """The rows of the pane whose border title contains `title` (rough: by columns)."""
    lines = screen.split("\n")
    for y, line in enumerate(lines):
        i = line.find(title)
        if i < 0:
            continue
        # the pane's left border is the last corner before the title
        left = max(line.rfind(c, 0, i) for c in "┏╭┌")
        right = min([j for j in (line.find(c, i) for c in "┓╮┐") if j >= 0] or [len(line)])
        out = []
        for row in lines[y + 1:]:
            seg = row[left + 1:right]
            if not row[left:left + 1] or row[left] in "┗╰└":
                break
            out.append(seg.rstrip())
        return out
    return []


def shoot(args: argparse.Namespace) -> None:
    out = Path(args.out)
    keep = Path(args.keep_ans) if args.keep_ans else Path(tempfile.mkdtemp(prefix="ssedash-shots-"))
    keep.mkdir(parents=True, exist_ok=True)
    binary = Path(args.binary).resolve()
    if not binary.exists():
        sys.exit(f"{binary}: not found (cp target/release/ssedash {binary})")
    cfg = Path(tempfile.mkdtemp(prefix="ssedash-shots-cfg-"))  # no user themes/config
    cmd = (f"cd {cfg} && env -u NO_COLOR XDG_CONFIG_HOME={cfg} COLORTERM=truecolor "
           f"{binary} --demo")
    tmux = Tmux(args.socket, "shots")
    shots: list[tuple[str, bool]] = []

    def snap(name: str, light: bool = False) -> None:
        (keep / f"{name}.ans").write_text(tmux.capture(), encoding="utf-8")
        shots.append((name, light))
        print(f"captured {name}", file=sys.stderr)

    try:
        tmux.start(cmd, args.cols, args.rows)
        # 1. the grid after ~12 s: ticker, news and deploys streaming, hello closed
        wait_for(tmux, lambda s: "closed" in s and "hello" in s, 20)
        time.sleep(max(0.0, args.settle - 10.5))
        snap("dashboard")

        # 2. a regex filter on the deploys pane. The demo's first deploy has no WARN/ERROR
        #    line (its first WARN comes ~30 s in), so wait for a few of them to show.
        tmux.keys("3", "/")
        tmux.keys("WARN|ERROR|deploy", literal=True)
        tmux.keys("Enter")
        hits = lambda s: [r for r in pane_text(s, "deploys")[3:] if r.strip()]
        levels = lambda s: [r for r in hits(s) if re.search(r"\b(WARN|ERROR)\b", r)]
        if not wait_for(tmux, lambda s: len(levels(s)) >= 3, args.filter_wait):
            print("fewer than 3 WARN/ERROR lines so far", file=sys.stderr)
        if not hits(tmux.plain()):
            print("no WARN/ERROR/deploy matches yet; filtering on `deploy`", file=sys.stderr)
            tmux.keys("/", "C-u")
            tmux.keys("deploy", literal=True)
            tmux.keys("Enter")
            wait_for(tmux, lambda s: len(hits(s)) >= 1, 30)
        time.sleep(1.0)
        snap("filter")

        # 3. the detail view of a ticker event
        tmux.keys("1", "k", "k", "k", "Enter", pause=0.4)
        time.sleep(1.0)
        snap("detail")

        # 4. help
        tmux.keys("Escape", pause=0.6)
        tmux.keys("?", pause=0.6)
        time.sleep(0.5)
        snap("help")

        # 5. the ticker's board, zoomed
        tmux.keys("Escape", pause=0.6)
        tmux.keys("Escape", pause=0.6)  # no board row selected
        tmux.keys("1", "z", pause=0.6)
        time.sleep(1.0)
        snap("board")
        tmux.keys("z", pause=0.6)

        # 6. the assistant's transcript, zoomed, once a few answers are in
        tmux.keys("5", "z", pause=0.6)
        wait_for(tmux, lambda s: s.count("first token") >= 3, 30)
        time.sleep(0.5)
        snap("transcript")
        tmux.keys("z", "1", pause=0.6)

        # 7. the light theme (rendered on a light terminal background)
        tmux.keys("T", pause=0.6)
        time.sleep(0.6)
        snap("light", light=True)

        tmux.keys("q", pause=0.8)
    finally:
        tmux.kill()
        shutil.rmtree(cfg, ignore_errors=True)

    for name, light in shots:
        render_file(keep / f"{name}.ans", out / f"{name}.png", light, args.cols, args.rows, args.size)
    print(f"ANSI captures kept in {keep}", file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("shoot", help="run the demo in tmux and make all screenshots")
    s.add_argument("--binary", default="/tmp/ssedash-shot", help="the ssedash binary to run")
    s.add_argument("--out", default=str(HERE / "screenshots"), help="output directory")
    s.add_argument("--keep-ans", help="directory for the raw ANSI captures (default: a temp dir)")
    s.add_argument("--socket", default="ssedash-shots", help="tmux socket name (tmux -L)")
    s.add_argument("--settle", type=float, default=12.0, help="seconds before the first shot")
    s.add_argument("--filter-wait", type=float, default=75.0,
                   help="longest wait for WARN/ERROR lines in the filtered deploys pane")
    r = sub.add_parser("render", help="render one `tmux capture-pane -e -p` dump to PNG")
    r.add_argument("ans")
    r.add_argument("png")
    r.add_argument("--light", action="store_true", help="light terminal (#f5f5f5 / #343b58)")
    for q in (s, r):
        q.add_argument("--cols", type=int, default=160)
        q.add_argument("--rows", type=int, default=44)
        q.add_argument("--size", type=int, default=15, help="font size (15: 9x18 px cells)")
    args = p.parse_args()
    if args.cmd == "shoot":
        shoot(args)
    else:
        render_file(Path(args.ans), Path(args.png), args.light, args.cols, args.rows, args.size)


if __name__ == "__main__":
    main()
