"""Step-by-step handling: a complaint walks the steps of its SOP version.

The steps a complaint goes through are those of the SOP version it was
registered under, so revising the SOP later never changes a running case.
Each step entered gets a `ComplaintStep` row (started, due, completed, by whom,
note, the Ya/Tidak answer of a decision); `Complaint.current_step_number` and
`step_due_at` mirror the open row so lists and filters need no join.

Who may act on a step: a staff member holding the role of the step's lane
(any staff member for a lane of the public, see `is_public_lane`), an admin
of the complaint's office, or a superadmin. Read-only levels (records
officer, auditor) never act, whatever roles they hold.

Deadlines: each step's row is due by its own Waktu (computed in
`deadlines`). A decision step with no Waktu of its own (every decision in
the seeds: they were added where the text says "Jika ... tidak ...") is due
within the Waktu of the step that leads into it, because its answer is what
that activity was waiting for: Depok step 6 "Apakah Operator Perangkat
Daerah memberikan jawaban?" is due 10 minutes after the report was forwarded
to the operator (step 5), so a silent operator shows as late and escalates.

Compliance is stored when a step completes: `within_standard` (done by its
deadline or not) and `late_seconds` (0 on time, > 0 late); both stay NULL
for a step with no deadline (a "1 jam sekali" monitoring interval).

Services flush and never commit: the caller commits, so the move and the
audit rows the triggers write for it commit or roll back together.
Disallowed moves raise `TransitionNotAllowed` with a message for the user.
"""

import math
import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from . import deadlines
from .audit import set_reason
from .errors import TransitionNotAllowed
from .extensions import db
from .models import (
    AccessLevel,
    ClosureDay,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    SopLane,
    SopStep,
    SopVersion,
    StepKind,
    User,
)

#: Lane names that stand for the public rather than a position of the office.
PUBLIC_LANE_WORDS = frozenset({"masyarakat", "pelapor", "pemohon", "pengadu"})


def office_calendar(complaint: Complaint) -> deadlines.WorkCalendar:
    """The work calendar of the complaint's office, with its closure days."""
    days = db.session.scalars(
        select(ClosureDay.day).where(ClosureDay.office_id == complaint.office_id)
    ).all()
    return deadlines.calendar_for(complaint.office, days)


def start_step(version: SopVersion) -> SopStep:
    """The step a complaint enters first: the Mulai step, else the lowest number."""
    steps = version.steps
    starts = [s for s in steps if s.kind == StepKind.START]
    if not steps:
        raise TransitionNotAllowed(
            _("SOP %(name)s belum memiliki langkah.", name=version.name)
        )
    return starts[0] if starts else steps[0]


def may_act(actor: User | None, complaint: Complaint, step: SopStep) -> bool:
    """Whether `actor` may complete `step` of `complaint` (see module docstring)."""
    if actor is None or not actor.active:
        return False
    if actor.is_superadmin:
        return True
    if actor.office_id != complaint.office_id:
        return False
    if actor.access_level == AccessLevel.ADMIN:
        return True
    return actor.access_level == AccessLevel.STAFF and (
        is_public_lane(step.lane) or actor.holds_role(step.lane.role_id)
    )


def is_public_lane(lane: SopLane) -> bool:
    """Whether the lane is the reporter's own (Masyarakat, Pelapor), not a position.

    No officer holds the public's role, yet the seeds put real steps there
    (the report itself, the reporter's reply); any staff member of the
    office records them. Told by the lane's name, as the SOPs write it.
    """
    words = set(re.split(r"\W+", lane.name.casefold()))
    return bool(words & PUBLIC_LANE_WORDS)


def time_standard(step: SopStep) -> SopStep:
    """The step whose Waktu `step` is held to (see the module docstring).

    Itself, unless it is a decision with no Waktu: then the nearest step
    before it in the flow that leads into it and has one (the lowest-numbered
    step pointing at it when none comes before it).
    """
    if step.kind != StepKind.DECISION or step.time_unit is not None:
        return step
    feeders = [s for s in step.version.steps
               if step.number in s.successors and s.time_unit is not None]
    before = [s for s in feeders if s.number < step.number]
    if before:
        return max(before, key=lambda s: s.number)
    return min(feeders, key=lambda s: s.number) if feeders else step


def step_due_at(step: SopStep, start: datetime,
                calendar: deadlines.WorkCalendar) -> datetime | None:
    """Deadline of `step` entered at `start` (None: no deadline)."""
    standard = time_standard(step)
    return deadlines.step_due_at(start, standard.time_amount, standard.time_unit,
                                 standard.time_is_interval, calendar)


def complete(record: ComplaintStep, *, actor: User, now: datetime) -> None:
    """Mark a step done by `actor` at `now`, with its compliance."""
    record.completed_at, record.actor_id = now, actor.id
    if record.due_at is None:
        record.within_standard = record.late_seconds = None
        return
    late = (now - record.due_at).total_seconds()
    record.within_standard = late <= 0
    record.late_seconds = max(0, math.ceil(late))


