"""Assemble the SOP document PDF: identity page, sheets, flowchart.

Landscape A4 or F4/Folio (215 x 330 mm) as the office prints. Every page
gets the header strip of seed 003 (No. SOP, revision, dates, "Hal x dari
y"); the page total is only known at the end, so the canvas keeps each
page's state and decorates all pages when the document is saved. Output is
deterministic (`invariant=1`): the same version prints the same bytes.
"""

from functools import partial
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

from ..models.sop import SopStatus
from .flowchart import flowchart_table
from .fonts import FONT, FONT_BOLD, register_fonts, text_width
from .identity import identity_flowables
from .page import paper_size
from .sheets import approval_sheet, coordination_sheet, history_sheet, signature_block
from .text import long_date

MARGIN = 12 * mm
STRIP = 30.0  # header strip height above the frame
FOOT = 8 * mm


def sop_pdf(version, *, paper: str | None = None, draft: bool | None = None) -> bytes:
    """The printable SOP document of one version, as PDF bytes.

    `paper` overrides the office's A4/F4 choice; `draft` forces or suppresses
    the "DRAF" watermark (default: the version is a draft).
    """
    register_fonts()
    office = version.office
    size = paper_size(paper, office, landscape)
    if draft is None:
        draft = version.status == SopStatus.DRAFT
    width = size[0] - 2 * MARGIN
    height = size[1] - MARGIN - STRIP - FOOT
    frame = Frame(
        MARGIN,
        FOOT,
        width,
        height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    buf = BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=size,
        invariant=1,
        title=version.name,
        author="sop-admin",
        subject="Standar Operasional Prosedur",
        creator="sop-admin",
        producer="sop-admin",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=FOOT,
    )
    doc.addPageTemplates([PageTemplate(id="sop", frames=[frame])])
    story = identity_flowables(version, width)
    sheets = (
        coordination_sheet(version, width)
        + approval_sheet(version, width)
        + history_sheet(version, width)
    )
    if sheets:
        story += [PageBreak()] + sheets
    if version.steps:
        story += [PageBreak(), flowchart_table(version, width, height)]
        story += signature_block(version, width)
    strip = partial(_decorate, version=version, draft=draft, size=size)
    doc.build(story, canvasmaker=partial(_DeferredCanvas, decorate=strip))
    return buf.getvalue()


class _DeferredCanvas(Canvas):
    """Holds pages back until the total is known, then decorates each."""

    def __init__(self, *args, decorate, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._decorate = decorate

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(self, self._pageNumber, total)
            super().showPage()
        super().save()


def _decorate(canv, number: int, total: int, *, version, draft: bool, size) -> None:
    page_w, page_h = size
    top = page_h - MARGIN
    width = page_w - 2 * MARGIN
    canv.saveState()
    canv.setFont(FONT_BOLD, 8)
    title = f"{version.unit_office}  ·  {version.name}".strip(" ·")
    canv.drawString(MARGIN, top - 8, _clip(title, width, 8, bold=True))
    cells = [
        ("No. SOP", version.sop.number if version.sop else ""),
        ("No. Revisi", str(max(version.version_no - 1, 0))),
        ("Tgl. Diterbitkan", long_date(version.effective_on or version.created_on)),
        ("Tgl. Kaji Ulang", long_date(version.revised_on)),
        ("Hal", f"{number} dari {total}"),
    ]
    cell_w = width / len(cells)
    y = top - 24
    canv.setLineWidth(0.5)
    canv.rect(MARGIN, y - 3, width, 14, stroke=1, fill=0)
    canv.setFont(FONT, 7)
    for i, (label, value) in enumerate(cells):
        x = MARGIN + i * cell_w
        if i:
            canv.line(x, y - 3, x, y + 11)
        canv.drawString(x + 3, y + 1, _clip(f"{label} : {value}", cell_w - 6, 7))
    if draft:
        canv.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.18))
        canv.setFont(FONT_BOLD, 120)
        canv.translate(page_w / 2, page_h / 2)
        canv.rotate(30)
        canv.drawCentredString(0, -40, "DRAF")
    canv.restoreState()


def _clip(text: str, room: float, size: float, bold: bool = False) -> str:
    """Cut text that would run past `room` points, marking the cut."""
    if text_width(text, size, bold) <= room:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid] + "…", size, bold) <= room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"
