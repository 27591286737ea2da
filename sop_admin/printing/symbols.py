"""The five flowchart symbols of Permenpan RB 35/2012, drawn on a canvas.

Terminator (capsule), process (rectangle), decision (diamond), off-page
connector (pentagon pointing down, holding a letter) and the arrow. Sizes
depend on the lane width only, so every symbol of one chart matches; the
plan keeps them at most 70 % of a lane wide so that the routing tracks near
the lane edges stay clear.
"""

from reportlab.lib import colors

from .fonts import FONT, FONT_BOLD, text_width

LINE = 0.8
HEAD = 4.0  # arrowhead length
LABEL_SIZE = 6.0


def sizes(lane_w: float) -> dict[str, tuple[float, float]]:
    """Width and height of each symbol kind for lanes `lane_w` points wide."""
    w = min(0.7 * lane_w, 70.0)
    return {
        "terminator": (w, 18.0),
        "process": (w, 20.0),
        "decision": (min(0.7 * lane_w, 44.0), 26.0),
        "connector": (min(14.0, 0.7 * lane_w), 15.0),
    }


def draw_symbol(canv, sym, x: float, y: float, all_sizes) -> None:
    w, h = all_sizes[sym.kind]
    canv.setLineWidth(LINE)
    canv.setStrokeColor(colors.black)
    canv.setFillColor(colors.white)
    if sym.kind == "terminator":
        canv.roundRect(x - w / 2, y - h / 2, w, h, h / 2, stroke=1, fill=1)
        word = "Mulai" if sym.start else "Selesai"
        _centred(canv, word, x, y, w - h / 2, 6.0, bold=False)
    elif sym.kind == "process":
        canv.rect(x - w / 2, y - h / 2, w, h, stroke=1, fill=1)
    elif sym.kind == "decision":
        _polygon(canv, [(x, y + h / 2), (x + w / 2, y), (x, y - h / 2), (x - w / 2, y)])
    else:
        _polygon(
            canv,
            [
                (x - w / 2, y + h / 2),
                (x + w / 2, y + h / 2),
                (x + w / 2, y - h / 6),
                (x, y - h / 2),
                (x - w / 2, y - h / 6),
            ],
        )
        _centred(canv, sym.letter or "", x, y + 0.5, w - 2, 7.0, bold=True)


def _polygon(canv, points) -> None:
    path = canv.beginPath()
    path.moveTo(*points[0])
    for p in points[1:]:
        path.lineTo(*p)
    path.close()
    canv.drawPath(path, stroke=1, fill=1)


def _centred(canv, text, x, y, room, size, bold) -> None:
    width = text_width(text, size, bold)
    if width > room > 0:
        size = max(3.0, size * room / width)
    canv.setFillColor(colors.black)
    canv.setFont(FONT_BOLD if bold else FONT, size)
    canv.drawCentredString(x, y - size * 0.35, text)


def _border(point, size, side):
    (x, y), (w, h) = point, size
    return {
        "bottom": (x, y - h / 2),
        "top": (x, y + h / 2),
        "left": (x - w / 2, y),
        "right": (x + w / 2, y),
    }[side]


def draw_arrow(canv, pts, src_size, exit_side, dst_size, entry_side, label) -> None:
    """Polyline from the source's exit side to the target's entry side."""
    pts = list(pts)
    pts[0] = _border(pts[0], src_size, exit_side)
    pts[-1] = _border(pts[-1], dst_size, entry_side)
    canv.setLineWidth(LINE * 0.8)
    canv.setStrokeColor(colors.black)
    path = canv.beginPath()
    path.moveTo(*pts[0])
    for p in pts[1:]:
        path.lineTo(*p)
    canv.drawPath(path, stroke=1, fill=0)
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    dx, dy = _unit(x1 - x0, y1 - y0)
    side = HEAD * 0.45
    head = [
        (x1, y1),
        (x1 - dx * HEAD - dy * side, y1 - dy * HEAD + dx * side),
        (x1 - dx * HEAD + dy * side, y1 - dy * HEAD - dx * side),
    ]
    canv.setFillColor(colors.black)
    _polygon(canv, head)
    if label:
        _label(canv, label, pts[0], exit_side)


def _unit(dx: float, dy: float) -> tuple[float, float]:
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return dx / length, dy / length


def _label(canv, text: str, start, side: str) -> None:
    """Ya/Tidak beside the first segment, off the line and off the symbol."""
    x, y = start
    canv.setFont(FONT, LABEL_SIZE)
    canv.setFillColor(colors.black)
    if side == "bottom":
        canv.drawString(x + 2, y - LABEL_SIZE - 1, text)
    # Beside a side vertex the label sits high enough to clear a connector
    # standing in the next lane; the diamond's slope leaves that corner free.
    elif side == "right":
        canv.drawString(x, y + 9, text)
    else:
        canv.drawRightString(x, y + 9, text)
