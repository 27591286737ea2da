"""Plan a flowchart as plain data on a grid, before anything is drawn.

The grid has one row per step (plus connector rows at page breaks) and one
column per lane. A position is `(x, y)` in grid units: `x = lane + f` and
`y = row + f`, where `f` is the fraction across that lane or down that row
(0.5 is the centre). Row heights in points are only known to ReportLab, so
the drawing step maps fractions onto the laid-out table; this module needs
no ReportLab and is tested on its own.

Routing rules, chosen so that arrows never run through a symbol or along a
table rule:
- a symbol sits at the centre of its cell; every row holds one step symbol,
  so a horizontal segment through a step's own row crosses nothing;
- forward to the next free cell below: straight down, or across then down;
- blocked paths and loops run on a *track* near the edge of a lane (never
  through a lane centre, where symbols are) and enter the target by a side;
- a decision's two branches always leave by different sides, so the "Ya"
  and "Tidak" labels never share a side;
- a flow to a later page ends in an off-page connector at the bottom of the
  page and resumes from one with the same letter at the top of the target's
  page; a loop to an earlier page gets connectors beside source and target.
"""

from dataclasses import dataclass, field
from itertools import accumulate

NEAR, FAR = 0.08, 0.92  # track positions inside a lane, away from the centre
BELOW = 0.86  # fraction down a row where "below the symbol" bends run
ABOVE = 0.12  # ... and where bends above the symbol run
YES, NO = "Ya", "Tidak"


@dataclass(frozen=True)
class StepSpec:
    number: int
    lane: int
    kind: str  # start | process | decision | end
    successors: tuple[int, ...] = ()  # process/start/end: where the flow goes
    if_yes: int | None = None
    if_no: int | None = None


@dataclass(frozen=True)
class Row:
    kind: str  # step | in (connectors at page top) | out (at page bottom)
    page: int
    step: int | None = None


@dataclass
class Symbol:
    kind: str  # terminator | process | decision | connector
    row: int
    lane: int
    slot: float = 0.5
    step: int | None = None
    letter: str | None = None
    start: bool = False  # a terminator reading "Mulai" rather than "Selesai"

    @property
    def x(self) -> float:
        return self.lane + self.slot

    @property
    def y(self) -> float:
        return self.row + 0.5


@dataclass(frozen=True)
class Arrow:
    page: int
    points: tuple[tuple[float, float], ...]  # first/last: symbol centres
    source: int  # index into Plan.symbols
    exit_side: str  # bottom | left | right
    target: int
    entry_side: str  # top | left | right
    label: str | None = None


@dataclass
class Plan:
    lane_count: int
    rows: list[Row]
    pages: list[tuple[int, int]]  # [start, end) row indexes of each page
    symbols: list[Symbol]
    arrows: list[Arrow] = field(default_factory=list)

    def step_symbol(self, number: int) -> Symbol:
        return next(s for s in self.symbols if s.step == number)

    def connectors(self) -> list[Symbol]:
        return [s for s in self.symbols if s.kind == "connector"]


def paginate(
    heights: list[float], avail: float, conn_h: float
) -> list[tuple[int, int]]:
    """Split step rows into pages of `avail` points, keeping room for connectors.

    Every page but the first reserves a connector row at the top, every page
    but the last one at the bottom. A row taller than a page gets a page alone.
    """
    suffix = list(accumulate(reversed(heights)))[::-1] + [0.0]
    pages, i, n = [], 0, len(heights)
    while i < n:
        cap = avail - (conn_h if pages else 0.0)
        if suffix[i] <= cap:
            pages.append((i, n))
            break
        used, j = 0.0, i
        while j < n and used + heights[j] <= cap - conn_h:
            used += heights[j]
            j += 1
        j = max(j, i + 1)
        pages.append((i, j))
        i = j
    return pages or [(0, 0)]


def _letters():
    n = 0
    while True:
        n += 1
        label, k = "", n
        while k:
            k, r = divmod(k - 1, 26)
            label = chr(65 + r) + label
        yield label


_SYMBOL = {"start": "terminator", "end": "terminator", "decision": "decision"}


