"""Disposisi: forwarding a complaint to a role, an officer or another unit.

A disposition goes to exactly one of: a role (jabatan) of the complaint's
office, a named user of the office, or a unit outside sop-admin by name
(with its officer's name, phone and e-mail). It is recorded on the step the
complaint is in and may carry a deadline; without one given, the deadline
is the current step's time standard counted from now (by `deadlines`, as
the step's own deadline is).

Officers reach each other by WhatsApp, so the Proses page offers a ready
click-to-chat link for each contact, besides mailto: and tel: links. The
prefilled text holds the register number, the subject (Perihal) as the
summary, the message and the deadline; never the reporter's identity.

Phone numbers are typed every way (0812-3456-7890, +62 812 3456 7890,
62812..., (021) 5550123, 0062...). wa.me wants the international form with
no "+": 62 and the national number without its trunk 0. `normalise_phone`
turns an Indonesian number into that form, or gives None for anything it
cannot read as one (a foreign number, a short code, letters), and the page
then shows the number with a note instead of a link.

Like the other services this flushes and never commits; the outbox reacts
to new Disposition rows by itself.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from . import workflow
from .errors import SopAdminError
from .extensions import db
from .models import (
    Complaint,
    ComplaintStatus,
    Disposition,
    Role,
    User,
)
from .models.office import TIMEZONES

#: Digits of an Indonesian number after the country code 62: 8 (landline
#: with area code, e.g. 22 1234567) to 12 (the longest mobile numbers).
_NATIONAL = re.compile(r"[1-9]\d{7,11}")
#: What people put between digits: spaces, dashes, dots, slashes, brackets.
_SEPARATORS = re.compile(r"[\s\-./()]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InvalidDisposition(SopAdminError):
    """A disposition that cannot be recorded; the message names the field."""


@dataclass(frozen=True)
class Contact:
    """Someone a disposition reaches, with the links to reach them."""

    name: str
    phone: str | None
    email: str | None


def normalise_phone(raw: str | None) -> str | None:
    """An Indonesian number in wa.me form (628123456789), or None.

    08xx → 628xx, +62 / 0062 → 62, 62 stays; separators are dropped.
    """
    if not raw:
        return None
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("+"):
        text = text[1:]
        if not text.startswith("62"):
            return None
    elif text.startswith("00"):
        text = text[2:]
        if not text.startswith("62"):
            return None
    elif text.startswith("0"):
        text = "62" + text[1:]
    if not text.startswith("62") or not _NATIONAL.fullmatch(text[2:]):
        return None
    return text


def whatsapp_link(phone: str | None, text: str) -> str | None:
    number = normalise_phone(phone)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(text, safe='')}"


def mailto_link(email: str | None, subject: str, body: str) -> str | None:
    if not email or not _EMAIL.fullmatch(email.strip()):
        return None
    return (f"mailto:{quote(email.strip(), safe='@')}"
            f"?subject={quote(subject, safe='')}&body={quote(body, safe='')}")


def tel_link(phone: str | None) -> str | None:
    """tel:+62... for an Indonesian number; None when it cannot be read."""
    number = normalise_phone(phone)
    return f"tel:+{number}" if number else None


def _local(moment: datetime, timezone: str) -> str:
    label = TIMEZONES.get(timezone, timezone)
    return f"{moment.astimezone(ZoneInfo(timezone)):%d-%m-%Y %H:%M} {label}"


# The texts below are sent to officers, so they stay in the office's
# language whatever language the sender's screen is in.

def subject_line(disposition: Disposition) -> str:
    complaint = disposition.complaint
    return f"Disposisi pengaduan {complaint.register_no}: {complaint.subject}"


def message_text(disposition: Disposition) -> str:
    """The prefilled WhatsApp / e-mail text: number, summary, message, deadline."""
    complaint = disposition.complaint
    lines = [f"Disposisi pengaduan {complaint.register_no}",
             f"Perihal: {complaint.subject}"]
    if disposition.message:
        lines.append(disposition.message)
    if disposition.due_at is not None:
        lines.append("Batas waktu: "
                     + _local(disposition.due_at, complaint.office.timezone))
    lines.append(complaint.office.name)
    return "\n".join(lines)


def contacts(disposition: Disposition) -> list[Contact]:
    """Whom the disposition reaches: the unit's officer, the user, or the
    active holders of the role."""
    if disposition.to_role_id is not None:
        holders = db.session.scalars(
            select(User).where(User.roles.any(Role.id == disposition.to_role_id),
                               User.active)
            .order_by(User.full_name)).all()
        return [Contact(u.full_name, u.phone, u.email) for u in holders]
    return [Contact(disposition.to_name or disposition.to_unit or "",
                    disposition.to_phone, disposition.to_email)]


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _target(complaint: Complaint, to_role: Role | None, to_user: User | None,
            to_unit: str | None) -> None:
    if sum(x is not None for x in (to_role, to_user, to_unit)) != 1:
        raise InvalidDisposition(_(
            "Tujuan disposisi: pilih tepat satu dari jabatan, pegawai atau unit lain."))
    if to_role is not None and to_role.office_id != complaint.office_id:
        raise InvalidDisposition(_("Jabatan: bukan jabatan kantor pengaduan ini."))
    if to_user is not None and (to_user.office_id != complaint.office_id
                                or not to_user.active):
        raise InvalidDisposition(_("Pegawai: bukan pegawai aktif kantor ini."))


def forward(
    complaint: Complaint,
    *,
    actor: User,
    now: datetime,
    to_role: Role | None = None,
    to_user: User | None = None,
    to_unit: str | None = None,
    to_name: str | None = None,
    to_phone: str | None = None,
    to_email: str | None = None,
    message: str = "",
    due_at: datetime | None = None,
) -> Disposition:
    """Record a disposition of `complaint` by `actor` (see the module docstring).

    Whoever may act on the current step may forward it. A unit outside the
    office needs a phone number or an e-mail address to be reached by.
    """
    to_unit, to_name = _clean(to_unit), _clean(to_name)
    to_phone, to_email = _clean(to_phone), _clean(to_email)
    if complaint.status != ComplaintStatus.IN_PROGRESS:
        raise InvalidDisposition(_(
            "Pengaduan %(no)s tidak sedang diproses: tidak dapat didisposisikan.",
            no=complaint.register_no))
    record = workflow.open_record(complaint)
    step = complaint.sop_version.step(record.step_number)
    if not workflow.may_act(actor, complaint, step):
        raise InvalidDisposition(_(
            "Anda tidak dapat mendisposisikan langkah %(number)s: langkah ini "
            "milik jabatan %(role)s.", number=step.number, role=step.lane.name))
    _target(complaint, to_role, to_user, to_unit)
    if to_unit is not None and not (to_phone or to_email):
        raise InvalidDisposition(_(
            "Unit lain: isi nomor telepon atau surel petugasnya."))
    if to_email is not None and not _EMAIL.fullmatch(to_email):
        raise InvalidDisposition(_("Surel: alamat tidak valid."))
    if due_at is not None and due_at <= now:
        raise InvalidDisposition(_("Batas waktu: harus sesudah saat ini."))
    if due_at is None:
        due_at = workflow.step_due_at(step, now, workflow.office_calendar(complaint))
    if to_user is not None:
        to_name = to_name or to_user.full_name
        to_phone, to_email = to_phone or to_user.phone, to_email or to_user.email
    disposition = Disposition(
        complaint=complaint, complaint_step_id=record.id, created_at=now,
        created_by_id=actor.id, to_role=to_role, to_user=to_user, to_unit=to_unit,
        to_name=to_name, to_phone=to_phone, to_email=to_email,
        message=(message or "").strip(), due_at=due_at)
    db.session.add(disposition)
    db.session.flush()
    return disposition


def of_complaint(complaint: Complaint) -> list[Disposition]:
    return list(db.session.scalars(
        select(Disposition).where(Disposition.complaint_id == complaint.id)
        .order_by(Disposition.created_at, Disposition.id)))
