"""Plain builder functions for test data (flushed, not committed)."""

import itertools
from datetime import UTC, datetime

from sop_admin.models import (
    AccessLevel,
    Channel,
    Complaint,
    Office,
    Role,
    Sop,
    SopLane,
    SopStep,
    SopVersion,
    StepKind,
    User,
    hash_password,
)

PASSWORD = "password-123"
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run
_seq = itertools.count(1)


class Factories:
    def __init__(self, db):
        self.db = db

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.flush()
        return obj

    def office(self, code: str | None = None, **kw) -> Office:
        n = next(_seq)
        return self._add(Office(
            code=code or f"OF{n}",
            government=kw.pop("government", "Pemerintah Kota Depok"),
            name=kw.pop("name", f"Dinas Komunikasi dan Informatika {n}"),
            **kw,
        ))

    def role(self, office: Office, name: str = "Admin Media Sosial") -> Role:
        return self._add(Role(office=office, name=name))

    def user(self, office: Office, level: AccessLevel = AccessLevel.STAFF,
             username: str | None = None, **kw) -> User:
        n = next(_seq)
        return self._add(User(
            username=username or f"user{n}",
            full_name=kw.pop("full_name", f"Pengguna {n}"),
            office=office,
            access_level=level,
            password_hash=_HASH,
            **kw,
        ))

    def sop(self, office: Office, number: str = "", status: str = "draft",
            lanes: tuple[str, ...] = ("Masyarakat", "Admin Media Sosial"),
            name: str = "SOP Penanganan Pengaduan") -> SopVersion:
        """A small valid SOP: start, a decision, a process and an end step."""
        sop = self._add(Sop(office=office, number=number))
        lane_rows = []
        for i, lane_name in enumerate(lanes):
            role = self.db.session.scalar(
                self.db.select(Role).filter_by(office_id=office.id, name=lane_name)
            ) or self.role(office, lane_name)
            lane_rows.append(SopLane(role=role, sort_order=i))
        version = SopVersion(sop=sop, office=office, name=name, status=status,
                             unit_government=office.government,
                             unit_office=office.name)
        version.lanes = lane_rows
        last = lane_rows[-1]
        version.steps = [
            SopStep(number=1, activity="Menerima pengaduan", lane=last,
                    kind=StepKind.START, time_text="5 menit"),
            SopStep(number=2, activity="Apakah dapat dijawab?", lane=last,
                    kind=StepKind.DECISION, if_yes=3, if_no=4),
            SopStep(number=3, activity="Menjawab pengaduan", lane=last,
                    kind=StepKind.PROCESS, time_text="1 jam", next_number=4),
            SopStep(number=4, activity="Selesai", lane=lane_rows[0],
                    kind=StepKind.END),
        ]
        return self._add(version)

    def complaint(self, office: Office, **kw) -> Complaint:
        n = next(_seq)
        received = kw.pop("received_at", datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
        return self._add(Complaint(
            office=office,
            register_no=kw.pop("register_no", f"{office.code}/{received:%Y}/{n:06d}"),
            received_at=received,
            channel=kw.pop("channel", Channel.FACEBOOK),
            subject=kw.pop("subject", f"Jalan rusak {n}"),
            description=kw.pop("description", "Jalan berlubang di depan pasar."),
            **kw,
        ))

    def api_token(self, office: Office, name: str = "Jembatan Instagram"):
        """An API token of `office`; returns (ApiToken, the secret)."""
        from sop_admin.api.tokens import new_token

        token, raw = new_token(office, name, created_by=None,
                               now=datetime.now(UTC))
        return token, raw