def plan_flowchart(
    steps: list[StepSpec],
    lane_count: int,
    step_pages: list[tuple[int, int]] | None = None,
) -> Plan:
    """Place symbols, connectors and arrows; `step_pages` from `paginate`."""
    steps = sorted(steps, key=lambda s: s.number)
    step_pages = step_pages or [(0, len(steps))]
    page_of = {}
    for p, (a, b) in enumerate(step_pages):
        for s in steps[a:b]:
            page_of[s.number] = p
    by_number = {s.number: s for s in steps}
    links = []  # (source step, target step, label)
    for s in steps:
        if s.kind == "decision":
            pairs = [(s.if_yes, YES), (s.if_no, NO)]
        else:
            pairs = [(t, None) for t in s.successors]
        links += [(s, by_number[t], lab) for t, lab in pairs if t in by_number]
    forward_cross = [
        (s, t) for s, t, _ in links if page_of[t.number] > page_of[s.number]
    ]
    need_out = {page_of[s.number] for s, _ in forward_cross}
    need_in = {page_of[t.number] for _, t in forward_cross}

    rows, pages, step_row = [], [], {}
    for p, (a, b) in enumerate(step_pages):
        start = len(rows)
        if p in need_in:
            rows.append(Row("in", p))
        for s in steps[a:b]:
            step_row[s.number] = len(rows)
            rows.append(Row("step", p, s.number))
        if p in need_out:
            rows.append(Row("out", p))
        pages.append((start, len(rows)))
    symbols = [
        Symbol(
            _SYMBOL.get(s.kind, "process"),
            step_row[s.number],
            s.lane,
            step=s.number,
            start=s.kind == "start",
        )
        for s in steps
    ]
    return _Router(lane_count, rows, pages, symbols, page_of).route(links)


