"""Audit record of a print: who printed which SOP version, and which bytes.

Printing changes no row, so no trigger sees it; the issue asks for an audit
entry anyway (records officers' prints are accountable). The caller, a view
or the CLI, calls this after rendering and commits.
"""

import hashlib
from datetime import datetime

from .. import audit


def record_print(
    version, data: bytes, *, paper: str | None = None, now: datetime | None = None
):
    """Append a "pdf" audit event for `version`; flushed, not committed."""
    detail = {
        "document": "sop",
        "sop_number": version.sop.number if version.sop else "",
        "version_no": version.version_no,
        "status": str(version.status),
        "paper": paper or "",
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return audit.record_event("pdf", detail, record=version, now=now)


def record_document_print(document: str, record, data: bytes, *,
                          now: datetime | None = None, **detail):
    """Append a "pdf" audit event for any other printed record (a report, a
    complaint form or history sheet): which document, which bytes, and the
    `detail` that says what it covered; flushed, not committed."""
    detail = {
        "document": document,
        **detail,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return audit.record_event("pdf", detail, record=record, now=now)
