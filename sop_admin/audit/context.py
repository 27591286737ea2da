"""Who is writing: handed to the database so the audit triggers can copy it.

The web hook (`views/audit_hooks.py`), CLI commands and importers call
`set_context`; `set_reason` adds a reason to the current transaction. The
context reaches the connection lazily, just before the first writing
statement of a transaction (read-only transactions cost nothing):

* PostgreSQL: `set_config('sop_admin.<field>', value, true)`, local to the
  transaction (and undone with a rolled-back savepoint);
* SQLite: the one row of `audit_context`, written in the same transaction
  and deleted again just before commit, so a later writer outside the app
  (the sqlite3 shell) is never credited to our last user.
"""

import getpass
import os
from contextvars import ContextVar, Token
from dataclasses import asdict, dataclass

import click
from sqlalchemy.engine import Connection

#: Keys in `Connection.info` (lives as long as the DBAPI connection).
APPLIED = "sop_admin.audit.applied"
REASON = "sop_admin.audit.reason"
WROTE = "sop_admin.audit.wrote"
READY = "sop_admin.audit.ready"
#: Whether the database seals in the server (`chain.seals_in_server`).
SEALER = "sop_admin.audit.sealer"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "WITH")


@dataclass(frozen=True)
class AuditContext:
    interface: str
    actor_id: int | None = None
    actor_name: str | None = None
    access_level: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


_current: ContextVar[AuditContext | None] = ContextVar("sop_admin_audit", default=None)


def set_context(interface: str, actor=None, **fields) -> Token:
    """Declare who acts from here on; `actor` is a User (name and level copied).

    Returns a token for `reset_context`. Values are cut to their column sizes.
    """
    if actor is not None:
        fields.setdefault("actor_id", actor.id)
        fields.setdefault("actor_name", actor.full_name or actor.username)
        fields.setdefault("access_level", str(getattr(actor, "access_level", "") or ""))
    if fields.get("user_agent"):
        fields["user_agent"] = fields["user_agent"][:300]
    return _current.set(AuditContext(interface=interface, **fields))


def reset_context(token: Token) -> None:
    _current.reset(token)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def current_context() -> AuditContext:
    """The declared context, else CLI (a click command is running) or system."""
    ctx = _current.get()
    if ctx is not None:
        return ctx
    if click.get_current_context(silent=True) is not None:
        return AuditContext(interface="cli", actor_name=f"{_os_user()} (CLI)")
    return AuditContext(interface="system", actor_name=f"{_os_user()} (sistem)")


def with_reason(ctx: AuditContext, reason: str | None) -> dict:
    values = asdict(ctx)
    values["reason"] = reason
    return values


# --- handing the context to the connection -------------------------------------

_PG_APPLY = "SELECT " + ", ".join(
    f"set_config('sop_admin.{name}', %s, true)"
    for name in ("interface", "actor_id", "actor_name", "access_level", "client_ip",
                 "user_agent", "request_id", "reason")
)
_SQLITE_APPLY = (
    "INSERT OR REPLACE INTO audit_context (id, interface, actor_id, actor_name, "
    "access_level, client_ip, user_agent, request_id, reason) "
    "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_ORDER = ("interface", "actor_id", "actor_name", "access_level", "client_ip",
          "user_agent", "request_id", "reason")


def _apply(dialect: str, cursor, values: dict) -> None:
    if dialect == "postgresql":
        params = ["" if values[k] is None else str(values[k]) for k in _ORDER]
        cursor.execute(_PG_APPLY, params)
    else:
        cursor.execute(_SQLITE_APPLY, [values[k] for k in _ORDER])


def is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITE_VERBS)


_READY_SQL = {
    "postgresql": "SELECT to_regclass('audit_entries') IS NOT NULL",
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE name = 'audit_entries'",
}


def schema_has(conn: Connection, cursor, key: str, query: str) -> bool:
    """A yes/no fact about the schema, kept in `conn.info[key]`: asked again
    only while the answer is no (a migration may be creating it), forgotten
    when a DROP runs (`_SCHEMA_FACTS`)."""
    if not conn.info.get(key):
        cursor.execute(query)
        conn.info[key] = bool(cursor.fetchone()[0])
    return conn.info[key]


def _ready(conn: Connection, cursor) -> bool:
    """Do the audit tables exist yet? (Not while early migrations run.)"""
    return schema_has(conn, cursor, READY, _READY_SQL[conn.dialect.name])


#: What a downgrade may have dropped (keys of `schema_has`).
_SCHEMA_FACTS = (READY, SEALER)


def before_cursor_execute(conn: Connection, cursor, statement, _params, _ctx, _many):
    """Engine event: apply the context before a transaction's first write."""
    info = conn.info
    if info.get(APPLIED) or not is_write(statement):
        if statement.lstrip()[:4].upper() == "DROP":  # a downgrade may drop the log
            for key in _SCHEMA_FACTS:
                info.pop(key, None)
        return
    if not _ready(conn, cursor):
        return
    values = with_reason(current_context(), info.get(REASON))
    _apply(conn.dialect.name, cursor, values)
    info[APPLIED] = True
    info[WROTE] = True


def set_reason(reason: str, session=None) -> None:
    """Record why the current transaction changes what it changes.

    Required by the forms that revise an active SOP or reopen a closed
    complaint. Call it before the changes are flushed (in a service, first
    thing; in Flask-Admin, in `on_model_change`): it applies to every row
    the transaction writes from then on, until commit or rollback. Rows
    already written keep theirs, since an audit row never changes.
    """
    from ..extensions import db

    session = session or db.session
    conn = session.connection()
    conn.info[REASON] = (reason or "").strip() or None
    if conn.info.get(APPLIED):
        values = with_reason(current_context(), conn.info[REASON])
        cursor = conn.connection.driver_connection.cursor()
        try:
            _apply(conn.dialect.name, cursor, values)
        finally:
            cursor.close()


def clear(info) -> None:
    for key in (APPLIED, REASON, WROTE):
        info.pop(key, None)


def on_rollback_savepoint(conn: Connection, _name, _context) -> None:
    # The context may have been written inside the savepoint: write it again
    # before the next write (idempotent on both engines).
    conn.info.pop(APPLIED, None)

