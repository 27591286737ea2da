"""Large demo data: many complaints with their step history, fast.

For benchmarks and load tests (`flask demo bulk --complaints 100000`), not
for the demo panel. Complaints are written with Core `INSERT ... RETURNING`
and `executemany` updates in batches of their own transactions, not one ORM
object at a time, but in the order the panel writes them: the complaint
registered, each step entered, each step completed, the complaint's position
updated. The audit triggers stay on, so every one of those writes has its
real audit row (about 2 per step plus 2 per complaint), and each batch's
commit seals its rows into the chain as any app write does.

Each complaint walks a random path of its office's active complaint SOP
from the start step (a decision's Ya or Tidak taken at random, its answer
recorded), as far as its age suggests; deadlines come from `deadlines.py`
with the office's calendar. Register numbers are reserved a block at a time
from the same per-office, per-year counter `register_complaint` uses.
Everything comes from one seeded `random.Random` (names from a small pool
made once with Faker), so a seed and `now` give the same data.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import audit, deadlines
from ..complaints import complaint_sop_version, register_year
from ..errors import SopAdminError
from ..extensions import db
from ..models import (
    AccessLevel,
    AuditEntry,
    Channel,
    Classification,
    ClosureDay,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    Office,
    RegisterCounter,
    SopVersion,
    StepKind,
    User,
)
from .topics import EXPECTATIONS, TOPICS

#: How far back bulk complaints go.
SPAN = timedelta(days=365)
BATCH = 1000
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class BulkOffice:
    office: Office
    version: SopVersion
    clerk: User  #: who registers and acts (a staff member, else an admin)
    calendar: deadlines.WorkCalendar


@dataclass(frozen=True)
class BulkSummary:
    complaints: int
    steps: int
    audit_rows: int


class NoBulkOffice(SopAdminError):
    """No office has an active complaint SOP and a staff member to act."""


def bulk_offices(code: str | None = None) -> list[BulkOffice]:
    """Offices that can take complaints: an active complaint SOP and a clerk."""
    query = select(Office).order_by(Office.code)
    if code:
        query = query.where(Office.code == code.upper())
    found = []
    for office in db.session.scalars(query):
        version = complaint_sop_version(office)
        clerk = db.session.scalar(
            select(User).where(User.office_id == office.id, User.active,
                               User.access_level.in_([AccessLevel.STAFF,
                                                      AccessLevel.ADMIN]))
            .order_by(User.access_level.desc(), User.id))
        if version is not None and clerk is not None:
            days = db.session.scalars(select(ClosureDay.day).where(
                ClosureDay.office_id == office.id)).all()
            found.append(BulkOffice(office, version, clerk,
                                    deadlines.calendar_for(office, days)))
    if not found:
        where = f"kantor {code}" if code else "satu kantor pun"
        raise NoBulkOffice(
            f"Tidak ada {where} dengan SOP pengaduan aktif dan staf; jalankan "
            "`flask demo load` dulu / no office with an active complaint SOP and "
            "a staff member; run `flask demo load` first.")
    return found


class _People:
    """Names, streets and contacts made once with Faker, then picked at random
    (Faker per complaint would cost more than writing the rows)."""

    def __init__(self, rng: random.Random, seed: int, size: int = 500):
        fake = Faker("id_ID")
        fake.seed_instance(seed)
        self.rng = rng
        self.names = [fake.name() for _ in range(size)]
        self.streets = [fake.street_name() for _ in range(size)]
        self.phones = [fake.phone_number() for _ in range(size)]

    def report(self, channel: Channel, classification: Classification) -> dict:
        rng = self.rng
        subject, text, party = rng.choice(TOPICS[classification])
        anonymous = rng.random() < 0.08
        return {
            "channel": channel, "classification": classification,
            "subject": subject, "subject_party": party,
            "description": text.format(street=rng.choice(self.streets),
                                       days=rng.randint(2, 14)),
            "expectation": rng.choice(EXPECTATIONS[classification])
            if rng.random() < 0.7 else None,
            "anonymous": anonymous,
            "confidential": not anonymous and rng.random() < 0.1,
            "reporter_name": None if anonymous else rng.choice(self.names),
            "reporter_contact": None if anonymous else rng.choice(self.phones),
        }


def _path(rng: random.Random, version: SopVersion) -> list[tuple[int, bool | None]]:
    """(step number, decision answer) along one way from start to an end."""
    steps = {s.number: s for s in version.steps}
    current = next((s for s in version.steps if s.kind == StepKind.START),
                   version.steps[0])
    path = []
    while current is not None and len(path) < 4 * len(steps):
        answer, following = None, None
        if current.kind == StepKind.DECISION:
            answer = rng.random() < 0.7
            following = current.if_yes if answer else current.if_no
        elif current.kind != StepKind.END and current.successors:
            following = current.successors[0]
        path.append((current.number, answer))
        current = steps.get(following) if following else None
    return path


def _reserve_numbers(office: Office, year: int, count: int) -> int:
    """Take `count` register numbers of the office's year; returns the first."""
    counters = RegisterCounter.__table__
    insert_ = _INSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert_(counters).values(office_id=office.id, year=year, last_value=count)
        .on_conflict_do_update(index_elements=[counters.c.office_id, counters.c.year],
                               set_={"last_value": counters.c.last_value + count})
        .returning(counters.c.last_value))
    return db.session.execute(statement).scalar_one() - count + 1


def _received_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    seconds = int(SPAN.total_seconds())
    return sorted(now - timedelta(seconds=rng.randrange(seconds)) for _ in range(count))


