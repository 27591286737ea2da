"""SOP service: import and export documents, find, check, revise, activate, retire.

Used alike by `flask sop`, the demo data and the admin views. Functions take
`now` (and `actor` where a person acts) as arguments, add and flush, and never
commit: the caller owns the transaction, so a failed import leaves nothing.

Life of a version: draft -> active -> retired. Only a draft is edited; an
active version is changed by `revise`, which copies it into a new draft and
leaves the active one as it was until the draft is activated.
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func

from . import sopfile
from .errors import InvalidSopFile, SopAdminError, SopNotEditable
from .extensions import db
from .models import Office, Sop, SopHistoryEntry, SopStatus, SopVersion
from .sop_document import SopDocument
from .sop_mapping import (
    build_version,
    flow_steps,
    set_step_time,
    version_to_document,
)
from .sop_rules import document_problems, flow_problems

__all__ = [
    "activate", "ensure_editable", "export_document", "find_version",
    "import_document", "import_files", "office_code", "problems", "retire", "revise",
    "set_step_time",
]

#: Words left out of an office's initials.
_SMALL_WORDS = {"dan", "atau", "serta", "di", "ke", "dari", "pada", "untuk", "&"}
#: Words of a government name that are not the place.
_GOVERNMENT_WORDS = {"pemerintah", "pemerintahan", "kota", "kabupaten", "kab",
                     "provinsi", "prov"}


# -- import / export -----------------------------------------------------------

def import_document(document: SopDocument, *, office: Office | None = None,
                    activate: bool = False, now: datetime) -> SopVersion:
    """Store a document as a new draft (or active) version.

    The document is checked against the same rules as a file (InvalidSopFile
    if it breaks one) before anything is written.

    The office is the one given, else the office whose government, name and
    division match the file's unit, else a new office (see `office_code`).
    The SOP is found in that office by number, or by name when the number is
    empty; the new version gets the next version number.
    """
    found = document_problems(document.name, document.unit.government,
                              document.unit.office)
    found += flow_problems(document.lanes, [s.flow_step() for s in document.steps])
    if found:  # a document built in code rather than read by sopfile
        raise InvalidSopFile(document.name or "<dokumen/document>", found)
    office = office or _office_for(document, now)
    sop = _sop_for(office, document, now)
    last = db.session.scalar(
        db.select(func.max(SopVersion.version_no)).where(SopVersion.sop_id == sop.id)
    )
    version = build_version(document, sop, (last or 0) + 1, now)
    db.session.flush()
    if activate:
        _activate(version, now)
    return version


def import_files(paths: Iterable[str | Path], *, office: Office | None = None,
                 activate: bool = False, now: datetime) -> list[SopVersion]:
    """Import several files, all or nothing.

    Every file is read and checked before anything is written; if any file
    has a problem, InvalidSopFile lists the problems of all files (each one
    prefixed with its file name) and the session is untouched.
    """
    paths = [Path(p) for p in paths]
    documents, problems = [], []
    for path in paths:
        try:
            documents.append(sopfile.load(path))
        except InvalidSopFile as exc:
            problems += [f"{path}: {p}" for p in exc.problems]
    if problems:
        source = str(paths[0]) if len(paths) == 1 else f"{len(paths)} berkas/files"
        raise InvalidSopFile(source, problems)
    return [import_document(d, office=office, activate=activate, now=now)
            for d in documents]


def export_document(version: SopVersion) -> SopDocument:
    return version_to_document(version)


def find_version(number_or_id: int | str, office: Office | None = None) -> SopVersion:
    """The version an id names, or the active (else latest) version of an SOP number.

    An int is a version id. A text is an SOP number; when no SOP has that
    number and the text is all digits, it is taken as a version id. A number
    used by several offices needs `office`.
    """
    if isinstance(number_or_id, int):
        return _version_by_id(number_or_id, office)
    text = number_or_id.strip()
    query = db.select(Sop).where(Sop.number == text, Sop.number != "")
    if office is not None:
        query = query.where(Sop.office_id == office.id)
    found = list(db.session.scalars(query.order_by(Sop.id)))
    if not found and text.isdigit():
        return _version_by_id(int(text), office)
    if not found:
        raise SopAdminError(f'SOP nomor "{text}" tidak ditemukan / '
                            f'no SOP numbered "{text}"')
    if len(found) > 1:
        codes = ", ".join(sop.office.code for sop in found)
        raise SopAdminError(
            f'SOP nomor "{text}" ada di beberapa unit ({codes}); pilih --office / '
            f'SOP number "{text}" is used by several offices ({codes}); '
            "choose one with --office"
        )
    sop = found[0]
    version = sop.active_version or sop.latest_version
    if version is None:
        raise SopAdminError(f'SOP nomor "{text}" belum punya versi / has no version')
    return version


def _version_by_id(version_id: int, office: Office | None) -> SopVersion:
    version = db.session.get(SopVersion, version_id)
    if version is None or (office is not None and version.office_id != office.id):
        raise SopAdminError(f"Versi SOP {version_id} tidak ditemukan / "
                            f"SOP version {version_id} not found")
    return version


# -- checks and life cycle -------------------------------------------------------

def problems(version: SopVersion) -> list[str]:
    """Every rule of the file contract the version breaks; [] when valid."""
    return [
        *document_problems(version.name, version.unit_government,
                           version.unit_office),
        *flow_problems([lane.name for lane in version.lanes], flow_steps(version)),
    ]


def ensure_editable(version: SopVersion) -> None:
    """Refuse changes to an active or retired version (revise it instead)."""
    if version.status != SopStatus.DRAFT:
        raise SopNotEditable(
            f"Versi {version.version_no} berstatus {version.status.value}: hanya "
            "draf yang dapat diubah; buat revisi / only a draft can be edited; "
            "revise the active version instead"
        )


def revise(version: SopVersion, *, actor, reason: str, now: datetime) -> SopVersion:
    """Copy an active version into a new draft, recording why in its history.

    The active version stays active and unchanged until the draft is
    activated. The reason becomes a Sejarah Dokumen row of the draft, dated
    `now` in the office's time zone, with the actor's name as its note.
    """
    if version.status != SopStatus.ACTIVE:
        raise SopAdminError("Hanya versi aktif yang dapat direvisi / "
                            "only the active version can be revised")
    reason = (reason or "").strip()
    if not reason:
        raise SopAdminError("Alasan revisi wajib diisi / a reason for the revision "
                            "is required")
    document = export_document(version)
    last = max(v.version_no for v in version.sop.versions)
    draft = build_version(document, version.sop, last + 1, now)
    # Public labels (/lacak) are panel-only, not in the file: carried by number.
    for step in draft.steps:
        original = version.step(step.number)
        step.public_label = original.public_label if original else None
    draft.history.append(SopHistoryEntry(
        sort_order=len(draft.history), date=_office_date(version.office, now),
        change=reason, note=getattr(actor, "full_name", "") or "",
    ))
    db.session.flush()
    return draft


def activate(version: SopVersion, *, now: datetime) -> SopVersion:
    """Make a valid draft the active version, retiring the one it replaces."""
    return _activate(version, now)


def _activate(version: SopVersion, now: datetime) -> SopVersion:
    if version.status != SopStatus.DRAFT:
        raise SopAdminError(
            f"Hanya draf yang dapat diaktifkan (status: {version.status.value}) / "
            "only a draft can be activated"
        )
    found = problems(version)
    if found:
        raise SopAdminError(
            "SOP belum dapat diaktifkan / the SOP cannot be activated: "
            + "; ".join(found)
        )
    current = version.sop.active_version
    if current is not None:
        _retire(current, now)
        db.session.flush()  # the partial unique index allows one active version
    version.status = SopStatus.ACTIVE
    version.activated_at = now
    db.session.flush()
    return version


def retire(version: SopVersion, *, now: datetime) -> SopVersion:
    """Take an active version (or abandon a draft) out of use; kept for the record."""
    if version.status == SopStatus.RETIRED:
        raise SopAdminError("Versi ini sudah tidak berlaku / already retired")
    _retire(version, now)
    db.session.flush()
    return version


def _retire(version: SopVersion, now: datetime) -> None:
    version.status = SopStatus.RETIRED
    version.retired_at = now


def _office_date(office: Office, now: datetime) -> date:
    return now.astimezone(ZoneInfo(office.timezone or "Asia/Jakarta")).date()


# -- offices and SOPs found or made by an import -------------------------------------

def _same(a: str | None, b: str | None) -> bool:
    """Equal up to case and spacing: letterheads are often typed in capitals."""
    return _key(a) == _key(b)


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _office_for(document: SopDocument, now: datetime) -> Office:
    unit = document.unit
    for office in db.session.scalars(db.select(Office).order_by(Office.id)):
        if (_same(office.government, unit.government)
                and _same(office.name, unit.office)
                and _same(office.division, unit.division)):
            return office
    office = Office(code=office_code(unit.government, unit.office),
                    government=unit.government, name=unit.office,
                    division=unit.division, created_at=now)
    db.session.add(office)
    db.session.flush()
    return office


def office_code(government: str, office_name: str) -> str:
    """A short unique code for a new office, e.g. DKI-DEP or DP3AP2KB-JT.

    First part: an acronym the office name gives in brackets ("(DP3AP2KB)"),
    else the initials of its words without small words (dan, di, ...), at
    most 8 letters. Second part: the place in the government name (without
    Pemerintah/Kota/Kabupaten/Provinsi): its first 3 letters if one word,
    else its initials. If the code is taken, 2, 3, ... is appended (trimmed
    to the 12 characters the column holds).
    """
    bracket = re.search(r"\(([^)]+)\)", office_name)
    if bracket and _ascii(bracket[1]).replace(" ", ""):
        first = _ascii(bracket[1]).replace(" ", "")
    else:
        words = [w for w in _words(office_name) if w.lower() not in _SMALL_WORDS]
        first = "".join(w[0] for w in words)
    place = [w for w in _words(government) if w.lower() not in _GOVERNMENT_WORDS]
    second = place[0][:3] if len(place) == 1 else "".join(w[0] for w in place)
    base = "-".join(part for part in (first[:8], second[:3]) if part) or "UNIT"
    code, n = base, 1
    while db.session.scalar(db.select(Office.id).where(Office.code == code)):
        n += 1
        code = f"{base[:12 - len(str(n))]}{n}"
    return code


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9 ]", " ", plain).upper().strip()


def _words(text: str) -> list[str]:
    return _ascii(re.sub(r"\([^)]*\)", " ", text)).split()


def _sop_for(office: Office, document: SopDocument, now: datetime) -> Sop:
    if document.number:
        sop = db.session.scalar(db.select(Sop).where(
            Sop.office_id == office.id, Sop.number == document.number))
    else:
        sop = next((s for s in db.session.scalars(
            db.select(Sop).where(Sop.office_id == office.id, Sop.number == "")
            .order_by(Sop.id)
        ) if s.latest_version and _same(s.latest_version.name, document.name)), None)
    if sop is None:
        sop = Sop(office=office, number=document.number, created_at=now)
        db.session.add(sop)
        db.session.flush()
    return sop
