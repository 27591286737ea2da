"""The one place notices are written: a listener on the app's session.

`before_flush` looks at what the flush is about to write and adds the
outbox rows it calls for to the same flush, so a notice commits or rolls
back with its cause, and the staff action never waits for a mail server:

- a new `Disposition`            -> the unit's / officer's / role holders' mail
- a new `Escalation`             -> mail to the holders of the target role
- a new `Complaint` whose reporter gave an e-mail and agreed -> "registered"
- a `Complaint` that becomes closed (its status set through the ORM, or the
  workflow's guarded UPDATE plus the completed end-step row it adds) -> "closed"
  to the reporter, with the same condition.

The "registered" mail carries the tracking code, which exists only in memory
when `tracking.issue` runs. Intake may issue it before or after the flush
that inserts the complaint, so a new complaint waits in `session.info` for
its code until the end of the transaction; at `before_commit` it is mailed
with whatever code was issued by then (without one if none was).

Workflow and intake code never call this package.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from .. import tracking
from ..extensions import db
from ..models import Complaint, ComplaintStatus, ComplaintStep, Disposition, Escalation
from . import compose

_AWAITING = "notices.awaiting_code"


def _awaiting(session: Session) -> list[Complaint]:
    return session.info.setdefault(_AWAITING, [])


def _became_closed(complaint: Complaint) -> bool:
    history = inspect(complaint).attrs.status.history
    return ComplaintStatus.CLOSED in (history.added or ()) and (
        ComplaintStatus.CLOSED not in (history.deleted or ()))


def _closed_by_step(session: Session, row: ComplaintStep) -> Complaint | None:
    """The complaint an end-step row just closed (workflow._enter sets both the
    row's completion and the complaint's closing to the same moment)."""
    if row.completed_at is None:
        return None
    complaint = row.complaint or (
        session.get(Complaint, row.complaint_id) if row.complaint_id else None)
    if complaint is None or not complaint.is_closed:
        return None
    return complaint if complaint.closed_at == row.completed_at else None


def before_flush(session: Session, _context, _instances) -> None:
    messages = []
    closed: dict[int, Complaint] = {}
    for obj in list(session.new):
        if isinstance(obj, Disposition):
            messages += compose.for_disposition(session, obj)
        elif isinstance(obj, Escalation):
            messages += compose.for_escalation(session, obj)
        elif isinstance(obj, Complaint) and compose.wants_mail(obj):
            _awaiting(session).append(obj)
        elif isinstance(obj, ComplaintStep):
            complaint = _closed_by_step(session, obj)
            if complaint is not None:
                closed[id(complaint)] = complaint
    for obj in session.dirty:
        if isinstance(obj, Complaint) and _became_closed(obj):
            closed[id(obj)] = obj
    messages += _registered(session, final=False)
    for complaint in closed.values():
        if compose.wants_mail(complaint):
            messages += compose.for_closed(session, complaint)
    session.add_all(messages)


def _registered(session: Session, *, final: bool) -> list:
    """Receipts of the complaints whose code is known (all of them if `final`)."""
    messages, waiting = [], []
    for complaint in _awaiting(session):
        code = tracking.take_issued(complaint)
        if code is None and not final:
            waiting.append(complaint)
        else:
            messages += compose.for_registered(session, complaint, code)
    session.info[_AWAITING] = waiting
    return messages


def before_commit(session: Session) -> None:
    if session.info.get(_AWAITING):
        # The commit's own flush writes them, in this transaction.
        messages = _registered(session, final=True)
        session.add_all(messages)


def after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_AWAITING, None)


def install() -> None:
    """Listen on the app's session (once per process)."""
    target = db.session
    if event.contains(target, "before_flush", before_flush):
        return
    event.listen(target, "before_flush", before_flush)
    event.listen(target, "before_commit", before_commit)
    event.listen(target, "after_transaction_end", after_transaction_end)