def _plan(rng: random.Random, place: BulkOffice, received: datetime,
          now: datetime) -> tuple[list[dict], dict]:
    """The steps a complaint went through (rows), and its final position."""
    version, calendar = place.version, place.calendar
    age = now - received
    closing = rng.random() < (0.85 if age > timedelta(days=30) else
                              0.4 if age > timedelta(days=7) else 0.1)
    path = _path(rng, version)
    if not closing:
        path = path[:rng.randint(1, max(1, len(path) - 1))]
    steps, moment = [], received
    for position, (number, answer) in enumerate(path):
        step = version.step(number)
        due = deadlines.step_due_at(moment, step.time_amount, step.time_unit,
                                    step.time_is_interval, calendar)
        row = {"step_number": number, "started_at": moment, "due_at": due,
               "answer": answer, "completed_at": None}
        last = position == len(path) - 1
        if step.kind == StepKind.END:
            row["completed_at"] = moment
        elif not last:
            done = moment + timedelta(minutes=rng.randint(10, 3 * 24 * 60))
            if done > now:  # not done yet: the complaint waits here
                steps.append(row)
                break
            row["completed_at"], moment = done, done
        steps.append(row)
    closed = steps[-1]["completed_at"] is not None
    final = {
        "status": ComplaintStatus.CLOSED if closed else ComplaintStatus.IN_PROGRESS,
        "current_step_number": steps[-1]["step_number"],
        "step_due_at": None if closed else steps[-1]["due_at"],
        "due_at": deadlines.complaint_due_at(received, place.office, calendar),
        "closed_at": steps[-1]["completed_at"] if closed else None,
        "updated_at": max(moment, received),
    }
    return steps, final


def _compliance(row: dict) -> dict:
    due, done = row["due_at"], row["completed_at"]
    if due is None or done is None:
        return {"within_standard": None, "late_seconds": None}
    late = int((done - due).total_seconds())
    return {"within_standard": late <= 0, "late_seconds": late if late > 0 else None}


def _write_batch(rng: random.Random, batch: list, now: datetime) -> int:
    """Register, walk and position one batch of complaints; returns steps written."""
    complaints, steps_table = Complaint.__table__, ComplaintStep.__table__
    firsts = {}
    for place, received, _fields in batch:
        key = (place.office.id, register_year(place.office, received))
        firsts.setdefault(key, [place.office, 0])[1] += 1
    numbers = {key: _reserve_numbers(office, key[1], count)
               for key, (office, count) in firsts.items()}
    rows, plans = [], []
    for place, received, fields in batch:
        key = (place.office.id, register_year(place.office, received))
        number, numbers[key] = numbers[key], numbers[key] + 1
        registered = min(received + timedelta(minutes=rng.randint(5, 120)), now)
        rows.append({**fields, "office_id": place.office.id,
                     "register_no": f"{place.office.code}/{key[1]}/{number:06d}",
                     "received_at": received, "sop_version_id": place.version.id,
                     "status": ComplaintStatus.NEW, "created_by_id": place.clerk.id,
                     "created_at": registered, "updated_at": registered})
        steps, final = _plan(rng, place, received, now)
        final["updated_at"] = max(final["updated_at"], registered)
        plans.append((place, steps, final))
    ids = db.session.execute(
        insert(complaints).returning(complaints.c.id, sort_by_parameter_order=True),
        rows).scalars().all()
    step_rows, completions, positions = [], [], []
    for complaint_id, (_place, steps, final) in zip(ids, plans, strict=True):
        for row in steps:
            step_rows.append({"complaint_id": complaint_id, "note": "",
                              "escalation_level": 0, "step_number": row["step_number"],
                              "started_at": row["started_at"], "due_at": row["due_at"]})
        positions.append({"b_id": complaint_id, **final})
    step_ids = db.session.execute(
        insert(steps_table).returning(steps_table.c.id, sort_by_parameter_order=True),
        step_rows).scalars().all()
    flat = [(row, place) for place, steps, _final in plans for row in steps]
    for step_id, (row, place) in zip(step_ids, flat, strict=True):
        if row["completed_at"] is not None:
            completions.append({"b_id": step_id, "completed_at": row["completed_at"],
                                "actor_id": place.clerk.id, "answer": row["answer"],
                                **_compliance(row)})
    if completions:
        db.session.execute(
            update(steps_table).where(steps_table.c.id == bindparam("b_id"))
            .values(completed_at=bindparam("completed_at"),
                    actor_id=bindparam("actor_id"), answer=bindparam("answer"),
                    within_standard=bindparam("within_standard"),
                    late_seconds=bindparam("late_seconds")),
            completions)
    db.session.execute(
        update(complaints).where(complaints.c.id == bindparam("b_id"))
        .values(**{name: bindparam(name) for name in positions[0] if name != "b_id"}),
        positions)
    return len(step_rows)


def generate(places: list[BulkOffice], count: int, *, seed: int, now: datetime,
             batch: int = BATCH,
             progress: Callable[[int], None] | None = None) -> BulkSummary:
    """Write `count` complaints over `places`, committing each batch.

    Commits (unlike most services): a hundred thousand complaints are too
    many for one transaction, and each committed batch is complete (its
    complaints, steps and sealed audit rows) if a later one fails.
    """
    rng = random.Random(seed)
    people = _People(rng, seed)
    channels, kinds = list(Channel), list(Classification)
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    times = _received_times(rng, count, now)
    steps = 0
    for start in range(0, count, batch):
        chunk = [(rng.choice(places), received,
                  people.report(rng.choice(channels), rng.choice(kinds)))
                 for received in times[start:start + batch]]
        steps += _write_batch(rng, chunk, now)
        db.session.commit()
        if progress:
            progress(len(chunk))
    audit.seal(db.engine)
    after = db.session.scalar(select(func.count(AuditEntry.id)))
    return BulkSummary(count, steps, after - before)
