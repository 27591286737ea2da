"""Printable records, drawn with ReportLab only (no HTML-to-PDF).

Plain functions that take model objects and return PDF bytes; they never
touch the request or the session, so the CLI, the views and the tests call
the same code.
"""

from .document import sop_pdf

__all__ = ["sop_pdf"]
