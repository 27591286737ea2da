"""Records of a complaint's progress through its SOP, and office closure days."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .complaint import Channel, Complaint
from .office import Office, Role
from .types import UTCDateTime, str_enum, utcnow
from .user import User


class ComplaintStep(db.Model):
    """One SOP step as a complaint went through it."""

    __tablename__ = "complaint_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    step_number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Ya/Tidak answer of a decision step.
    answer: Mapped[bool | None]
    note: Mapped[str] = mapped_column(Text, default="")
    #: Compliance, stored when the step completes: done by its deadline or not
    #: (None when the step has no deadline), and by how many seconds it was late.
    within_standard: Mapped[bool | None]
    late_seconds: Mapped[int | None]
    #: Highest escalation level reached while the step was open (0 = none).
    escalation_level: Mapped[int] = mapped_column(default=0)

    complaint: Mapped[Complaint] = relationship()
    actor: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.step_number}"


class ClosureDay(db.Model):
    """A day an office is closed beyond national holidays (entered by admins)."""

    __tablename__ = "closure_days"
    __table_args__ = (UniqueConstraint("office_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))

    office: Mapped[Office] = relationship()

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y} {self.reason}"


class Disposition(db.Model):
    """Disposisi: a complaint forwarded to a role, an officer or another unit."""

    __tablename__ = "dispositions"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    #: The step during which it was forwarded.
    complaint_step_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_steps.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Whom to: a role of an office, a user, or a unit outside sop-admin by name.
    to_role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_unit: Mapped[str | None] = mapped_column(String(200))
    to_name: Mapped[str | None] = mapped_column(String(200))
    to_phone: Mapped[str | None] = mapped_column(String(40))
    to_email: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    complaint: Mapped[Complaint] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    to_role: Mapped[Role | None] = relationship()
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])

    def __str__(self) -> str:
        return self.to_unit or self.to_name or str(self.to_role or self.to_user or "")


class Escalation(db.Model):
    """A late step passed up the chain, by `flask sla check`."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    complaint_step_id: Mapped[int] = mapped_column(
        ForeignKey("complaint_steps.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int]
    target_role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"))
    #: The target as shown when it happened (a role may be renamed later).
    target_label: Mapped[str] = mapped_column(String(200))
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship()
    step: Mapped[ComplaintStep] = relationship()
    target_role: Mapped[Role | None] = relationship()

    def __str__(self) -> str:
        return f"{self.level}: {self.target_label}"


class Reply(db.Model):
    """Tanggapan: what the reporter was told, on which channel; one may be final."""

    __tablename__ = "replies"
    __table_args__ = (Index("ix_replies_complaint_sent", "complaint_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE")
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 30))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The final answer (jawaban akhir), shown on the public status page.
    is_final: Mapped[bool] = mapped_column(default=False)

    complaint: Mapped[Complaint] = relationship()
    user: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return self.text[:60]
