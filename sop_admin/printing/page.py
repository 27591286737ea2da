"""Paper sizes and the plain document template that the forms share.

Offices print on A4 or F4/Folio (215 x 330 mm); every PDF is deterministic
(`invariant=1`), so the same record prints the same bytes.
"""

from io import BytesIO

from reportlab.lib.pagesizes import A4, portrait
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

PAPERS = {"A4": A4, "F4": (215 * mm, 330 * mm)}
MARGIN = 12 * mm


def paper_size(paper: str | None, office, orient=portrait) -> tuple[float, float]:
    """`paper` if given, else the office's A4/F4 choice, else A4."""
    name = (paper or getattr(office, "paper_size", None) or "A4").upper()
    return orient(PAPERS.get(name, A4))


def simple_doc(size, *, title: str,
               side_margin: float = MARGIN) -> tuple[SimpleDocTemplate, BytesIO]:
    """A one-frame document writing into a fresh buffer."""
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        invariant=1,
        leftMargin=side_margin,
        rightMargin=side_margin,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        creator="sop-admin",
        producer="sop-admin",
        author="sop-admin",
    )
    return doc, buf
