"""The audit service: context for the triggers, sealing, verification, events.

Row changes are captured by database triggers (`sop_admin.audit_ddl`), not
here. This package hands them who/why (`set_context`, `set_reason`), seals
committed rows into the hash chain when a writing transaction commits,
records events that change no row (`record_event`) and verifies the chain.
It imports no Flask request state: the web hook lives in `views/audit_hooks.py`.
"""

from flask import Flask
from sqlalchemy import event

from ..extensions import db
from . import context
from .chain import seal, seal_cursor, seals_in_server
from .context import current_context, reset_context, set_context, set_reason
from .events import canonical_json, record_event
from .verify import (
    CheckpointError,
    Problem,
    VerifyResult,
    check_checkpoint,
    make_checkpoint,
    unsealed_count,
    verify,
    verify_parallel,
)

__all__ = [
    "CheckpointError", "Problem", "VerifyResult", "canonical_json",
    "check_checkpoint", "current_context", "init_app", "make_checkpoint",
    "record_event", "reset_context", "seal", "seal_cursor", "seals_in_server",
    "set_context", "set_reason",
    "unsealed_count", "verify", "verify_parallel",
]


def on_commit(conn) -> None:
    """Connection event, just before COMMIT: drop the context row and seal.

    Sealing here, in the writing transaction, costs no extra commit; the
    chain-head lock is then held only until this commit completes.
    """
    info = conn.info
    if info.get(context.WROTE):
        cur = conn.connection.driver_connection.cursor()
        try:
            if conn.dialect.name == "sqlite":
                cur.execute("DELETE FROM audit_context")
            seal_cursor(conn.dialect.name, cur, in_server=seals_in_server(conn, cur))
        finally:
            cur.close()
    context.clear(info)


def _on_rollback(conn) -> None:
    context.clear(conn.info)


def _on_checkin(_dbapi_connection, record) -> None:
    context.clear(record.info)


def init_app(app: Flask) -> None:
    """Attach the listeners to the app's engine (once per engine)."""
    with app.app_context():
        engine = db.engine
        listener = context.before_cursor_execute
        if event.contains(engine, "before_cursor_execute", listener):
            return
        event.listen(engine, "before_cursor_execute", context.before_cursor_execute)
        event.listen(engine, "commit", on_commit)
        event.listen(engine, "rollback", _on_rollback)
        event.listen(engine, "rollback_savepoint", context.on_rollback_savepoint)
        event.listen(engine, "checkin", _on_checkin)
