"""The Proses page: one complaint walked through its SOP, step by step.

Shows the SOP flow of the complaint's version with the current step
highlighted, what each done step recorded, who must act now and by when
(in the office's zone), the dispositions with their WhatsApp/e-mail/phone
links, and the escalations. Acting, forwarding, starting and reopening are
POST forms that call the services (`workflow`, `dispositions`); those decide
who may do what, this view only hides the forms a user cannot use and turns
a refusal into a message.

Access: any logged-in level of the complaint's office may read; the POSTs
are 403 to records officers and auditors (they only read), checked in
`complaint_or_404` before any service runs; another office's complaint is
404 to everyone but superadmins.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .. import deadlines, dispositions, workflow
from ..errors import SopAdminError
from ..extensions import db
from ..models import (
    AccessLevel,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    Escalation,
    Evidence,
    Role,
    User,
    utcnow,
)
from ..models.office import TIMEZONES
from .base import ALL_LEVELS, WRITERS, allowed, complaint_or_404
from .fields import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_SIGNATURES,
    LocalDateTimeField,
    check_upload,
)

#: Files one action may attach.
MAX_ATTACHMENTS = 5


class EvidenceUploadsField(MultipleFileField):
    """Up to MAX_ATTACHMENTS files, each checked as complaint evidence is."""

    def pre_validate(self, form):
        files = [f for f in self.data or [] if isinstance(f, FileStorage)
                 and f.filename]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("Paling banyak %(n)d lampiran sekaligus.",
                                    n=MAX_ATTACHMENTS))
        message = _l("Lampiran harus berupa PNG, JPEG atau PDF.")
        self.uploads = [check_upload(f, EVIDENCE_SIGNATURES, EVIDENCE_MAX_BYTES,
                                     message) for f in files]


class ActForm(FlaskForm):
    expected_step = HiddenField()
    note = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=4000)])
    attachments = EvidenceUploadsField(
        _l("Lampiran"), description=_l("PNG, JPEG atau PDF, maksimal 5 MB per "
                                       "berkas, paling banyak 5 berkas."))


class ForwardForm(FlaskForm):
    target = RadioField(_l("Tujuan"), choices=[
        SelectChoice("role", _l("Jabatan")), SelectChoice("user", _l("Pegawai")),
        SelectChoice("unit", _l("Unit lain"))], default="role")
    role = SelectField(_l("Jabatan"), coerce=int, validate_choice=False)
    user = SelectField(_l("Pegawai"), coerce=int, validate_choice=False)
    unit = StringField(_l("Unit lain"), validators=[Length(max=200)])
    name = StringField(_l("Nama petugas"), validators=[Length(max=200)])
    phone = StringField(_l("Telepon / WhatsApp"), validators=[Length(max=40)])
    email = StringField(_l("Surel"), validators=[Length(max=200)])
    message = TextAreaField(_l("Pesan"), validators=[Length(max=2000)])
    due_at = LocalDateTimeField(
        _l("Batas waktu"), validators=[Optional()],
        description=_l("Kosongkan: dihitung dari Waktu langkah saat ini."))


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Alasan membuka kembali"),
                           validators=[DataRequired(), Length(max=500)])


def office_time(complaint: Complaint, value: datetime | None) -> str:
    """A UTC time in the complaint's office zone, with WIB/WITA/WIT."""
    if value is None:
        return ""
    zone = complaint.office.timezone
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%d-%m-%Y %H:%M} {TIMEZONES.get(zone, zone)}"


