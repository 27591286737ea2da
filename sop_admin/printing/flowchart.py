"""Draw the flowchart table of an SOP version from its plan.

One `Table` holds the whole flowchart (two header rows repeated on every
page, one row per step, lane cells left empty). Row heights are measured
here from the wrapped text, pages are planned by `flowplan`, and the table
is made to split exactly where the plan says. After ReportLab has laid out
each page's slice, `_Painter` draws the symbols and arrows over it from that
slice's row and column positions, so shapes follow the real row heights.
The merged "Pelaksana" / "Mutu Baku" headers are drawn by the painter too:
SPAN cells would make every page split rescan the whole table.
"""

from reportlab.lib import colors
from reportlab.platypus import PageBreak, Table, TableStyle

from . import symbols
from .flowplan import Plan, StepSpec, paginate, plan_flowchart
from .fonts import FONT, FONT_BOLD, text_width
from .text import fit_para, para, style

MIN_ROW = 50.0  # a diamond with its Ya/Tidak labels fits in this height
CONN_ROW = 24.0  # band holding off-page connectors at a page's top or bottom
HEAD_TOP = 14.0  # first header row: No, Kegiatan, Pelaksana, Mutu Baku, ...
PAD = 3.0
LANE_PAD = 1.5  # lane names get the most of a narrow column
BODY = style(7)
SMALL = style(6.5)
HEAD = style(7, bold=True, center=True)


class _RowTag(str):
    """The (empty) No-column value of a body row, remembering its plan row."""

    plan_row: int


def _tag(text: str, index: int) -> _RowTag:
    tag = _RowTag(text)
    tag.plan_row = index
    return tag


def steps_of(version) -> tuple[list[StepSpec], list[str]]:
    """Plain step data and lane names of a SopVersion, for `plan_flowchart`."""
    lanes = list(version.lanes)
    lane_index = {lane.id: i for i, lane in enumerate(lanes)}
    specs = []
    for s in version.steps:
        kind = s.kind.value if hasattr(s.kind, "value") else str(s.kind)
        specs.append(
            StepSpec(
                number=s.number,
                lane=lane_index.get(
                    s.lane_id, lane_index.get(getattr(s.lane, "id", 0), 0)
                ),
                kind=kind,
                successors=tuple(s.successors) if kind != "decision" else (),
                if_yes=s.if_yes,
                if_no=s.if_no,
            )
        )
    return specs, [lane.name for lane in lanes]


def column_widths(total: float, lane_count: int) -> list[float]:
    """No | Kegiatan | lanes... | Kelengkapan | Waktu | Output | Keterangan.

    Past six lanes the Mutu Baku columns give up a quarter of their width so
    that lane names stay readable (12 lanes on A4: about 33 pt each).
    """
    many = lane_count > 6
    scale = 0.75 if many else 1.0
    fixed = [22.0] + [f * scale * total for f in (0.11, 0.07, 0.10, 0.08)]
    lane_area = min((0.50 if many else 0.42) * total, 110.0 * lane_count)
    activity = total - sum(fixed) - lane_area
    lane_w = lane_area / max(lane_count, 1)
    return [fixed[0], activity] + [lane_w] * lane_count + fixed[1:]


def lane_font_size(names: list[str], lane_w: float) -> float:
    """Largest size (4-8 pt) at which the longest word of every lane fits."""
    words = [w for n in names for w in n.split()] or [""]
    longest = max(text_width(w, 1.0, bold=True) for w in words)
    room = lane_w - 2 * LANE_PAD
    return max(4.0, min(8.0, room / longest if longest else 8.0))


def flowchart_table(version, width: float, height: float) -> Table:
    """The flowchart as one splittable Table for a frame of width x height."""
    specs, lane_names = steps_of(version)
    # "Masyarakat/Pelapor" may wrap after the slash, as the paper forms do.
    lane_names = [n.replace("/", "/ ").replace("/  ", "/ ") for n in lane_names]
    by_number = {s.number: s for s in version.steps}
    widths = column_widths(width, len(lane_names))
    lane0 = 2
    mutu0 = lane0 + len(lane_names)
    lane_style = style(
        lane_font_size(lane_names, widths[lane0]), bold=True, center=True
    )
    head2 = (
        [_tag("", -2), ""]
        + [para(n, lane_style) for n in lane_names]
        + [para(t, HEAD) for t in ("Kelengkapan", "Waktu", "Output")]
        + [""]
    )
    head_h = [HEAD_TOP, _row_height(head2, widths, 0)]
    max_cell = height - sum(head_h) - 2 * CONN_ROW - 4 * PAD

    cells, heights = [], []
    for spec in sorted(specs, key=lambda s: s.number):
        step = by_number[spec.number]
        texts = [
            (1, step.activity, BODY),
            (mutu0, step.requirements, SMALL),
            (mutu0 + 1, step.time_text, SMALL),
            (mutu0 + 2, step.output, SMALL),
            (mutu0 + 3, step.note, SMALL),
        ]
        row = [str(spec.number)] + [""] * (len(widths) - 1)
        for col, text, st in texts:
            if text:
                row[col] = fit_para(text, st, widths[col] - 2 * PAD, max_cell)
        cells.append(row)
        heights.append(_row_height(row, widths, MIN_ROW))

    pages = paginate(heights, height - sum(head_h) - 0.5, CONN_ROW)
    plan = plan_flowchart(specs, len(lane_names), pages)
    data = [[_tag("", -1)] + [""] * (len(widths) - 1), head2]
    row_h = list(head_h)
    step_rows = iter(zip(cells, heights, strict=True))
    for index, prow in enumerate(plan.rows):
        if prow.kind == "step":
            row, h = next(step_rows)
            row = [_tag(row[0], index)] + row[1:]
        else:
            row, h = [_tag("", index)] + [""] * (len(widths) - 1), CONN_ROW
        data.append(row)
        row_h.append(h)
    table = FlowTable(data, colWidths=widths, rowHeights=row_h, repeatRows=2)
    table.painter = _Painter(plan, lane0, mutu0)
    table.setStyle(_table_style(len(widths), lane0, mutu0))
    return table


