"""Users, their access levels and the positions they hold."""

import enum
import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .office import Office, Role
from .types import UTCDateTime, str_enum, utcnow

_hasher = PasswordHasher()


class AccessLevel(enum.StrEnum):
    """What a user may do inside their office."""

    ADMIN = "admin"  #: everything in the office
    STAFF = "staff"  #: complaints of the office
    RECORDS_OFFICER = "records_officer"  #: read everything, print
    AUDITOR = "auditor"  #: read everything including history


user_roles = Table(
    "user_roles",
    db.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("role_id", ForeignKey("roles.id"), primary_key=True),
)

NIP_RE = re.compile(r"^\d{18}$")


def normalise_nip(value: str | None) -> str | None:
    """Strip the spaces offices print inside a NIP; check it is 18 digits."""
    if value is None or not value.strip():
        return None
    digits = re.sub(r"\s+", "", value)
    if not NIP_RE.match(digits):
        raise ValueError(
            f"NIP harus 18 digit angka / NIP must be 18 digits: {value!r}"
        )
    return digits


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class User(UserMixin, db.Model):
    """A person who logs in. Never deleted: deactivate to keep history's actor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    access_level: Mapped[AccessLevel] = mapped_column(
        str_enum(AccessLevel),
        default=AccessLevel.STAFF,
    )
    #: Admin of every office (the one who sets offices up).
    is_superadmin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[Office] = relationship()
    roles: Mapped[list[Role]] = relationship(secondary=user_roles)

    @validates("nip")
    def _check_nip(self, _key, value):
        return normalise_nip(value)

    @validates("username")
    def _check_username(self, _key, value: str):
        value = (value or "").strip()
        if not re.fullmatch(r"[A-Za-z0-9._-]{3,80}", value):
            raise ValueError(
                "Nama pengguna 3-80 karakter: huruf, angka, titik, garis / "
                "username must be 3-80 letters, digits, . _ -"
            )
        return value

    def set_password(self, password: str) -> None:
        if len(password) < 8:
            raise ValueError(
                "Kata sandi minimal 8 karakter / password needs 8+ characters"
            )
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_level(self, *levels: AccessLevel) -> bool:
        return self.access_level in levels

    def holds_role(self, role_id: int) -> bool:
        return any(r.id == role_id for r in self.roles)

    def __str__(self) -> str:
        return self.full_name if self.active else f"{self.full_name} (nonaktif)"

    def __repr__(self) -> str:
        return f"<User {self.username}>"
