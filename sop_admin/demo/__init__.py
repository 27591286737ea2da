"""Demo data: the five seed SOPs, their offices, users and sample complaints.

`make run` loads it into an empty database so that a fresh clone shows a
working panel. `load` only adds and flushes; the caller (`flask demo load`)
commits once at the end, so a failure leaves the database as it was.
"""

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from faker import Faker

from .. import escalation, sopfile, sops
from ..errors import SopAdminError
from ..extensions import db
from ..models import Office, hash_password
from .complaints import DemoOffice, make_complaints
from .handling import staffing
from .offices import (
    DEMO_PASSWORD,
    DemoLogin,
    demo_codes_taken,
    demo_logins,
    make_office,
    make_superadmin,
    make_users,
    office_code_for,
)

__all__ = ["DEMO_PASSWORD", "SEED_DIR", "DemoLogin", "LoadSummary", "demo_logins",
           "has_offices", "load", "seed_files"]

SEED_DIR = Path(__file__).resolve().parent / "sops"


class DemoDataExists(SopAdminError):
    """The demo offices are already in the database."""


@dataclass(frozen=True)
class LoadSummary:
    offices: int
    sops: int
    users: int
    complaints: int


def _no_progress(items, _label: str) -> AbstractContextManager:
    return nullcontext(items)


def seed_files() -> list[Path]:
    files = sorted(SEED_DIR.glob("*.yaml"))
    if not files:
        raise SopAdminError(
            f"Berkas SOP demo tidak ditemukan / no demo SOP files in {SEED_DIR}"
        )
    return files


def has_offices() -> bool:
    return db.session.scalar(db.select(Office.id).limit(1)) is not None


def load(*, complaints: int = 300, seed: int = 1, now: datetime,
         progress=_no_progress) -> LoadSummary:
    """Add the demo offices, SOPs (active), users and `complaints` reports.

    `progress(items, label)` wraps long loops in a context manager yielding
    the items (the CLI passes `click.progressbar`). Raises DemoDataExists if
    a demo office or the superadmin is already there.
    """
    documents = [(path, sopfile.load(path)) for path in seed_files()]
    codes = [office_code_for(document.unit) for _, document in documents]
    taken = demo_codes_taken(codes)
    if taken:
        raise DemoDataExists(
            f"Data demo sudah ada ({', '.join(taken)}); gunakan --if-empty atau "
            "basis data kosong / demo data already loaded; use --if-empty or an "
            "empty database"
        )
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 once, not per user
    offices, users = [], []
    with progress(list(zip(codes, documents, strict=True)), "SOP demo / demo SOPs") \
            as bar:
        for code, (_path, document) in bar:
            office = make_office(document.unit, code, now)
            version = sops.import_document(
                document, office=office, activate=True, now=now
            )
            office_users = make_users(office, fake, password_hash, now)
            users += office_users
            offices.append(DemoOffice(
                office=office, staffing=staffing(office_users), version=version,
                place=office.government.removeprefix("Pemerintah ").strip(),
            ))
    users.append(make_superadmin(offices[0].office, fake, password_hash, now))
    made = make_complaints(offices, complaints, seed=seed, now=now,
                           progress=progress)
    # What `flask sla check` from cron would have done by now: the steps
    # still open past their deadline go up their SOP's chain.
    escalation.check(db.session, now)
    return LoadSummary(len(offices), len(offices), len(users), len(made))
