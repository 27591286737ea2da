"""Events that change no row: a PDF printed, a list exported.

They are audit entries like any other (operation "event"), written by the
caller's transaction and sealed when it commits, so a records officer's
prints are as accountable as an edit. Call from a view, then commit:

    audit.record_event("export", {"format": "csv", "filter": args, "rows": n},
                       table="complaints", office_id=current_user.office_id)
    db.session.commit()
"""

import json
from datetime import datetime

from ..extensions import db
from ..models.audit import AuditEntry
from ..models.types import utcnow
from .context import REASON, current_context


def canonical_json(value) -> str:
    """Sorted keys, no spaces, non-JSON values (dates) as text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=str)


def record_event(kind: str, detail: dict, *, record=None, table: str | None = None,
                 key: str | None = None, office_id: int | None = None,
                 now: datetime | None = None, session=None) -> AuditEntry:
    """Append an event entry: `kind` (pdf, export, ...) and what it covered.

    `record` (a model instance) fills table, key and office; otherwise give
    `table`/`key`/`office_id`. Who did it comes from the audit context.
    """
    session = session or db.session
    if record is not None:
        table = table or record.__tablename__
        key = key or ",".join(
            str(v) for v in record.__mapper__.primary_key_from_instance(record)
        )
        if office_id is None:
            office_id = (record.id if table == "offices"
                         else getattr(record, "office_id", None))
    ctx = current_context()
    entry = AuditEntry(
        at=now or utcnow(), table_name=table or kind, row_key=key, operation="event",
        new_values=canonical_json({"event": kind, **detail}), office_id=office_id,
        actor_id=ctx.actor_id, actor_name=ctx.actor_name, access_level=ctx.access_level,
        client_ip=ctx.client_ip, user_agent=ctx.user_agent, request_id=ctx.request_id,
        interface=ctx.interface, reason=session.connection().info.get(REASON),
    )
    session.add(entry)
    session.flush()
    return entry
