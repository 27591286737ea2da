"""Demo offices and their users, built from the seed SOPs' letterheads.

Each seed SOP belongs to a real office (Diskominfo Depok, Dinas Kebudayaan
DKI, ...). The demo gives each one a short register code and four users, one
per access level, so a visitor can log in as each kind of person and see
what they may do. Users hold the SOP lanes (jabatan) they would hold in the
office: the staf user the operational positions, the admin the supervisory
ones; the public's lane (Masyarakat/Pelapor) is held by nobody.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from faker import Faker

from ..extensions import db
from ..models import AccessLevel, Office, Role, User
from ..sopfile import Unit

#: Place named in a seed's letterhead -> the office's short code.
PLACE_CODES = (
    ("depok", "DPK"),
    ("yogyakarta", "YGY"),
    ("bekasi", "BKS"),
    ("jakarta", "DKI"),
    ("jawa tengah", "JTG"),
)
#: Username suffix -> access level, in the order logins are listed.
LEVELS = (
    ("admin", AccessLevel.ADMIN),
    ("staf", AccessLevel.STAFF),
    ("arsip", AccessLevel.RECORDS_OFFICER),
    ("auditor", AccessLevel.AUDITOR),
)
SUPERADMIN = "superadmin"
#: One password for every demo account, printed by `flask demo logins`.
DEMO_PASSWORD = "demo-sop-2026"  # noqa: S105 - published demo credential

_PUBLIC_LANE = re.compile(r"masyarakat|pelapor", re.IGNORECASE)
_SUPERVISOR_LANE = re.compile(
    r"\b(kepala|kabid|kasi|kasie|kabag|kadis|sekretaris|ketua|pimpinan)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    office_code: str
    level: str
    password: str


def office_code_for(unit: Unit) -> str:
    """The demo code of a seed's office, from the place in its letterhead."""
    text = f"{unit.government} {unit.office}".casefold()
    for place, code in PLACE_CODES:
        if place in text:
            return code
    raise ValueError(
        f"Kantor demo tidak dikenal / unknown demo office: {unit.government}, "
        f"{unit.office}"
    )


def demo_codes_taken(codes: list[str]) -> list[str]:
    """Which demo office codes (or the superadmin) already exist."""
    taken = list(db.session.scalars(
        db.select(Office.code).where(Office.code.in_(codes)).order_by(Office.code)
    ))
    if db.session.scalar(db.select(User.id).where(User.username == SUPERADMIN)):
        taken.append(SUPERADMIN)
    return taken


def make_office(unit: Unit, code: str, now: datetime) -> Office:
    office = Office(
        code=code,
        government=unit.government,
        name=unit.office,
        division=unit.division,
        timezone="Asia/Jakarta",  # all five seed offices are on Java (WIB)
        created_at=now,
    )
    db.session.add(office)
    db.session.flush()
    return office


def lane_holders(roles: list[Role]) -> dict[AccessLevel, list[Role]]:
    """Which demo level holds which positions of the office's SOP lanes."""
    holders = {AccessLevel.ADMIN: [], AccessLevel.STAFF: []}
    for role in roles:
        if _PUBLIC_LANE.search(role.name):
            continue
        level = (AccessLevel.ADMIN if _SUPERVISOR_LANE.search(role.name)
                 else AccessLevel.STAFF)
        holders[level].append(role)
    return holders


def fake_nip(fake: Faker) -> str:
    """An 18-digit NIP shaped like a real one: birth date, appointment, sex, seq."""
    born = fake.date_between(date(1968, 1, 1), date(1996, 12, 31))
    appointed = born + timedelta(days=365 * fake.random_int(22, 28))
    return (f"{born:%Y%m%d}{appointed:%Y%m}{fake.random_int(1, 2)}"
            f"{fake.random_int(1, 999):03d}")


def make_users(office: Office, fake: Faker, password_hash: str,
               now: datetime) -> list[User]:
    """The office's four demo users, holding the positions of its SOP lanes."""
    roles = list(db.session.scalars(
        db.select(Role).where(Role.office_id == office.id).order_by(Role.name)
    ))
    holders = lane_holders(roles)
    users = []
    for suffix, level in LEVELS:
        user = User(
            username=f"{office.code.lower()}.{suffix}",
            full_name=fake.name(),
            nip=fake_nip(fake),
            phone=fake.phone_number(),
            office=office,
            access_level=level,
            password_hash=password_hash,
            created_at=now,
        )
        user.roles = list(holders.get(level, []))
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def make_superadmin(office: Office, fake: Faker, password_hash: str,
                    now: datetime) -> User:
    user = User(
        username=SUPERADMIN, full_name=fake.name(), office=office,
        access_level=AccessLevel.ADMIN, is_superadmin=True,
        password_hash=password_hash, created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    return user


def demo_logins() -> list[DemoLogin]:
    """Every demo account that exists, with the demo password if still valid.

    A password someone has changed since the load is not shown. The load
    gives every account the same hash, so each distinct hash is verified once:
    argon2 takes about a second on a busy two-core machine.
    """
    offices = list(db.session.scalars(db.select(Office).order_by(Office.code)))
    wanted = [SUPERADMIN] + [
        f"{office.code.lower()}.{suffix}" for office in offices for suffix, _ in LEVELS
    ]
    found = {u.username: u for u in db.session.scalars(
        db.select(User).where(User.username.in_(wanted))
    )}
    rows, valid = [], {}
    for username in wanted:
        user = found.get(username)
        if user is None:
            continue
        level = SUPERADMIN if user.is_superadmin else user.access_level.value
        if user.password_hash not in valid:
            valid[user.password_hash] = user.check_password(DEMO_PASSWORD)
        password = (DEMO_PASSWORD if valid[user.password_hash]
                    else "(sudah diubah / changed)")
        rows.append(DemoLogin(username, user.office.code, level, password))
    return rows
