"""Registering complaints: checking the report, its SOP and its register number.

The register number (nomor register) is what the office and the reporter quote
for the life of a complaint, so it must never repeat and should have no gaps.
It is counted per office and per year in `register_counters` with one atomic
upsert: concurrent registrations queue on the counter row instead of reading
the same "last value" and colliding, and a rolled-back registration rolls its
number back with it.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from .errors import SopAdminError
from .extensions import db
from .models import (
    Channel,
    Classification,
    Complaint,
    Office,
    RegisterCounter,
    SopStatus,
    SopVersion,
    User,
)

#: Fields a caller may give when registering; the rest belong to the workflow.
FIELDS = frozenset({
    "channel", "received_at", "reporter_name", "reporter_contact",
    "reporter_address", "reporter_identity_no", "anonymous", "confidential",
    "subject", "description", "subject_party", "expectation", "classification",
    "lapor_tracking_id", "city_system_id", "source_url", "external_post_id",
    "sop_version",
})
REQUIRED = ("channel", "received_at", "subject", "description")
IDENTITY_FIELDS = (
    "reporter_name", "reporter_contact", "reporter_address", "reporter_identity_no",
)

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class InvalidComplaint(SopAdminError):
    """A complaint that cannot be registered; `problems` name each field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def register_year(office: Office, received_at: datetime) -> int:
    """The year a complaint counts in: the calendar of the office's time zone."""
    return received_at.astimezone(ZoneInfo(office.timezone)).year


def assign_register_no(office: Office, received_at: datetime) -> str:
    """Take the next number of the office's year, e.g. ``DPK/2026/000123``.

    Runs in the caller's transaction: the counter row stays locked until it
    commits, which is what keeps concurrent numbers unique and gapless.
    """
    if office.id is None:
        db.session.flush()
    year = register_year(office, received_at)
    counters = RegisterCounter.__table__
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert(counters)
        .values(office_id=office.id, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[counters.c.office_id, counters.c.year],
            set_={"last_value": counters.c.last_value + 1},
        )
        .returning(counters.c.last_value)
    )
    value = db.session.execute(statement).scalar_one()
    return f"{office.code}/{year}/{value:06d}"


def complaint_sop_version(office: Office) -> SopVersion | None:
    """The office's active complaint-handling SOP, newest activation first.

    An office may have other active SOPs; the complaint one is told by its
    name (every complaint SOP is "... Pengaduan ...").
    """
    versions = db.session.scalars(
        select(SopVersion)
        .filter_by(office_id=office.id, status=SopStatus.ACTIVE)
        .order_by(SopVersion.activated_at.desc().nulls_last(), SopVersion.id.desc())
    ).all()
    for version in versions:
        if "pengaduan" in version.name.lower():
            return version
    return versions[0] if versions else None


def _coerce_enum(enum_cls, value, field: str, problems: list[str]):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        problems.append(
            f"{field}: nilai {value!r} tidak dikenal / unknown value "
            f"(pilihan / allowed: {allowed})"
        )
        return None


def _check(office: Office, now: datetime, fields: dict) -> list[str]:
    """Every problem with the given fields, each naming its field."""
    problems = [
        f"{name}: kolom tidak dikenal / unknown field"
        for name in sorted(set(fields) - FIELDS)
    ]
    for name in REQUIRED:
        value = fields.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"{name}: wajib diisi / required")
    if fields.get("channel") is not None:
        fields["channel"] = _coerce_enum(
            Channel, fields["channel"], "channel", problems
        )
    if fields.get("classification") is not None:
        fields["classification"] = _coerce_enum(
            Classification, fields["classification"], "classification", problems
        )
    received_at = fields.get("received_at")
    if isinstance(received_at, datetime):
        if received_at.tzinfo is None:
            problems.append(
                "received_at: waktu tanpa zona waktu / naive datetime, give a time zone"
            )
        elif received_at > now:
            problems.append(
                "received_at: tidak boleh di masa depan / must not be in the future"
            )
    elif received_at is not None:
        problems.append("received_at: bukan tanggal-waktu / not a datetime")
    if fields.get("anonymous"):
        problems += [
            f"{name}: harus kosong untuk laporan anonim / "
            "must be empty for an anonymous report"
            for name in IDENTITY_FIELDS
            if (fields.get(name) or "").strip()
        ]
    version = fields.get("sop_version")
    if version is not None and (
        version.office_id != office.id or version.status != SopStatus.ACTIVE
    ):
        problems.append(
            "sop_version: bukan SOP aktif kantor ini / "
            "not an active SOP of this office"
        )
    return problems


def register_complaint(
    office: Office, *, actor: User | None, now: datetime, **fields
) -> Complaint:
    """Check a new report, give it its SOP and register number, and add it.

    Raises `InvalidComplaint` listing every problem before anything is
    written, so a bad report takes no register number. Flushes, never commits.
    """
    problems = _check(office, now, fields)
    if problems:
        raise InvalidComplaint(problems)
    for name in ("subject", "description"):
        fields[name] = fields[name].strip()
    if "sop_version" not in fields:
        fields["sop_version"] = complaint_sop_version(office)
    complaint = Complaint(
        office=office,
        created_by=actor,
        created_at=now,
        updated_at=now,
        register_no=assign_register_no(office, fields["received_at"]),
        **fields,
    )
    db.session.add(complaint)
    db.session.flush()
    return complaint