def may_register(actor: User | None, complaint: Complaint) -> bool:
    """Whether `actor` may start a complaint: any staff or admin of its office.

    Intake is not a lane's job: whoever registers the report starts it, and
    the first step's lane then takes it over.
    """
    if actor is None or not actor.active:
        return False
    return actor.is_superadmin or (
        actor.office_id == complaint.office_id
        and actor.access_level in (AccessLevel.ADMIN, AccessLevel.STAFF)
    )


def open_record(complaint: Complaint) -> ComplaintStep | None:
    """The row of the step the complaint is waiting in, if any."""
    return db.session.scalars(
        select(ComplaintStep)
        .where(
            ComplaintStep.complaint_id == complaint.id,
            ComplaintStep.completed_at.is_(None),
        )
        .order_by(ComplaintStep.id.desc())
        .limit(1)
    ).first()


def _move(
    complaint: Complaint, guard: list, now: datetime, **values
) -> None:
    """Write the complaint's new position in one UPDATE guarded by its old one.

    Two officers acting on the same step at once both read the old position;
    the second UPDATE waits for the first to commit (PostgreSQL row lock,
    SQLite write lock), then matches no row and is refused, instead of
    moving the complaint a second time. A page left open while someone else
    moved the complaint is refused the same way.
    """
    values["updated_at"] = now
    result = db.session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, *guard)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _moved_elsewhere(complaint)
    for key, value in values.items():
        set_committed_value(complaint, key, value)


def _moved_elsewhere(complaint: Complaint) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _(
            "Pengaduan %(no)s sudah diproses oleh orang lain; muat ulang "
            "halaman.",
            no=complaint.register_no,
        )
    )


def _enter(
    complaint: Complaint,
    step: SopStep,
    *,
    actor: User,
    now: datetime,
    calendar: deadlines.WorkCalendar,
    started_at: datetime | None = None,
    note: str = "",
) -> tuple[ComplaintStep, dict]:
    """The row for entering `step`, and the complaint's new position.

    Reaching an end step completes its row at once and closes the complaint.
    """
    started = started_at or now
    row = ComplaintStep(
        complaint_id=complaint.id,
        step_number=step.number,
        started_at=started,
        due_at=step_due_at(step, started, calendar),
        note=note,
    )
    position = {"current_step_number": step.number, "step_due_at": row.due_at}
    if step.kind == StepKind.END:
        complete(row, actor=actor, now=now)
        position.update(step_due_at=None, status=ComplaintStatus.CLOSED, closed_at=now)
    return row, position


def _version(complaint: Complaint) -> SopVersion:
    if complaint.sop_version is None:
        raise TransitionNotAllowed(
            _("Pengaduan %(no)s belum terhubung dengan SOP.", no=complaint.register_no)
        )
    return complaint.sop_version


def _refuse_actor(step: SopStep) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _(
            "Anda tidak dapat menjalankan langkah %(number)s: langkah ini milik "
            "jabatan %(role)s.",
            number=step.number,
            role=step.lane.name,
        )
    )


def start(complaint: Complaint, *, actor: User, now: datetime) -> ComplaintStep:
    """Put a newly registered complaint into its SOP's first step.

    The first step and the whole-complaint deadline count from `received_at`,
    not from `now`: a post seen yesterday and registered today has been
    waiting since yesterday.
    """
    if complaint.status != ComplaintStatus.NEW:
        raise TransitionNotAllowed(
            _("Pengaduan %(no)s sudah diproses.", no=complaint.register_no)
        )
    step = start_step(_version(complaint))
    if not may_register(actor, complaint):
        raise TransitionNotAllowed(
            _("Hanya staf atau admin kantor ini yang dapat memulai pengaduan.")
        )
    calendar = office_calendar(complaint)
    row, position = _enter(complaint, step, actor=actor, now=now, calendar=calendar,
                           started_at=complaint.received_at)
    due_at = deadlines.complaint_due_at(complaint.received_at, complaint.office,
                                        calendar)
    _move(complaint, [Complaint.status == ComplaintStatus.NEW], now,
          **{"status": ComplaintStatus.IN_PROGRESS, "due_at": due_at, **position})
    db.session.add(row)
    db.session.flush()
    return row


def _next_number(step: SopStep, answer: bool | None) -> int | None:
    if step.kind == StepKind.DECISION:
        if answer is None:
            raise TransitionNotAllowed(
                _(
                    "Langkah %(number)s adalah keputusan: pilih Ya atau Tidak.",
                    number=step.number,
                )
            )
        return step.if_yes if answer else step.if_no
    if answer is not None:
        raise TransitionNotAllowed(
            _(
                "Langkah %(number)s bukan keputusan: jawaban Ya/Tidak tidak dipakai.",
                number=step.number,
            )
        )
    return step.successors[0] if step.successors else None


