"""E-mail notices: the outbox written with the change, and per-office templates."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .complaint import Complaint
from .office import Office
from .types import UTCDateTime, str_enum, utcnow


class NoticeKind(enum.StrEnum):
    DISPOSITION = "disposition"
    ESCALATION = "escalation"
    REGISTERED = "registered"
    CLOSED = "closed"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """A mail waiting to be sent, written in the transaction that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, 20))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, 20), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Message-ID header, fixed at creation so a retry is recognisably the same mail.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[Office] = relationship()
    complaint: Mapped[Complaint | None] = relationship()

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class NoticeTemplate(db.Model):
    """An office's own wording of one kind of notice (Indonesian by default)."""

    __tablename__ = "notice_templates"
    __table_args__ = (UniqueConstraint("office_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, 20))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")

    office: Mapped[Office] = relationship()

    def __str__(self) -> str:
        return str(self.kind)
