"""Offices (unit kerja) and the positions (jabatan) inside them."""

from datetime import datetime, time

from sqlalchemy import ForeignKey, LargeBinary, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

#: Time zones an Indonesian office can be in (WIB, WITA, WIT).
TIMEZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
PAPER_SIZES = ("A4", "F4")


class Office(db.Model):
    """A government office or unit that owns SOPs, users and complaints."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code used in register numbers, e.g. PGD in PGD/2026/000123.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: Top line of the letterhead: Pemerintah Kota Depok.
    government: Mapped[str] = mapped_column(String(200))
    #: Dinas Komunikasi dan Informatika.
    name: Mapped[str] = mapped_column(String(200))
    division: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mimetype: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    paper_size: Mapped[str] = mapped_column(String(4), default="A4")
    #: Office hours, used by working-day deadlines.
    opens_at: Mapped[time] = mapped_column(Time, default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(Time, default=time(16, 0))
    #: Whole-complaint limits in working days (SP4N-LAPOR!: 3 / 5 / 10).
    forward_days: Mapped[int] = mapped_column(default=3)
    respond_days: Mapped[int] = mapped_column(default=5)
    close_days: Mapped[int] = mapped_column(default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list["Role"]] = relationship(
        back_populates="office", order_by="Role.name"
    )

    @property
    def timezone_label(self) -> str:
        return TIMEZONES.get(self.timezone, self.timezone)

    def __str__(self) -> str:
        return f"{self.name} ({self.government})" if self.government else self.name

    def __repr__(self) -> str:
        return f"<Office {self.code}>"


class Role(db.Model):
    """A position (jabatan) that performs SOP steps: a lane of the flowchart."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("office_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(500))

    office: Mapped[Office] = relationship(back_populates="roles")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Role {self.name!r}>"
