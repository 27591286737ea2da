"""The one font family every printed page uses.

ReportLab's built-in Helvetica only covers Latin-1: names in Javanese
script, Arabic, emoji or even curly quotes would print as black boxes. We
ship DejaVu Sans (regular and bold, see fonts/LICENSE) inside the package
so printing never depends on what the server has installed.
"""

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_DIR = Path(__file__).with_name("fonts")


def register_fonts() -> None:
    """Register the TTFs once per process (ReportLab keeps a global registry)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_DIR / "DejaVuSans-Bold.ttf")))
    # <b> inside our own markup maps to the bold face; there is no italic.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)


def text_width(text: str, size: float, bold: bool = False) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(text, FONT_BOLD if bold else FONT, size)
