"""The identity page (halaman identitas) of an SOP, sop-format.md §1.

One bordered table: logo and letterhead on the left, the label : value rows
on the right (with room to sign and stamp above the approver's name), then
the six numbered boxes in two columns. An empty box still prints, with "-".
"""

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

from ..models.sop import ListName
from .text import esc, long_date, markup, para, style

LABEL = style(8.5)
VALUE = style(8.5)
VALUE_BOLD = style(8.5, bold=True)
LETTERHEAD = style(10, bold=True, center=True, leading=13)
BOX_TITLE = style(8.5, bold=True)
ITEM = style(8)
SIGN_SPACE = 46.0

BOXES = (
    (ListName.LEGAL_BASIS, "Dasar Hukum"),
    (ListName.QUALIFICATIONS, "Kualifikasi Pelaksana"),
    (ListName.RELATED_SOPS, "Keterkaitan"),
    (ListName.EQUIPMENT, "Peralatan/Perlengkapan"),
    (ListName.WARNINGS, "Peringatan"),
    (ListName.RECORDS, "Pencatatan dan Pendataan"),
)


def identity_flowables(version, width: float) -> list:
    """Two stacked tables that read as one bordered table.

    Nesting the boxes inside an outer frame table would make them one cell
    that cannot break across pages: a long Dasar Hukum list then hangs the
    layout. Stacked, the boxes table splits between list items.
    """
    left_w = 0.38 * width
    right_w = width - left_w
    top = Table(
        [[_letterhead(version, left_w), _rows(version, right_w)]],
        colWidths=[left_w, right_w],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEAFTER", (0, 0), (0, 0), 0.6, colors.black),
                ("LEFTPADDING", (1, 0), (1, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("TOPPADDING", (1, 0), (1, 0), 0),
                ("BOTTOMPADDING", (1, 0), (1, 0), 0),
            ]
        ),
    )
    return [top, _boxes(version, width)]


def _boxes(version, width: float) -> Table:
    """The six boxes, two per band; one table row per list item."""
    half = width / 2
    data = []
    cmds = [
        ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
        ("LINEAFTER", (0, 0), (0, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    for i in range(0, len(BOXES), 2):
        left = _box(version, *BOXES[i])
        right = _box(version, *BOXES[i + 1])
        start, n = len(data), max(len(left), len(right))
        left += [""] * (n - len(left))
        right += [""] * (n - len(right))
        data += [list(pair) for pair in zip(left, right, strict=True)]
        if start:
            cmds.append(("LINEABOVE", (0, start), (-1, start), 0.6, colors.black))
        cmds.append(("TOPPADDING", (0, start), (-1, start), 4))
        cmds.append(("BOTTOMPADDING", (0, start + n - 1), (-1, start + n - 1), 6))
    return Table(data, colWidths=[half, half], style=TableStyle(cmds))


def _letterhead(version, width: float) -> list:
    out = []
    logo = _logo(version.office.logo if version.office else None, width)
    if logo is not None:
        out += [logo, Spacer(1, 6)]
    lines = [version.unit_government, version.unit_office, version.unit_division]
    text = "<br/>".join(esc(line).upper() for line in lines if line)
    out.append(markup(text, LETTERHEAD))
    return out


def _logo(data: bytes | None, width: float):
    """The office logo at most 60 pt tall; unreadable image data is skipped."""
    if not data:
        return None
    try:
        w, h = ImageReader(BytesIO(data)).getSize()
    except (OSError, ValueError):
        return None
    scale = min(60.0 / h, (width - 12) / w)
    return Image(BytesIO(data), width=w * scale, height=h * scale)


def _rows(version, width: float) -> Table:
    signer = [
        para(version.approver_position, VALUE),
        Spacer(1, SIGN_SPACE),
        markup(f"<u>{esc(version.approver_name)}</u>", VALUE_BOLD),
    ]
    if version.approver_rank:
        signer.append(para(version.approver_rank, VALUE))
    signer.append(para(f"NIP. {version.approver_nip or ''}", VALUE))
    rows = [
        ("Nomor SOP", para(version.sop.number if version.sop else "", VALUE)),
        ("Tanggal Pembuatan", para(long_date(version.created_on), VALUE)),
        ("Tanggal Revisi", para(long_date(version.revised_on), VALUE)),
        ("Tanggal Efektif", para(long_date(version.effective_on), VALUE)),
    ]
    if version.approved_on:
        rows.append(("Tanggal Pengesahan", para(long_date(version.approved_on), VALUE)))
    rows += [("Disahkan Oleh", signer), ("Nama SOP", para(version.name, VALUE_BOLD))]
    label_w, colon_w = 0.27 * width, 10
    data = [[para(label, LABEL), ":", value] for label, value in rows]
    return Table(
        data,
        colWidths=[label_w, colon_w, width - label_w - colon_w],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.black),
                ("FONT", (1, 0), (1, -1), LABEL.fontName, 8.5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )


def _box(version, name: ListName, title: str) -> list:
    """Title, then one cell per numbered item (with its a), b) sub-points)."""
    out: list = [markup(f"{title}:", BOX_TITLE)]
    items = version.items_of(name)
    if not items:
        return out + [para("-", ITEM)]
    number_style = style(8)
    number_style.leftIndent, number_style.bulletIndent = 14, 0
    sub_style = style(8)
    sub_style.leftIndent, sub_style.bulletIndent = 28, 14
    for st in (number_style, sub_style):  # bullets default to 10 pt Helvetica
        st.bulletFontName, st.bulletFontSize = ITEM.fontName, ITEM.fontSize
    for n, item in enumerate(items, start=1):
        cell = [Paragraph(esc(_cap(item.text)), number_style, bulletText=f"{n}.")]
        for k, child in enumerate(item.children):
            cell.append(
                Paragraph(esc(_cap(child.text)), sub_style, bulletText=f"{_letter(k)})")
            )
        out.append(cell)
    return out


def _cap(text: str, limit: int = 2500) -> str:
    """An item longer than half a page is cut: a cell cannot span pages."""
    return text if len(text) <= limit else text[:limit] + "…"


def _letter(k: int) -> str:
    return chr(ord("a") + k) if k < 26 else f"{_letter(k // 26 - 1)}{_letter(k % 26)}"