class _Router:
    def __init__(self, lane_count, rows, pages, symbols, page_of):
        self.plan = Plan(lane_count, rows, pages, symbols)
        self.page_of = page_of
        self.index = {s.step: i for i, s in enumerate(symbols)}
        self.occupied = {(s.row, s.lane) for s in symbols}
        self.letters = _letters()
        self.shared: dict[tuple, int] = {}  # connector reuse: one per place
        self.exits: dict[int, set[str]] = {}  # sides arrows leave each symbol by

    def route(self, links) -> Plan:
        pending = []  # (source symbol, target symbol, label, exit side)
        deferred = []  # loops to an earlier page: placed once sides are known
        taken: dict[int, set[str]] = {}
        for s, t, label in links:
            src = self.index[s.number]
            if self.page_of[t.number] < self.page_of[s.number]:
                deferred.append((s.number, t.number, label))
            else:
                pending += self._link(
                    s.number, t.number, label, taken.setdefault(src, set())
                )
        used: dict[int, set[str]] = {i: set(v) for i, v in taken.items()}
        for src, dst, _, side in pending:
            points, entry = self._path(self._sym(src), self._sym(dst), side)
            used.setdefault(src, set()).add(_exit_of(points))
            self.exits.setdefault(src, set()).add(_exit_of(points))
            used.setdefault(dst, set()).add(entry)
        for a, b, label in deferred:
            loops = self._loop_back(a, b, label, used)
            for src, _, _, side in loops:
                self.exits.setdefault(src, set()).add(side)
            pending += loops
        self._spread_slots()
        for src, dst, label, side in pending:
            self._arrow(src, dst, label, side)
        return self.plan

    def _loop_back(self, a: int, b: int, label, used) -> list:
        """Connectors beside source and target, on sides their arrows leave free."""
        src, dst = self.index[a], self.index[b]
        s, d = self._sym(src), self._sym(dst)
        out = []
        key_in = ("back", b)
        if key_in not in self.shared:
            d_side = self._free_side(dst, used)
            lane, slot = self._beside(d, d_side)
            c_in = self._connector(key_in, d.row, lane, slot, next(self.letters))
            out.append((c_in, dst, None, "left" if d_side == "right" else "right"))
        letter = self._sym(self.shared[key_in]).letter
        side = self._free_side(src, used)
        lane, slot = self._beside(s, side)
        c_out = self._connector(("back-out", a, b), s.row, lane, slot, letter)
        return [(src, c_out, label, side)] + out

    def _free_side(self, index: int, used) -> str:
        s = self._sym(index)
        order = (
            ["right", "left"]
            if s.lane + 1 < self.plan.lane_count
            else ["left", "right"]
        )
        if s.lane == 0:
            order = ["right", "left"]
        taken = used.setdefault(index, set())
        side = next((o for o in order if o not in taken), order[0])
        taken.add(side)
        return side

    def _sym(self, i: int) -> Symbol:
        return self.plan.symbols[i]

    def _connector(self, key, row, lane, slot, letter) -> int:
        if key not in self.shared:
            self.plan.symbols.append(
                Symbol("connector", row, lane, slot, letter=letter)
            )
            self.shared[key] = len(self.plan.symbols) - 1
            self.occupied.add((row, lane))
        return self.shared[key]

    def _link(self, a: int, b: int, label, taken: set[str]) -> list:
        src, dst = self.index[a], self.index[b]
        pa, pb = self.page_of[a], self.page_of[b]
        s, d = self._sym(src), self._sym(dst)
        if pa == pb:
            side = self._pick(s, d, taken)
            return [(src, dst, label, side)]
        # a later page: out row of this page, in row of the target's
        out_row = self.plan.pages[pa][1] - 1
        in_row = self.plan.pages[pb][0]
        key_in = ("in", b)
        letter = (
            self._sym(self.shared[key_in]).letter
            if key_in in self.shared
            else next(self.letters)
        )
        c_in = self._connector(key_in, in_row, d.lane, 0.5, letter)
        c_out = self._connector(("out", pa, b), out_row, d.lane, 0.5, letter)
        side = self._pick(s, self._sym(c_out), taken)
        return [(src, c_out, label, side), (c_in, dst, None, "bottom")]

    def _beside(self, s: Symbol, side: str) -> tuple[int, float]:
        step = 1 if side == "right" else -1
        if 0 <= s.lane + step < self.plan.lane_count:
            return s.lane + step, 0.5
        return s.lane, 0.9 if side == "right" else 0.1  # single lane: inside it

    def _blocked(self, lane: int, r1: int, r2: int) -> bool:
        lo, hi = sorted((r1, r2))
        return any((r, lane) in self.occupied for r in range(lo + 1, hi))

    def _natural(self, s: Symbol, d: Symbol) -> str:
        if (
            d.row > s.row
            and d.lane == s.lane
            and not self._blocked(s.lane, s.row, d.row)
        ):
            return "bottom"
        if d.lane != s.lane:
            return "right" if d.lane > s.lane else "left"
        return "right"

    def _pick(self, s: Symbol, d: Symbol, taken: set[str]) -> str:
        side = self._natural(s, d)
        if side in taken:
            options = ["right", "left"] + (["bottom"] if d.row > s.row else [])
            side = next((o for o in options if o not in taken), side)
        taken.add(side)
        return side

    def _spread_slots(self) -> None:
        """Connectors sharing a cell stand side by side instead of on top."""
        cells: dict[tuple[int, int], list[Symbol]] = {}
        for sym in self.plan.symbols:
            if sym.kind == "connector" and self.plan.rows[sym.row].kind != "step":
                cells.setdefault((sym.row, sym.lane), []).append(sym)
        for group in cells.values():
            for i, sym in enumerate(group):
                sym.slot = (i + 1) / (len(group) + 1)

    def _arrow(self, src: int, dst: int, label, side: str) -> None:
        s, d = self._sym(src), self._sym(dst)
        points, entry = self._path(s, d, side, self.exits.get(dst, set()))
        page = self.plan.rows[s.row].page
        self.plan.arrows.append(
            Arrow(page, _simplify(points), src, side, dst, entry, label)
        )

    def _path(self, s: Symbol, d: Symbol, side: str, avoid=frozenset()):
        """Grid points from s to d leaving by `side`; never enters by a side in
        `avoid` (where an arrow already leaves d), coming in from above instead.
        """
        sx, sy, dx, dy = s.x, s.y, d.x, d.y
        forward = d.row > s.row
        if side == "bottom" and forward and not self._blocked(d.lane, s.row, d.row):
            if sx == dx:
                return [(sx, sy), (dx, dy)], "top"
            bend = s.row + BELOW
            return [(sx, sy), (sx, bend), (dx, bend), (dx, dy)], "top"
        if side == "bottom":
            side = "right"
        toward = 1 if side == "right" else -1
        ahead = (dx - sx) * toward > 0
        if ahead and d.row == s.row:
            return [(sx, sy), (dx, dy)], "left" if side == "right" else "right"
        if forward and ahead and not self._blocked(d.lane, s.row, d.row):
            return [(sx, sy), (dx, sy), (dx, dy)], "top"
        if ahead:
            track = d.lane + (NEAR if side == "right" else FAR)
            entry = "left" if side == "right" else "right"
        else:
            track = s.lane + (FAR if side == "right" else NEAR)
            entry = "right" if side == "right" else "left"
        if entry in avoid:
            top = d.row + ABOVE
            return [(sx, sy), (track, sy), (track, top), (dx, top), (dx, dy)], "top"
        return [(sx, sy), (track, sy), (track, dy), (dx, dy)], entry


def _exit_of(points) -> str:
    (x0, _), (x1, _) = points[0], points[1]
    return "right" if x1 > x0 else "left" if x1 < x0 else "bottom"


def _simplify(points) -> tuple[tuple[float, float], ...]:
    """Drop repeated and collinear middle points, keeping the ends."""
    out: list[tuple[float, float]] = []
    for p in points:
        if out and p == out[-1]:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (x0 == x1 == p[0]) or (y0 == y1 == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return tuple(out)
