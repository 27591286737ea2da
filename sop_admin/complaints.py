"""Registering complaints: checking the report, its SOP and its register number.

The register number (nomor register) is what the office and the reporter quote
for the life of a complaint, so it must never repeat and should have no gaps.
It is counted per office and per year in `register_counters` with one atomic
upsert: concurrent registrations queue on the counter row instead of reading
the same "last value" and colliding, and a rolled-back registration rolls its
number back with it.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from . import tracking
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
    "reporter_address", "reporter_identity_no", "reporter_email",
    "reporter_email_consent", "anonymous", "confidential",
    "subject", "description", "subject_party", "expectation", "classification",
    "lapor_tracking_id", "city_system_id", "source_url", "external_post_id",
    "sop_version",
})
REQUIRED = ("channel", "received_at", "subject", "description")
#: Who the reporter is: empty for an anonymous report, masked when confidential.
IDENTITY_FIELDS = (
    "reporter_name", "reporter_contact", "reporter_address", "reporter_identity_no",
    "reporter_email",
)
TEXT_FIELDS = (
    *IDENTITY_FIELDS, "subject", "description", "subject_party", "expectation",
    "lapor_tracking_id", "city_system_id", "source_url", "external_post_id",
)
FLAG_FIELDS = ("anonymous", "confidential", "reporter_email_consent")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class InvalidComplaint(SopAdminError):
    """A complaint that cannot be registered.

    `fields` maps each bad field to its message (several joined by "; "),
    so the form, the API and the import can each point at the field;
    `problems` is the same as "field: message" lines.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.fields: dict[str, str] = {}
        for name, message in problems:
            known = self.fields.get(name)
            self.fields[name] = f"{known}; {message}" if known else message
        self.problems = [f"{name}: {message}" for name, message in problems]
        super().__init__("; ".join(self.problems))


class DuplicateComplaint(SopAdminError):
    """The same post (channel + post id or link) is already registered."""

    def __init__(self, existing: "Complaint"):
        self.existing = existing
        super().__init__(
            f"sudah terdaftar sebagai {existing.register_no} / "
            f"already registered as {existing.register_no}"
        )


@dataclass(frozen=True)
class Registration:
    """A registered complaint and its tracking code, shown once to staff."""

    complaint: Complaint
    tracking_code: str


class OfficeKey(Protocol):
    """What registering needs of an office: an `Office`, or the API's
    `OfficeRef` read with its token (no second query per report)."""

    id: int | None
    code: str
    timezone: str


def register_year(office: OfficeKey, received_at: datetime) -> int:
    """The year a complaint counts in: the calendar of the office's time zone."""
    return received_at.astimezone(ZoneInfo(office.timezone)).year


def assign_register_no(office: OfficeKey, received_at: datetime) -> str:
    """Take the next number of the office's year, e.g. ``DPK/2026/000123``.

    Runs in the caller's transaction: the counter row stays locked until it
    commits, which is what keeps concurrent numbers unique and gapless.
    """
    if office.id is None:
        db.session.flush()
    year = register_year(office, received_at)
    statement = _counter_upsert(db.session.get_bind().dialect.name)
    value = db.session.execute(
        statement, {"office_id": office.id, "year": year}).scalar_one()
    return f"{office.code}/{year}/{value:06d}"


@cache
def _counter_upsert(dialect: str):
    """The counter's upsert, built once per engine kind (intake runs it per report)."""
    counters = RegisterCounter.__table__
    return (
        _INSERTS[dialect](counters)
        .values(office_id=bindparam("office_id"), year=bindparam("year"),
                last_value=1)
        .on_conflict_do_update(
            index_elements=[counters.c.office_id, counters.c.year],
            set_={"last_value": counters.c.last_value + 1},
        )
        .returning(counters.c.last_value)
    )


def complaint_sop_version_id(office_id: int) -> int | None:
    """Id of the office's active complaint-handling SOP, newest activation first.

    An office may have other active SOPs; the complaint one is told by its
    name (every complaint SOP is "... Pengaduan ..."). Picked by the
    database and only the id read: intake asks this for every report.
    """
    return db.session.scalar(_COMPLAINT_SOP_ID, {"office_id": office_id})


_COMPLAINT_SOP_ID = (
    select(SopVersion.id)
    .where(SopVersion.office_id == bindparam("office_id"),
           SopVersion.status == SopStatus.ACTIVE)
    .order_by(case((func.lower(SopVersion.name).like("%pengaduan%"), 0), else_=1),
              SopVersion.activated_at.desc().nulls_last(), SopVersion.id.desc())
    .limit(1)
)


def complaint_sop_version(office: Office) -> SopVersion | None:
    """The office's active complaint-handling SOP (see `complaint_sop_version_id`)."""
    version_id = complaint_sop_version_id(office.id)
    return None if version_id is None else db.session.get(SopVersion, version_id)


def _coerce_enum(enum_cls, value, field: str, problems: list):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        problems.append((field, f"nilai {value!r} tidak dikenal / unknown value "
                                f"(pilihan / allowed: {allowed})"))
        return None


