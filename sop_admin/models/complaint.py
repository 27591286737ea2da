"""Complaints (pengaduan) and their evidence files."""

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .office import Office
from .sop import SopVersion
from .types import UTCDateTime, str_enum, utcnow
from .user import User


class Channel(enum.StrEnum):
    FACEBOOK = "facebook"
    X = "x"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    WHATSAPP = "whatsapp"
    SMS = "sms"
    PHONE = "phone"
    EMAIL = "email"
    WEBSITE = "website"
    LAPOR = "lapor"
    WALK_IN = "walk_in"


class Classification(enum.StrEnum):
    ASPIRATION = "aspiration"
    COMPLAINT = "complaint"
    INFORMATION_REQUEST = "information_request"


class ComplaintStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


#: The sooner of the step's and the whole complaint's deadline, NULLs
#: skipped (both NULL: NULL), as SQL for the open-complaint indexes; laid out
#: as PostgreSQL prints it back, so autogenerate finds it equal.
EARLIEST_DEADLINE_SQL = (
    "(\nCASE\n    WHEN step_due_at IS NULL THEN due_at\n"
    "    WHEN due_at IS NULL THEN step_due_at\n"
    "    WHEN step_due_at < due_at THEN step_due_at\n"
    "    ELSE due_at\nEND)")
#: Statuses of a complaint still being handled.
OPEN_STATUSES = (ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS)
#: Open complaints as SQL for the same indexes' WHERE (what
#: `dashboard.is_open()` renders, so the planner matches the two).
OPEN_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN_STATUSES))


class Complaint(db.Model):
    """One report from the public, registered under an office's SOP."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_office_received", "office_id", "received_at"),
        # The dashboard's month breakdown from the index alone (PostgreSQL,
        # pages marked all-visible by (auto)vacuum). Kept beside the narrow
        # one above: on a table not vacuumed yet PostgreSQL costs this wide
        # one for a bitmap scan so high that it falls back to scanning every
        # row of the office.
        Index("ix_complaints_office_received_kinds", "office_id", "received_at",
              "channel", "status", "classification"),
        # closed_at: "closed this month" is a range within (office, status).
        Index("ix_complaints_office_status", "office_id", "status", "closed_at"),
        Index("ix_complaints_channel_post", "channel", "external_post_id"),
        Index("ix_complaints_office_step_due", "office_id", "step_due_at"),
        # An office's open complaints in the dashboard's order (earliest
        # deadline, id): its lists and capped counts read only the rows they
        # show. Expression and predicate are those that
        # dashboard.earliest_deadline() and dashboard.is_open() render.
        Index("ix_complaints_open_office_deadline", "office_id",
              text(EARLIEST_DEADLINE_SQL), "id",
              postgresql_where=text(OPEN_SQL), sqlite_where=text(OPEN_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    #: Nomor register, e.g. PGD/2026/000123 (see complaints.assign_register_no).
    register_no: Mapped[str] = mapped_column(String(40), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 30))
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_contact: Mapped[str | None] = mapped_column(String(200))
    reporter_address: Mapped[str | None] = mapped_column(String(400))
    reporter_identity_no: Mapped[str | None] = mapped_column(String(40))
    reporter_email: Mapped[str | None] = mapped_column(String(200))
    #: The reporter agreed to receive e-mail notices.
    reporter_email_consent: Mapped[bool] = mapped_column(default=False)
    #: The reporter gave no identity at all.
    anonymous: Mapped[bool] = mapped_column(default=False)
    #: Identity hidden from everyone but the office's admins.
    confidential: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    #: Terlapor: the party complained about.
    subject_party: Mapped[str | None] = mapped_column(String(300))
    expectation: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[Classification] = mapped_column(
        str_enum(Classification, 30), default=Classification.COMPLAINT
    )
    #: External references: SP4N-LAPOR! tracking ID, city system (UPIK/JSS) ID.
    lapor_tracking_id: Mapped[str | None] = mapped_column(String(60))
    city_system_id: Mapped[str | None] = mapped_column(String(60))
    #: Link to, and id of, the original social-media post.
    source_url: Mapped[str | None] = mapped_column(String(500))
    external_post_id: Mapped[str | None] = mapped_column(String(120))
    sop_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_versions.id"))
    status: Mapped[ComplaintStatus] = mapped_column(
        str_enum(ComplaintStatus, 30), default=ComplaintStatus.NEW
    )
    #: Where the complaint stands in its SOP (workflow issue fills these in).
    current_step_number: Mapped[int | None] = mapped_column(Integer)
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Whole-complaint deadline.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Kode lacak for the public status page, stored hashed (see tracking.py).
    tracking_code_hash: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    # Intake may give only office_id; the notice listener reads the office of
    # a complaint that is still pending (before its flush).
    office: Mapped[Office] = relationship(load_on_pending=True)
    sop_version: Mapped[SopVersion | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan"
    )

    @property
    def is_closed(self) -> bool:
        return self.status == ComplaintStatus.CLOSED

    def __str__(self) -> str:
        return self.register_no

    def __repr__(self) -> str:
        return f"<Complaint {self.register_no}>"


class Evidence(db.Model):
    """A file attached to a complaint (screenshot, photo, letter)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: Set when the file was attached while acting on a step.
    complaint_step_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_steps.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="evidence")

    def __str__(self) -> str:
        return self.filename


class RegisterCounter(db.Model):
    """Last register number given per office and year."""

    __tablename__ = "register_counters"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
