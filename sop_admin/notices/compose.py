"""Turn an event (a disposition, an escalation, a registration, a closing)
into outbox rows: whom to mail, with the office's wording filled in.

Called from the session listener (listener.py) inside a flush, so it reads
through the same session and never flushes; the rows it returns are added
to that flush by the listener.
"""

import uuid
from urllib.parse import quote, urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Complaint,
    ComplaintStep,
    Disposition,
    Escalation,
    NoticeKind,
    NoticeTemplate,
    OutboxMessage,
    Reply,
    User,
    user_roles,
)
from ..public.labels import CLASSIFICATIONS, local_time
from .templates import DEFAULTS, Wording, render


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def process_url(complaint: Complaint) -> str:
    """The complaint's Proses page in the panel (where a unit acts on it)."""
    return f"{_base_url()}/admin/proses/{complaint.id}"


def tracking_url(complaint: Complaint) -> str:
    """/lacak with the register number filled in (never the code)."""
    return f"{_base_url()}/lacak?register_no={quote(complaint.register_no, safe='')}"


def _message_id(kind: NoticeKind) -> str:
    sender = current_app.config.get("MAIL_SENDER") or ""
    domain = sender.rpartition("@")[2].strip("> ") or (
        urlsplit(_base_url()).hostname or "localhost")
    return f"<{uuid.uuid4().hex}.{kind.value}@{domain}>"


def _wording(session: Session, office_id: int, kind: NoticeKind) -> Wording:
    row = session.scalar(select(NoticeTemplate).where(
        NoticeTemplate.office_id == office_id, NoticeTemplate.kind == kind))
    if row is None:
        return DEFAULTS[kind]
    return Wording(row.subject, row.body_text, row.body_html or "")


def _common(complaint: Complaint) -> dict[str, str]:
    office = complaint.office
    return {
        "office_name": office.name,
        "office_phone": office.phone or "",
        "office_email": office.email or "",
        "office_address": office.address or "",
        "register_no": complaint.register_no,
        "subject": complaint.subject,
        "received_at": local_time(complaint.received_at, office.timezone),
        "classification": CLASSIFICATIONS.get(complaint.classification, ""),
    }


def _messages(session: Session, complaint: Complaint, kind: NoticeKind,
              recipients: list[str], values: dict[str, str]) -> list[OutboxMessage]:
    wording = render(_wording(session, complaint.office.id, kind),
                     {**_common(complaint), **values})
    return [
        # The relationship, not the id: a new complaint has no id before the flush.
        OutboxMessage(
            office=complaint.office, complaint=complaint, kind=kind,
            recipient=address, subject=wording.subject,
            body_text=wording.body_text, body_html=wording.body_html,
            message_id=_message_id(kind),
        )
        for address in _unique(recipients)
    ]


def _unique(addresses) -> list[str]:
    seen: dict[str, str] = {}
    for address in addresses:
        address = (address or "").strip()
        if address and "@" in address:
            seen.setdefault(address.casefold(), address)
    return list(seen.values())


def _role_holders(session: Session, role_id: int | None) -> list[User]:
    if role_id is None:
        return []
    return list(session.scalars(
        select(User).join(user_roles, user_roles.c.user_id == User.id)
        .where(user_roles.c.role_id == role_id, User.active.is_(True),
               User.email.is_not(None))
        .order_by(User.id)))


def _complaint(session: Session, row) -> Complaint | None:
    if row.complaint is not None or row.complaint_id is None:
        return row.complaint
    return session.get(Complaint, row.complaint_id)


def for_disposition(session: Session, disposition: Disposition) -> list[OutboxMessage]:
    """Mail to the unit's address, else the officer, else the role's holders."""
    complaint = _complaint(session, disposition)
    if complaint is None:
        return []
    to_user = disposition.to_user or (
        session.get(User, disposition.to_user_id) if disposition.to_user_id else None)
    if disposition.to_email:
        recipients = [disposition.to_email]
    elif to_user is not None:
        recipients = [to_user.email] if to_user.active else []
    else:
        role_id = disposition.to_role_id or (
            disposition.to_role.id if disposition.to_role else None)
        recipients = [u.email for u in _role_holders(session, role_id)]
    name = (disposition.to_name or disposition.to_unit
            or (to_user.full_name if to_user else "")
            or str(disposition.to_role or "") or "Bapak/Ibu")
    values = {
        "recipient": name,
        "message": disposition.message or "",
        "deadline": local_time(disposition.due_at or complaint.step_due_at,
                               complaint.office.timezone),
        "process_url": process_url(complaint),
    }
    return _messages(session, complaint, NoticeKind.DISPOSITION, recipients, values)


def for_escalation(session: Session, escalation: Escalation) -> list[OutboxMessage]:
    """Mail the holders of the escalation's target role."""
    complaint = _complaint(session, escalation)
    if complaint is None:
        return []
    step_row = escalation.step or (
        session.get(ComplaintStep, escalation.complaint_step_id)
        if escalation.complaint_step_id else None)
    version = complaint.sop_version
    sop_step = version.step(step_row.step_number) if version and step_row else None
    role_id = escalation.target_role_id or (
        escalation.target_role.id if escalation.target_role else None)
    values = {
        "level": str(escalation.level),
        "step": (f"{sop_step.number}. {sop_step.activity}" if sop_step
                 else str(step_row.step_number if step_row else "")),
        "deadline": local_time(step_row.due_at if step_row else None,
                               complaint.office.timezone),
        "target": escalation.target_label,
        "process_url": process_url(complaint),
    }
    recipients = [u.email for u in _role_holders(session, role_id)]
    return _messages(session, complaint, NoticeKind.ESCALATION, recipients, values)


def wants_mail(complaint: Complaint) -> bool:
    """The reporter gave an address and agreed to be mailed."""
    return bool(complaint.reporter_email_consent and
                (complaint.reporter_email or "").strip())


def for_registered(session: Session, complaint: Complaint,
                   code: str | None) -> list[OutboxMessage]:
    """The reporter's receipt; the only notice that carries the tracking code."""
    values = {"tracking_code": code or "", "tracking_url": tracking_url(complaint)}
    return _messages(session, complaint, NoticeKind.REGISTERED,
                     [complaint.reporter_email], values)


def for_closed(session: Session, complaint: Complaint) -> list[OutboxMessage]:
    """The reporter's notice of closing, with the final answer if recorded."""
    final = session.scalar(select(Reply.text).where(
        Reply.complaint_id == complaint.id, Reply.is_final.is_(True)).limit(1))
    values = {"final_answer": final or "", "tracking_url": tracking_url(complaint)}
    return _messages(session, complaint, NoticeKind.CLOSED,
                     [complaint.reporter_email], values)