def _check_texts(fields: dict, problems: list) -> None:
    """Texts are text, fit their column, and links and addresses look right."""
    columns = Complaint.__table__.c
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append((name, "harus teks / must be a string"))
            continue
        limit = getattr(columns[name].type, "length", None)
        if limit and len(value) > limit:
            problems.append((name, f"terlalu panjang, maksimal {limit} karakter / "
                                   f"too long, at most {limit} characters"))
    for name in FLAG_FIELDS:
        if name in fields and not isinstance(fields[name], bool | None):
            problems.append((name, "harus true atau false / must be a boolean"))
    email = fields.get("reporter_email")
    if isinstance(email, str) and email.strip() and not EMAIL_RE.match(email.strip()):
        problems.append(("reporter_email",
                         "bukan alamat surel / not an e-mail address"))
    if fields.get("reporter_email_consent") is True and not (
        isinstance(email, str) and email.strip()
    ):
        problems.append(("reporter_email_consent",
                         "perlu alamat surel pelapor / needs reporter_email"))
    url = fields.get("source_url")
    if isinstance(url, str) and url.strip() and not re.match(
        r"^https?://\S+$", url.strip(), re.IGNORECASE
    ):
        problems.append(("source_url",
                         "harus tautan http(s):// / must be an http(s) link"))


def check_complaint(
    office: OfficeKey, now: datetime, fields: dict
) -> list[tuple[str, str]]:
    """Every problem with the given fields as (field, message); writes nothing.

    Converts channel and classification given as text to their enums in
    `fields`, so a caller that checks first registers what it checked.
    """
    problems = [
        (name, "kolom tidak dikenal / unknown field")
        for name in sorted(set(fields) - FIELDS)
    ]
    for name in REQUIRED:
        value = fields.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append((name, "wajib diisi / required"))
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
            problems.append(("received_at", "waktu tanpa zona waktu / naive "
                                            "datetime, give a time zone"))
        elif received_at > now:
            problems.append(("received_at", "tidak boleh di masa depan / must not "
                                            "be in the future"))
    elif received_at is not None:
        problems.append(("received_at", "bukan tanggal-waktu / not a datetime"))
    _check_texts(fields, problems)
    if fields.get("anonymous"):
        problems += [
            (name, "harus kosong untuk laporan anonim / "
                   "must be empty for an anonymous report")
            for name in IDENTITY_FIELDS
            if isinstance(fields.get(name), str) and fields[name].strip()
        ]
    version = fields.get("sop_version")
    if version is not None and (
        version.office_id != office.id or version.status != SopStatus.ACTIVE
    ):
        problems.append(("sop_version", "bukan SOP aktif kantor ini / "
                                        "not an active SOP of this office"))
    return problems


def find_duplicate(office: OfficeKey, channel, external_post_id: str | None,
                   source_url: str | None) -> Complaint | None:
    """The office's complaint from the same post, if registered already.

    The same post is the same channel and post id; a report without a post
    id is told by its link. A report with neither has no duplicate.
    """
    if external_post_id:
        statement, key = _SAME_POST, external_post_id
    elif source_url:
        statement, key = _SAME_LINK, source_url
    else:
        return None
    found = db.session.scalar(
        statement, {"office_id": office.id, "channel": channel, "key": key})
    return None if found is None else db.session.get(Complaint, found)


def _same_post_query(match):
    """Only the id is read: intake asks for every report and almost always
    there is none (a whole complaint row costs more to describe)."""
    return (select(Complaint.id)
            .where(Complaint.office_id == bindparam("office_id"),
                   Complaint.channel == bindparam("channel"), match)
            .order_by(Complaint.id)
            .limit(1))


_SAME_POST = _same_post_query(Complaint.external_post_id == bindparam("key"))
_SAME_LINK = _same_post_query(and_(Complaint.source_url == bindparam("key"),
                                   Complaint.external_post_id.is_(None)))


def register_complaint(
    office: OfficeKey, *, actor: User | None, now: datetime, **fields
) -> Registration:
    """Check a new report, give it its SOP, register number and tracking code.

    Raises `InvalidComplaint` listing every problem before anything is
    written, so a bad report takes no register number. Raises
    `DuplicateComplaint` for a post already registered; that check comes
    after the register number is taken, so two concurrent registrations of
    one post queue on the office's counter row and the second sees the
    first (the caller rolls the number back with the transaction).
    Flushes, never commits.
    """
    problems = check_complaint(office, now, fields)
    if problems:
        raise InvalidComplaint(problems)
    if office.id is None:  # an office added in this same transaction
        db.session.flush()
    for name in TEXT_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip() or None
    for name in (*FLAG_FIELDS, "classification"):
        if name in fields and fields[name] is None:
            del fields[name]  # not given: the column's default
    if "sop_version" not in fields:
        fields["sop_version_id"] = complaint_sop_version_id(office.id)
    register_no = assign_register_no(office, fields["received_at"])
    existing = find_duplicate(office, fields["channel"],
                              fields.get("external_post_id"), fields.get("source_url"))
    if existing is not None:
        raise DuplicateComplaint(existing)
    complaint = Complaint(
        office_id=office.id,
        created_by=actor,
        created_at=now,
        updated_at=now,
        register_no=register_no,
        **fields,
    )
    code = tracking.issue(complaint)
    db.session.add(complaint)
    db.session.flush()
    return Registration(complaint, code)
