"""Printable records, drawn with ReportLab only (no HTML-to-PDF).

Plain functions that take model objects and return PDF bytes; they never
touch the request or the session, so the CLI, the views and the tests call
the same code. The caller records the print (`record_print`) and commits.
"""

from .complaint_form import complaint_form_pdf
from .complaint_history import complaint_history_pdf
from .document import sop_pdf
from .log import record_print
from .sop_forms import evaluation_pdf, monitoring_pdf

__all__ = [
    "complaint_form_pdf",
    "complaint_history_pdf",
    "evaluation_pdf",
    "monitoring_pdf",
    "record_print",
    "sop_pdf",
]
