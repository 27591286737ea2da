"""Column types shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp always stored and returned as timezone-aware UTC.

    SQLite has no time zone type and hands back naive values; PostgreSQL
    converts to the session zone. This type normalises both, and refuses a
    naive datetime on the way in so no local time is stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def str_enum(cls, length: int = 20) -> Enum:
    """A StrEnum stored as its value in a VARCHAR with a CHECK, on both engines.

    Values (not member names) go to the database so SQL written by hand, the
    audit log and exports read `in_progress`, not `IN_PROGRESS`.
    """
    return Enum(cls, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])