def _row_height(row, widths, minimum: float) -> float:
    h = minimum
    for cell, w in zip(row, widths, strict=True):
        if hasattr(cell, "wrap"):
            h = max(h, cell.wrap(w - 2 * PAD, 1e9)[1] + 2 * PAD)
    return h


def _table_style(ncols: int, lane0: int, mutu0: int) -> TableStyle:
    last_lane, last_mutu = mutu0 - 1, mutu0 + 2
    cmds = [
        ("FONT", (0, 0), (-1, -1), FONT, 7),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 2), (0, -1), "CENTER"),
        ("VALIGN", (0, 1), (-1, 1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
        ("BACKGROUND", (0, 0), (-1, 1), colors.Color(0.9, 0.9, 0.9)),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.black),
        ("LINEAFTER", (0, 1), (-1, -1), 0.4, colors.black),
        ("LINEBELOW", (lane0, 0), (last_mutu, 0), 0.4, colors.black),
        ("LEFTPADDING", (lane0, 1), (last_lane, 1), LANE_PAD),
        ("RIGHTPADDING", (lane0, 1), (last_lane, 1), LANE_PAD),
    ]
    for col in (0, 1, last_lane, last_mutu):
        cmds.append(("LINEAFTER", (col, 0), (col, 0), 0.4, colors.black))
    return TableStyle(cmds)


class FlowTable(Table):
    """A Table that splits where the plan says and paints the chart on top."""

    painter: "_Painter"

    def onSplit(self, T, byRow=1):  # noqa: N802, N803 - ReportLab's names
        T.painter = self.painter

    def _getFirstPossibleSplitRowPosition(self, availHeight, ignoreSpans=0):  # noqa: N802, N803
        fits = super()._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans)
        first = self._cellvalues[2][0].plan_row
        plan = self.painter.plan
        end = plan.pages[plan.rows[first].page][1]
        wanted = 2 + end - first
        return wanted if wanted <= fits else fits

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        # Platypus offers the rest of a split table the space left on the
        # same page; a planned page ends here, so the rest starts a new one.
        pieces = super().split(availWidth, availHeight)
        return [pieces[0], PageBreak(), pieces[1]] if len(pieces) == 2 else pieces

    def draw(self):
        super().draw()
        self.painter.paint(self)


class _Painter:
    def __init__(self, plan: Plan, lane0: int, mutu0: int):
        self.plan = plan
        self.lane0 = lane0
        self.mutu0 = mutu0

    def paint(self, table: Table) -> None:
        canv = table.canv
        rows = {}
        for i, row in enumerate(table._cellvalues):
            index = row[0].plan_row
            if index >= 0:
                rows[index] = (table._rowpositions[i], table._rowpositions[i + 1])
        cols, widths = table._colpositions, table._colWidths
        self._headers(canv, table)
        if not rows:
            return
        page = self.plan.rows[min(rows)].page

        def px(x: float) -> float:
            lane = min(int(x), self.plan.lane_count - 1)
            col = self.lane0 + lane
            return cols[col] + (x - lane) * widths[col]

        def py(y: float) -> float:
            r = int(y)
            top, bottom = rows[r]
            return top - (y - r) * (top - bottom)

        lane_w = widths[self.lane0]
        canv.saveState()
        sizes = symbols.sizes(lane_w)
        for sym in self.plan.symbols:
            if sym.row in rows:
                symbols.draw_symbol(canv, sym, px(sym.x), py(sym.y), sizes)
        for arrow in self.plan.arrows:
            if arrow.page == page:
                pts = [(px(x), py(y)) for x, y in arrow.points]
                src = self.plan.symbols[arrow.source]
                dst = self.plan.symbols[arrow.target]
                symbols.draw_arrow(
                    canv,
                    pts,
                    sizes[src.kind],
                    arrow.exit_side,
                    sizes[dst.kind],
                    arrow.entry_side,
                    arrow.label,
                )
        canv.restoreState()

    def _headers(self, canv, table: Table) -> None:
        """Header texts of merged cells, centred over the cells they cover."""
        cols, rp = table._colpositions, table._rowpositions
        top, mid, bottom = rp[0], rp[1], rp[2]
        last = len(cols) - 2
        both = (top + bottom) / 2
        one = (top + mid) / 2
        canv.saveState()
        for start, end, y, text in (
            (0, 1, both, "No"),
            (1, 2, both, "Kegiatan"),
            (last, last + 1, both, "Keterangan"),
            (self.lane0, self.mutu0, one, "Pelaksana"),
            (self.mutu0, self.mutu0 + 3, one, "Mutu Baku"),
        ):
            room = cols[end] - cols[start] - 2 * LANE_PAD
            size = min(7.0, room / text_width(text, 1.0, bold=True))
            canv.setFont(FONT_BOLD, size)
            canv.drawCentredString((cols[start] + cols[end]) / 2, y - size * 0.35, text)
        canv.restoreState()
