"""SOP documents (Permenpan RB 35/2012) and their versions.

An `Sop` is the document an office knows by its number; each `SopVersion`
is one text of it. Only a draft version is edited; an active one is revised
by copying it into a new draft (see `sops.revise`). A partial unique index
keeps at most one active version per SOP.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .office import Office, Role
from .types import UTCDateTime, str_enum, utcnow


class SopStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class StepKind(enum.StrEnum):
    START = "start"
    PROCESS = "process"
    DECISION = "decision"
    END = "end"


class TimeUnit(enum.StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WORKING_DAY = "working_day"


class ListName(enum.StrEnum):
    """The six numbered boxes of the identity page, in print order."""

    LEGAL_BASIS = "legal_basis"
    QUALIFICATIONS = "qualifications"
    RELATED_SOPS = "related_sops"
    EQUIPMENT = "equipment"
    WARNINGS = "warnings"
    RECORDS = "records"


class Sop(db.Model):
    """An SOP document of an office; its text lives in versions."""

    __tablename__ = "sops"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    #: Nomor SOP; may be empty.
    number: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    office: Mapped[Office] = relationship()
    versions: Mapped[list["SopVersion"]] = relationship(
        back_populates="sop", order_by="SopVersion.version_no"
    )

    @property
    def active_version(self) -> "SopVersion | None":
        return next((v for v in self.versions if v.status == SopStatus.ACTIVE), None)

    @property
    def latest_version(self) -> "SopVersion | None":
        return self.versions[-1] if self.versions else None

    def __str__(self) -> str:
        latest = self.latest_version
        name = latest.name if latest else ""
        return f"{self.number} {name}".strip()

    def __repr__(self) -> str:
        return f"<Sop {self.id} {self.number!r}>"


class SopVersion(db.Model):
    """One text of an SOP: identity page, lists, lanes, steps and sheets."""

    __tablename__ = "sop_versions"
    __table_args__ = (
        UniqueConstraint("sop_id", "version_no"),
        Index(
            "uq_sop_versions_one_active",
            "sop_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_sop_versions_office_status", "office_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[int] = mapped_column(ForeignKey("sops.id"), index=True)
    #: Copied from the SOP so that office scoping needs no join.
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    version_no: Mapped[int] = mapped_column(default=1)
    status: Mapped[SopStatus] = mapped_column(
        str_enum(SopStatus), default=SopStatus.DRAFT
    )
    name: Mapped[str] = mapped_column(String(300))
    #: Letterhead lines printed on this version (copied from the file or office).
    unit_government: Mapped[str] = mapped_column(String(200), default="")
    unit_office: Mapped[str] = mapped_column(String(200), default="")
    unit_division: Mapped[str | None] = mapped_column(String(200))
    created_on: Mapped[date | None]
    revised_on: Mapped[date | None]
    effective_on: Mapped[date | None]
    approved_on: Mapped[date | None]
    approver_position: Mapped[str] = mapped_column(String(300), default="")
    approver_name: Mapped[str] = mapped_column(String(200), default="")
    approver_rank: Mapped[str | None] = mapped_column(String(120))
    approver_nip: Mapped[str | None] = mapped_column(String(18))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sop: Mapped[Sop] = relationship(back_populates="versions")
    office: Mapped[Office] = relationship()
    list_items: Mapped[list["SopListItem"]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        order_by="SopListItem.sort_order",
    )
    lanes: Mapped[list["SopLane"]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="SopLane.sort_order",
    )
    steps: Mapped[list["SopStep"]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="SopStep.number",
    )
    approvals: Mapped[list["SopApproval"]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="SopApproval.sort_order",
    )
    coordination_initials: Mapped[list["SopCoordinationInitial"]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="SopCoordinationInitial.sort_order",
    )
    history: Mapped[list["SopHistoryEntry"]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="SopHistoryEntry.sort_order",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == SopStatus.DRAFT

    def items_of(self, name: ListName) -> list["SopListItem"]:
        """Top-level items of one of the six lists, in order."""
        return [i for i in self.list_items if i.list_name == name and i.parent is None]

    def step(self, number: int) -> "SopStep | None":
        return next((s for s in self.steps if s.number == number), None)

    def __str__(self) -> str:
        return f"{self.name} (v{self.version_no}, {self.status.value})"

    def __repr__(self) -> str:
        return f"<SopVersion {self.id} sop={self.sop_id} v{self.version_no}>"


class SopListItem(db.Model):
    """An item of one of the six identity-page lists; may have sub-points."""

    __tablename__ = "sop_list_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("sop_versions.id", ondelete="CASCADE"), index=True
    )
    list_name: Mapped[ListName] = mapped_column(str_enum(ListName))
    sort_order: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("sop_list_items.id", ondelete="CASCADE")
    )

    version: Mapped[SopVersion] = relationship(back_populates="list_items")
    parent: Mapped["SopListItem | None"] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list["SopListItem"]] = relationship(
        back_populates="parent", order_by="SopListItem.sort_order"
    )

    def __str__(self) -> str:
        return self.text


class SopLane(db.Model):
    """A Pelaksana column: which position performs the steps placed in it."""

    __tablename__ = "sop_lanes"
    __table_args__ = (UniqueConstraint("version_id", "role_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("sop_versions.id", ondelete="CASCADE"), index=True
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))

    version: Mapped[SopVersion] = relationship(back_populates="lanes")
    role: Mapped[Role] = relationship()

    @property
    def name(self) -> str:
        return self.role.name if self.role else ""

    def __str__(self) -> str:
        return self.name


class SopStep(db.Model):
    """A row of the flowchart table."""

    __tablename__ = "sop_steps"
    __table_args__ = (UniqueConstraint("version_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("sop_versions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    activity: Mapped[str] = mapped_column(Text)
    lane_id: Mapped[int] = mapped_column(ForeignKey("sop_lanes.id"))
    kind: Mapped[StepKind] = mapped_column(str_enum(StepKind), default=StepKind.PROCESS)
    #: Mutu Baku: Kelengkapan.
    requirements: Mapped[str] = mapped_column(Text, default="")
    #: Mutu Baku: Waktu, exactly as printed; the parsed form beside it.
    time_text: Mapped[str] = mapped_column(String(60), default="")
    time_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    time_unit: Mapped[TimeUnit | None] = mapped_column(str_enum(TimeUnit))
    #: "1 jam sekali": a monitoring interval, not a deadline.
    time_is_interval: Mapped[bool] = mapped_column(default=False)
    output: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    #: Explicit next step; None means "the following step" (or nothing after an end).
    next_number: Mapped[int | None]
    if_yes: Mapped[int | None]
    if_no: Mapped[int | None]
    #: Plain words for the public status page (/lacak); empty = derived from
    #: the step (see tracking.py). Panel-only, not part of the SOP file.
    public_label: Mapped[str | None] = mapped_column(String(200))

    version: Mapped[SopVersion] = relationship(back_populates="steps")
    lane: Mapped[SopLane] = relationship()

    @property
    def successors(self) -> list[int]:
        """Step numbers this step leads to, as the flowchart draws them."""
        if self.kind == StepKind.DECISION:
            return [n for n in (self.if_yes, self.if_no) if n is not None]
        if self.kind == StepKind.END:
            return [self.next_number] if self.next_number else []
        return [self.next_number or self.number + 1]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity}"

    def __repr__(self) -> str:
        return f"<SopStep {self.number} {self.kind}>"


class SopApproval(db.Model):
    """A row of the Pengesahan sheet (Konseptor, Diperiksa oleh, Disahkan oleh)."""

    __tablename__ = "sop_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("sop_versions.id", ondelete="CASCADE"), index=True
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(300), default="")

    version: Mapped[SopVersion] = relationship(back_populates="approvals")

    def __str__(self) -> str:
        return f"{self.role}: {self.name}"


class SopCoordinationInitial(db.Model):
    """A position that initials the SOP before signature (Paraf Koordinasi)."""

    __tablename__ = "sop_coordination_initials"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("sop_versions.id", ondelete="CASCADE"), index=True
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    position: Mapped[str] = mapped_column(String(300))

    version: Mapped[SopVersion] = relationship(back_populates="coordination_initials")

    def __str__(self) -> str:
        return self.position


class SopHistoryEntry(db.Model):
    """A row of the Sejarah Dokumen sheet."""

    __tablename__ = "sop_history_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("sop_versions.id", ondelete="CASCADE"), index=True
    )
    sort_order: Mapped[int] = mapped_column(default=0)
    date: Mapped[date | None]
    change: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[SopVersion] = relationship(back_populates="history")

    def __str__(self) -> str:
        return self.change
