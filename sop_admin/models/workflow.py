"""Records of a complaint's progress through its SOP, and office closure days."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .complaint import Complaint
from .office import Office
from .types import UTCDateTime, utcnow
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
