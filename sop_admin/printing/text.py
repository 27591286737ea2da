"""Turning user text into safe ReportLab paragraphs.

`Paragraph` parses its text as markup, so raw user text could crash the
build (`<`, `&`) or inject fonts, links and local images. User text reaches
a paragraph either through `para`, which bypasses the parser altogether, or
through `esc` when it sits inside markup built from this package's own
constants (`markup`). Long words (URLs, 10 000-character strings) are split
by `splitLongWords` so they wrap inside their cell.
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
    return "<br/>".join(escape(line) for line in _clean(text).split("\n"))


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


class Para(Paragraph):
    """A Paragraph that remembers its last wrap.

    Table cells are wrapped once to size the rows and again when drawn, at
    the same width; line breaking is a third of the rendering time.
    """

    _last: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        if self._last is not None and self._last[0] == availWidth:
            return self._last[1]
        size = super().wrap(availWidth, availHeight)
        self._last = (availWidth, size)
        return size


def para(text: str | None, st: ParagraphStyle) -> Para:
    """A paragraph of user text, printed literally.

    The text never meets the markup parser: it is put straight into text
    fragments cloned from the style's own, one per line with a line break
    between. That is both injection-proof and four times faster than
    parsing escaped text.
    """
    template = _template(st)
    frags = []
    for i, line in enumerate(_clean(text).split("\n")):
        if i:
            frags.append(_frag(template, "", lineBreak=True))
        frags.append(_frag(template, line))
    return Para(text or "", st, frags=frags)


_TEMPLATES: dict[tuple, object] = {}


def _template(st: ParagraphStyle):
    key = (st.fontName, st.fontSize, st.leading, st.textColor)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = Paragraph("x", st).frags[0]
    return _TEMPLATES[key]


def _frag(template, text: str, **extra):
    frag = template.clone(text=text, **extra)
    frag.link, frag.us_lines = [], []
    return frag


def _clean(text: str | None) -> str:
    """Drop control characters (they have no glyph) but keep line breaks."""
    if not text:
        return ""
    return "".join(
        ch for ch in str(text) if ch in "\n\t" or ord(ch) >= 32 and ord(ch) != 127
    )


def markup(safe_markup: str, st: ParagraphStyle) -> Para:
    """A paragraph whose markup the caller built from constants and `esc`."""
    return Para(safe_markup, st)


def long_date(value: date | None) -> str:
    """1 Agustus 2018, as Indonesian offices write dates; '' when unset."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def fit_para(text: str, st: ParagraphStyle, width: float, max_height: float) -> Para:
    """A paragraph of user text cut short if it could never fit on one page.

    A cell taller than the page makes ReportLab give up the whole document;
    such text is cut and ends with an ellipsis instead.
    """
    p = para(text, st)
    h = p.wrap(width, 1e9)[1]
    if h <= max_height:
        return p
    keep = max(1, int(len(text) * max_height / h * 0.9))
    while keep > 1:
        p = para(text[:keep] + "…", st)
        if p.wrap(width, 1e9)[1] <= max_height:
            return p
        keep = int(keep * 0.8)
    return para(text[:1] + "…", st)
