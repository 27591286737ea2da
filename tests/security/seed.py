"""One record of every model in an office, with chosen text in its text fields.

The security tests walk the views of the Admin object; each view's model
needs rows here (one office's and another's) to try ids on. A model without
a builder makes `records_of` fail with a message naming it, so a view merged
later is not silently left untested: add a line to `seed_office`.
"""

from datetime import UTC, date, datetime

from sqlalchemy import select

from sop_admin.extensions import db
from sop_admin.models import (
    AccessLevel,
    ApiToken,
    Channel,
    ClosureDay,
    ComplaintStep,
    Disposition,
    Escalation,
    Evidence,
    NoticeKind,
    NoticeTemplate,
    Office,
    OutboxMessage,
    Reply,
)

WHEN = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def seed_office(make, office: Office, text: str = "Teks biasa", n: int = 1) -> None:
    """Rows of every model in `office`; every free-text field holds `text`.

    Call again with another `n` (and text) for more rows in the same office.
    """
    make.role(office, text)
    user = make.user(office, AccessLevel.STAFF, full_name=text)
    version = make.sop(office, name=text, number=f"{office.code}-{n}",
                       lanes=("Masyarakat", text))
    complaint = make.complaint(office, subject=text, description=text,
                               reporter_name=text, subject_party=text,
                               sop_version=version)
    step = ComplaintStep(complaint=complaint, step_number=1, started_at=WHEN,
                         note=text)
    db.session.add(step)
    db.session.flush()
    rows = [
        ClosureDay(office=office, day=date(2026, 12, n), reason=text),
        Evidence(complaint=complaint, filename="bukti.png", mimetype="image/png",
                 size=4, data=b"\x89PNG"),
        Disposition(complaint=complaint, complaint_step_id=step.id, to_unit=text,
                    message=text, created_at=WHEN),
        Escalation(complaint=complaint, step=step, level=1, target_label=text,
                   escalated_at=WHEN),
        Reply(complaint=complaint, channel=Channel.EMAIL, text=text, sent_at=WHEN,
              user=user),
        ApiToken(office=office, name=text, prefix=f"t{office.id}",
                 token_hash=f"{office.id * 1000 + n:064d}"),
        OutboxMessage(office=office, complaint=complaint,
                      kind=NoticeKind.REGISTERED, recipient="a@example.org",
                      subject=text, body_text=text,
                      message_id=f"<{office.id}.{n}@sop-admin.test>"),
        # One template per kind and office: at most four calls per office.
        NoticeTemplate(office=office, kind=list(NoticeKind)[n - 1], subject=text,
                       body_text=text),
    ]
    db.session.add_all(rows)
    db.session.flush()


def _office_id(record) -> int | None:
    """The office a record belongs to, through its own or a parent's column."""
    if isinstance(record, Office):
        return record.id
    if getattr(record, "office_id", None) is not None:
        return record.office_id
    for parent in ("complaint", "sop_version", "version", "user", "step"):
        owner = getattr(record, parent, None)
        if owner is not None:
            return _office_id(owner)
    return None


def records_of(model, office: Office):
    """A record of `model` belonging to `office` (fails if none was seeded)."""
    for record in db.session.scalars(select(model).order_by(model.id.desc())):
        if _office_id(record) == office.id:
            return record
    raise AssertionError(
        f"no {model.__name__} row of office {office.code}: add one to "
        "tests/security/seed.py seed_office")