class ProcessView(BaseView):
    """Proses: /admin/proses/<complaint id>; not in the menu (linked from
    the complaint list and details)."""

    def is_visible(self) -> bool:
        return False

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and allowed(ALL_LEVELS)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login",
                                    next=request.full_path.rstrip("?")))
        abort(403)


    def _back(self, complaint: Complaint):
        return redirect(url_for(".show", complaint_id=complaint.id))

    def _fail(self, exc: SopAdminError) -> None:
        db.session.rollback()
        flash(str(exc), "error")

    @expose("/")
    def index(self):
        return redirect(url_for("complaint.index_view"))

    @expose("/<int:complaint_id>")
    def show(self, complaint_id: int):
        complaint = complaint_or_404(complaint_id)
        if complaint.sop_version is None:
            flash(_("Pengaduan %(no)s belum terhubung dengan SOP: pilih SOP-nya "
                    "pada formulir pengaduan.", no=complaint.register_no), "warning")
            return redirect(url_for("complaint.details_view", id=complaint.id))
        return self.render("admin/process/show.html", **self._page(complaint))

    def _page(self, complaint: Complaint) -> dict:
        version, now = complaint.sop_version, utcnow()
        records = list(db.session.scalars(
            select(ComplaintStep).where(ComplaintStep.complaint_id == complaint.id)
            .order_by(ComplaintStep.id)))
        current = next((r for r in reversed(records) if r.completed_at is None), None)
        step = version.step(current.step_number) if current else None
        evidence = db.session.scalars(
            select(Evidence).where(Evidence.complaint_id == complaint.id,
                                   Evidence.complaint_step_id.is_not(None))).all()
        by_record: dict[int, list[Evidence]] = {}
        for item in evidence:
            by_record.setdefault(item.complaint_step_id, []).append(item)
        writer = current_user.is_superadmin or current_user.access_level in (
            AccessLevel.ADMIN, AccessLevel.STAFF)
        may_act = step is not None and workflow.may_act(current_user, complaint, step)
        return {
            "complaint": complaint, "version": version, "records": records,
            "done": {r.step_number: r for r in records if r.completed_at},
            "current": current, "step": step, "evidence": by_record,
            "at": lambda value: office_time(complaint, value),
            "overdue": lambda due: deadlines.is_overdue(due, now),
            "standard": workflow.time_standard,
            "writer": writer, "may_act": may_act,
            "may_start": (complaint.status == ComplaintStatus.NEW
                          and workflow.may_register(current_user, complaint)),
            "may_reopen": (complaint.is_closed
                           and workflow.may_register(current_user, complaint)),
            "act_form": ActForm(expected_step=complaint.current_step_number),
            "forward_form": self._forward_form(complaint),
            "reopen_form": ReopenForm(),
            "dispositions": [self._links(d) for d in
                             dispositions.of_complaint(complaint)],
            "escalations": db.session.scalars(
                select(Escalation).where(Escalation.complaint_id == complaint.id)
                .order_by(Escalation.id)).all(),
        }

    def _forward_form(self, complaint: Complaint, formdata=None) -> ForwardForm:
        form = ForwardForm(formdata=formdata)
        roles = db.session.scalars(
            select(Role).where(Role.office_id == complaint.office_id)
            .order_by(Role.name))
        users = db.session.scalars(
            select(User).where(User.office_id == complaint.office_id, User.active)
            .order_by(User.full_name))
        form.role.choices = [SelectChoice(r.id, r.name) for r in roles]
        form.user.choices = [SelectChoice(u.id, u.full_name) for u in users]
        return form

    @staticmethod
    def _links(disposition) -> dict:
        text = dispositions.message_text(disposition)
        subject = dispositions.subject_line(disposition)
        return {"disposition": disposition, "contacts": [
            {"contact": c,
             "whatsapp": dispositions.whatsapp_link(c.phone, text),
             "mailto": dispositions.mailto_link(c.email, subject, text),
             "tel": dispositions.tel_link(c.phone)}
            for c in dispositions.contacts(disposition)]}

    @expose("/<int:complaint_id>/start", methods=["POST"])
    def start(self, complaint_id: int):
        complaint = complaint_or_404(complaint_id, WRITERS)
        try:
            workflow.start(complaint, actor=current_user, now=utcnow())
        except SopAdminError as exc:
            self._fail(exc)
        else:
            db.session.commit()
            flash(_("Penanganan pengaduan dimulai."), "success")
        return self._back(complaint)

    @expose("/<int:complaint_id>/act", methods=["POST"])
    def act(self, complaint_id: int):
        complaint = complaint_or_404(complaint_id, WRITERS)
        form = ActForm()
        if not form.validate():
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "error")
            return self._back(complaint)
        answer = {"ya": True, "tidak": False}.get(request.form.get("answer", ""))
        expected = form.expected_step.data
        try:
            record = workflow.open_record(complaint)
            workflow.advance(
                complaint, actor=current_user, now=utcnow(),
                note=form.note.data or "", answer=answer,
                expected_step=int(expected) if str(expected).isdigit() else -1)
            for content, mimetype, filename in form.attachments.uploads:
                db.session.add(Evidence(
                    complaint_id=complaint.id, complaint_step_id=record.id,
                    filename=filename, mimetype=mimetype, size=len(content),
                    data=content))
        except SopAdminError as exc:
            self._fail(exc)
            return self._back(complaint)
        db.session.commit()
        if complaint.is_closed:
            flash(_("Langkah selesai; pengaduan ditutup."), "success")
        else:
            flash(_("Langkah selesai; sekarang langkah %(number)s.",
                    number=complaint.current_step_number), "success")
        return self._back(complaint)

    @expose("/<int:complaint_id>/forward", methods=["POST"])
    def forward(self, complaint_id: int):
        complaint = complaint_or_404(complaint_id, WRITERS)
        form = self._forward_form(complaint, request.form)
        if not form.validate():
            for name, errors in form.errors.items():
                for error in errors:
                    flash(f"{form[name].label.text}: {error}", "error")
            return self._back(complaint)
        target = {"role": None, "user": None, "unit": None}
        if form.target.data == "role":
            target["role"] = db.session.get(Role, form.role.data or 0)
        elif form.target.data == "user":
            target["user"] = db.session.get(User, form.user.data or 0)
        else:
            target["unit"] = form.unit.data
        try:
            dispositions.forward(
                complaint, actor=current_user, now=utcnow(),
                to_role=target["role"], to_user=target["user"],
                to_unit=target["unit"], to_name=form.name.data,
                to_phone=form.phone.data, to_email=form.email.data,
                message=form.message.data, due_at=form.due_at.data and
                form.due_at.data.replace(tzinfo=ZoneInfo(complaint.office.timezone)))
        except SopAdminError as exc:
            self._fail(exc)
            return self._back(complaint)
        db.session.commit()
        flash(_("Disposisi dicatat."), "success")
        return self._back(complaint)

    @expose("/<int:complaint_id>/reopen", methods=["POST"])
    def reopen(self, complaint_id: int):
        complaint = complaint_or_404(complaint_id, WRITERS)
        form = ReopenForm()
        try:
            workflow.reopen(complaint, actor=current_user, now=utcnow(),
                            reason=form.reason.data or "")
        except SopAdminError as exc:
            self._fail(exc)
            return self._back(complaint)
        db.session.commit()
        flash(_("Pengaduan dibuka kembali."), "success")
        return self._back(complaint)
