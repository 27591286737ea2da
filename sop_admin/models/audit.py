"""The audit trail: one append-only row per change, chained by SHA-256.

Rows are written by database triggers (see `sop_admin.audit_ddl`), never by
the ORM, except events that change no row (`audit.record_event`). A trigger
leaves `seq`, `prev_hash` and `hash` empty; the sealer fills them once, in
commit order, under a lock on the chain head, so the chain index is gapless
even though `id` (an autoincrement) is not. After sealing nothing in the
row can change: triggers refuse it on both engines.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
_BigId = BigInteger().with_variant(Integer(), "sqlite")

#: Operations stored in `AuditEntry.operation`.
OPERATIONS = ("insert", "update", "delete", "event")
#: Interfaces stored in `AuditEntry.interface` ("sql": written outside the app).
INTERFACES = ("web", "api", "cli", "import", "system", "sql")


class AuditEntry(db.Model):
    """One change of one row (or one event such as a PDF printed)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_record", "table_name", "row_key"),
        Index(
            "ix_audit_entries_parent", "parent_table", "parent_key",
            sqlite_where=text("parent_key IS NOT NULL"),
            postgresql_where=text("parent_key IS NOT NULL"),
        ),
        Index("ix_audit_entries_office_id", "office_id", "id"),
        Index("ix_audit_entries_actor_id", "actor_id", "id"),
        Index(
            "ix_audit_entries_unsealed", "id",
            sqlite_where=text("seq IS NULL"),
            postgresql_where=text("seq IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    #: Position in the hash chain: 1, 2, 3 ... without gaps; NULL until sealed.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    table_name: Mapped[str] = mapped_column(String(80))
    #: Primary key as text; composite keys joined with commas (user_roles: "3,7").
    row_key: Mapped[str | None] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(10))
    #: Canonical JSON text of the changed columns before and after.
    old_values: Mapped[str | None] = mapped_column(Text)
    new_values: Mapped[str | None] = mapped_column(Text)
    #: Office the row belongs to (for office-scoped auditors); NULL = global.
    office_id: Mapped[int | None] = mapped_column(Integer)
    #: The record a child row belongs to (a step of a complaint, a user's role).
    parent_table: Mapped[str | None] = mapped_column(String(80))
    parent_key: Mapped[str | None] = mapped_column(String(200))
    #: Who: the id, and the name and level as they were (users are never deleted,
    #: but names change; no foreign key so nothing can null it).
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    access_level: Mapped[str | None] = mapped_column(String(20))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    request_id: Mapped[str | None] = mapped_column(String(64))
    interface: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_sealed(self) -> bool:
        return self.seq is not None

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.operation} {self.table_name} {self.row_key}"


class AuditContext(db.Model):
    """Who is writing, for SQLite triggers: one row, present only mid-transaction.

    SQLite has no session variables; the app writes this row in the same
    transaction as its changes and deletes it before commit, so writers
    outside the app (the sqlite3 shell) never see a stale actor. PostgreSQL
    uses `set_config('sop_admin.*', ..., true)` instead and leaves it empty.
    """

    __tablename__ = "audit_context"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    access_level: Mapped[str | None] = mapped_column(String(20))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    request_id: Mapped[str | None] = mapped_column(String(64))
    interface: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
