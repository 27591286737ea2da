"""Turning user text into safe ReportLab paragraphs.

`Paragraph` parses its text as markup, so raw user text could crash the
build (`<`, `&`) or inject fonts, links and local images. Every user string
goes through `esc`; markup in the output comes only from the constants in
this package. Long words (URLs, 10 000-character strings) are split by
`splitLongWords` so they wrap inside their cell.
"""

from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from .fonts import FONT, FONT_BOLD, register_fonts

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def esc(text: str | None) -> str:
    """Escape user text for Paragraph markup; line breaks become <br/>."""
    if not text:
        return ""
    cleaned = "".join(
        ch for ch in str(text) if ch in "\n\t" or ord(ch) >= 32 and ord(ch) != 127
    )
    return "<br/>".join(escape(line) for line in cleaned.split("\n"))


def style(
    size: float = 8,
    *,
    bold: bool = False,
    center: bool = False,
    leading: float | None = None,
) -> ParagraphStyle:
    register_fonts()
    return ParagraphStyle(
        name=f"sop-{size}-{bold}-{center}",
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=leading or size * 1.22,
        alignment=TA_CENTER if center else TA_LEFT,
        splitLongWords=1,
        allowWidows=1,
        allowOrphans=1,
    )


def para(text: str | None, st: ParagraphStyle) -> Paragraph:
    """A paragraph of user text, printed literally."""
    return Paragraph(esc(text), st)


def markup(safe_markup: str, st: ParagraphStyle) -> Paragraph:
    """A paragraph whose markup the caller built from constants and `esc`."""
    return Paragraph(safe_markup, st)


def long_date(value: date | None) -> str:
    """1 Agustus 2018, as Indonesian offices write dates; '' when unset."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def fit_text(text: str, st: ParagraphStyle, width: float, max_height: float) -> str:
    """Shorten text that could never fit on one page, so layout cannot fail.

    A cell taller than the page makes ReportLab give up the whole document;
    such text is cut and ends with an ellipsis instead.
    """
    if not text:
        return ""
    p = para(text, st)
    _, h = p.wrap(width, 1e9)
    if h <= max_height:
        return text
    keep = max(1, int(len(text) * max_height / h * 0.9))
    while keep > 1:
        cut = text[:keep] + "…"
        if para(cut, st).wrap(width, 1e9)[1] <= max_height:
            return cut
        keep = int(keep * 0.8)
    return text[:1] + "…"