def advance(
    complaint: Complaint,
    *,
    actor: User,
    now: datetime,
    note: str = "",
    answer: bool | None = None,
    expected_step: int | None = None,
) -> ComplaintStep:
    """Complete the current step and enter the next one the SOP names.

    A decision step needs `answer` (True = Ya, False = Tidak) and goes to
    `if_yes` / `if_no`; other steps go to `next_number` or the following
    step. `expected_step` is the step the officer saw on the page: if the
    complaint has moved on since, nothing is done. Returns the row of the
    step entered (completed already if it is an end step, which closes the
    complaint).
    """
    if complaint.is_closed:
        raise TransitionNotAllowed(
            _("Pengaduan %(no)s sudah ditutup.", no=complaint.register_no)
        )
    record = open_record(complaint)
    if complaint.status != ComplaintStatus.IN_PROGRESS or record is None:
        raise TransitionNotAllowed(
            _("Pengaduan %(no)s belum dimulai.", no=complaint.register_no)
        )
    if expected_step is not None and expected_step != record.step_number:
        raise _moved_elsewhere(complaint)
    version = _version(complaint)
    step = version.step(record.step_number)
    if not may_act(actor, complaint, step):
        raise _refuse_actor(step)
    number = _next_number(step, answer)
    target = version.step(number) if number is not None else None
    if target is None:
        raise TransitionNotAllowed(
            _(
                "Langkah %(number)s tidak menunjuk langkah berikutnya yang ada di SOP.",
                number=step.number,
            )
        )
    row, position = _enter(complaint, target, actor=actor, now=now,
                           calendar=office_calendar(complaint))
    _move(complaint, [Complaint.status == ComplaintStatus.IN_PROGRESS,
                      Complaint.current_step_number == record.step_number],
          now, **position)
    complete(record, actor=actor, now=now)
    record.answer = answer
    record.note = "\n".join(t for t in (record.note, note.strip()) if t)
    db.session.add(row)
    db.session.flush()
    return row


def reopen(
    complaint: Complaint,
    *,
    actor: User,
    reason: str,
    now: datetime,
    to_step: int | None = None,
) -> ComplaintStep:
    """Reopen a closed complaint at its first step or at `to_step`.

    Any staff member or admin of the office may reopen (not only the holders
    of the step's role): a reporter's objection reaches whoever is on duty.

    The reason is required: it goes to the audit trail (`audit.set_reason`,
    for every row this transaction writes) and onto the new step's note so
    the handling page shows why. The whole-complaint deadline starts again
    from `now`, as for a new report.
    """
    if not complaint.is_closed:
        raise TransitionNotAllowed(
            _(
                "Hanya pengaduan yang sudah ditutup yang dapat dibuka kembali "
                "(%(no)s belum ditutup).",
                no=complaint.register_no,
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Alasan membuka kembali wajib diisi."))
    version = _version(complaint)
    step = version.step(to_step) if to_step is not None else start_step(version)
    if step is None or step.kind == StepKind.END:
        raise TransitionNotAllowed(
            _("Pengaduan tidak dapat dibuka kembali ke langkah %(number)s.",
              number=to_step)
        )
    if not may_register(actor, complaint):
        raise TransitionNotAllowed(
            _("Hanya staf atau admin kantor ini yang dapat membuka kembali "
              "pengaduan.")
        )
    set_reason(reason)
    calendar = office_calendar(complaint)
    # Stored record text, kept in the office's language whatever the UI locale.
    row, position = _enter(complaint, step, actor=actor, now=now, calendar=calendar,
                           note=f"Dibuka kembali: {reason}")
    due_at = deadlines.complaint_due_at(now, complaint.office, calendar)
    _move(complaint, [Complaint.status == ComplaintStatus.CLOSED], now,
          status=ComplaintStatus.IN_PROGRESS, closed_at=None, due_at=due_at,
          **position)
    db.session.add(row)
    db.session.flush()
    return row


def overdue_steps(
    session: Session, now: datetime, office_id: int | None = None
) -> list[ComplaintStep]:
    """Open steps past their deadline, oldest deadline first (for escalation)."""
    query = (
        select(ComplaintStep)
        .join(ComplaintStep.complaint)
        .options(contains_eager(ComplaintStep.complaint))
        .where(
            ComplaintStep.completed_at.is_(None),
            ComplaintStep.due_at < now,
            Complaint.status == ComplaintStatus.IN_PROGRESS,
        )
        .order_by(ComplaintStep.due_at, ComplaintStep.id)
    )
    if office_id is not None:
        query = query.where(Complaint.office_id == office_id)
    return list(session.scalars(query))
