"""The complaint register (pengaduan): list, search, filters, create and edit.

The list is built to stay fast on large tables: no COUNT(*) (simple pager),
one joined query per page, a capped page depth, and a register number typed
into the search box is looked up exactly on its unique index instead of an
ILIKE scan over every column.
"""

import re
from datetime import datetime, time, timedelta
from io import BytesIO

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import and_, not_, or_
from sqlalchemy.exc import OperationalError
from werkzeug.utils import secure_filename
from wtforms import SelectField, ValidationError

from .. import audit, tracking
from ..complaints import (
    EMAIL_RE,
    FIELDS,
    IDENTITY_FIELDS,
    DuplicateComplaint,
    InvalidComplaint,
    register_complaint,
)
from ..dashboard import overdue_clause
from ..extensions import db
from ..i18n import local_dt, office_timezone
from ..models import (
    AccessLevel,
    Complaint,
    ComplaintStatus,
    Evidence,
    Office,
    SopStatus,
    SopVersion,
    utcnow,
)
from . import complaint_import, labels, locking
from .base import ADMINS, ALL_LEVELS, WRITERS, SecureModelView, int_ids
from .fields import EVIDENCE_SIGNATURES, LocalDateTimeField, evidence_upload
from .outbox import notices_cell
from .reply import replies_cell

#: What a register number looks like (office code / year / sequence).
REGISTER_NO_RE = re.compile(r"^[A-Za-z0-9.-]{1,12}/\d{4}/\d{1,9}$")
#: Content types an evidence download may carry (what uploads are checked for).
SERVED_TYPES = frozenset(EVIDENCE_SIGNATURES.values())


def may_see_identity(user, complaint: Complaint) -> bool:
    """Confidential reporters are known only to the office's admins."""
    if not complaint.confidential:
        return True
    return user.is_superadmin or (
        user.access_level == AccessLevel.ADMIN and user.office_id == complaint.office_id
    )


def _identity(view, context, model, name):
    if not may_see_identity(current_user, model):
        return _("••• (rahasia)")
    return getattr(model, name) or ""


def _local(view, context, model, name):
    return local_dt(getattr(model, name))


def _evidence_links(view, context, model, name):
    return Markup("<br>").join(
        Markup('<a href="{}">{}</a> ({} KB)').format(
            view.get_url(".evidence_view", id=item.id), item.filename,
            max(1, item.size // 1024))
        for item in model.evidence)


def is_overdue(complaint: Complaint, now) -> bool:
    """The Python twin of `dashboard.overdue_clause`, for a row already loaded."""
    return complaint.status != ComplaintStatus.CLOSED and any(
        due is not None and due < now
        for due in (complaint.step_due_at, complaint.due_at))


def _deadline(view, context, model, name):
    """The current step's deadline (else the complaint's) in the office zone,
    with a "Terlambat" badge: a word, not only a colour."""
    due = model.step_due_at or (None if model.is_closed else model.due_at)
    if not is_overdue(model, utcnow()):
        return local_dt(due)
    return Markup('{} <span class="badge badge-danger overdue">{}</span>').format(
        local_dt(due), _("Terlambat"))


class OverdueFilter(filters.BaseSQLAFilter):
    """Terlambat: Ya (past the step's or the complaint's deadline, still
    open) or Tidak (everything else)."""

    def __init__(self, name):
        super().__init__(Complaint.step_due_at, name,
                         options=(("1", _l("Ya")), ("0", _l("Tidak"))))

    def apply(self, query, value, alias=None):
        clause = overdue_clause(utcnow())
        if value == "1":
            return query.filter(clause)
        # Spelled out rather than NOT(clause): a NULL deadline would make
        # the negation NULL and drop the row.
        now = utcnow()
        return query.filter(or_(
            Complaint.status == ComplaintStatus.CLOSED,
            and_(or_(Complaint.step_due_at.is_(None), Complaint.step_due_at >= now),
                 or_(Complaint.due_at.is_(None), Complaint.due_at >= now))))

    def operation(self):
        return _l("adalah")


class ReceivedBetweenFilter(filters.DateBetweenFilter):
    """Received between two dates of the office's calendar (not UTC dates)."""

    def apply(self, query, value, alias=None):
        start, end = value
        tz = office_timezone()
        low = datetime.combine(start, time.min, tz)
        high = datetime.combine(end + timedelta(days=1), time.min, tz)
        column = self.get_column(alias)
        return query.filter(column >= low, column < high)


class OfficeOptions:
    """Office choices read when the filter is shown, not at start-up."""

    def __bool__(self):
        return True

    def __iter__(self):
        rows = db.session.query(Office.id, Office.code, Office.name).order_by(
            Office.code)
        return iter([(str(i), f"{code} – {name}") for i, code, name in rows])


class ComplaintView(SecureModelView):
    """Admins and staff register and edit; records officers and auditors read."""

    read_levels = ALL_LEVELS
    create_levels = WRITERS
    edit_levels = WRITERS
    delete_levels = ADMINS

    column_extra_row_actions = [EndpointLinkRowAction(
        "fa fa-tasks", "process.show", title=_l("Proses"), id_arg="complaint_id")]
    page_size = 20
    can_set_page_size = False
    simple_list_pager = True
    max_page = 50
    column_list = ["register_no", "received_at", "channel", "reporter_name",
                   "subject", "status", "step_due_at", "office"]
    superadmin_columns = ("office",)
    column_select_related_list = (Complaint.office,)
    column_default_sort = ("received_at", True)
    column_sortable_list = ["register_no", "received_at", "status"]
    column_details_list = [
        "register_no", "received_at", "channel", "classification", "anonymous",
        "confidential", "reporter_name", "reporter_contact", "reporter_address",
        "reporter_identity_no", "reporter_email", "reporter_email_consent",
        "subject", "description", "subject_party",
        "expectation", "lapor_tracking_id", "city_system_id", "source_url",
        "external_post_id", "sop_version", "evidence", "status",
        "current_step_number", "step_due_at", "due_at", "closed_at", "created_by",
        "office", "replies", "notices",
    ]
    column_export_list = [
        "register_no", "received_at", "channel", "classification", "reporter_name",
        "reporter_contact", "subject", "description", "subject_party", "status",
        "due_at", "closed_at",
    ]
    column_searchable_list = ["subject", "reporter_name", "description"]
    column_filters = [
        filters.FilterEqual(Complaint.channel, _l("Kanal"),
                            options=labels.options(labels.CHANNELS)),
        filters.FilterEqual(Complaint.status, _l("Status"),
                            options=labels.options(labels.STATUSES)),
        filters.FilterEqual(Complaint.classification, _l("Klasifikasi"),
                            options=labels.options(labels.CLASSIFICATIONS)),
        ReceivedBetweenFilter(Complaint.received_at, _l("Diterima")),
        filters.IntEqualFilter(Complaint.office_id, _l("Instansi"),
                               options=OfficeOptions()),
        OverdueFilter(_l("Terlambat")),
    ]
    details_template = "admin/complaint/details.html"
    list_template = "admin/complaint/list.html"
    form_columns = [
        "office", "received_at", "channel", "classification", "anonymous",
        "confidential", "reporter_name", "reporter_contact", "reporter_address",
        "reporter_identity_no", "reporter_email", "reporter_email_consent",
        "subject", "description", "subject_party",
        "expectation", "lapor_tracking_id", "city_system_id", "source_url",
        "external_post_id", "sop_version", "evidence_upload",
    ]
    form_extra_fields = {"evidence_upload": evidence_upload(_l("Tambah bukti"))}
    # Workflow fields (status, current step, due dates) change only through
    # the workflow service, never by editing the form.
    form_excluded_columns = ["status", "current_step_number", "step_due_at",
                             "due_at", "closed_at", "register_no"]
    form_overrides = {"received_at": LocalDateTimeField, "channel": SelectField,
                      "classification": SelectField}
    form_args = {
        "received_at": {"default": utcnow, "description": _l(
            "Waktu setempat. Boleh diundur untuk unggahan yang terlihat lebih "
            "awal, tidak boleh di masa depan.")},
        # Checked by register_complaint, which names the field.
        "reporter_email": {"filters": [lambda v: v.strip() if v else None]},
        "channel": labels.select(labels.CHANNELS),
        "classification": labels.select(labels.CLASSIFICATIONS),
    }
    column_formatters = {
        "received_at": _local, "step_due_at": _deadline, "due_at": _local,
        "closed_at": _local,
        "channel": labels.label_of(labels.CHANNELS),
        "classification": labels.label_of(labels.CLASSIFICATIONS),
        "status": labels.label_of(labels.STATUSES),
        "evidence": _evidence_links,
        "replies": replies_cell,
        "notices": notices_cell,
        **{name: _identity for name in IDENTITY_FIELDS},
    }
    column_formatters_export = {
        "received_at": _local, "due_at": _local, "closed_at": _local,
        "channel": labels.label_of(labels.CHANNELS),
        "classification": labels.label_of(labels.CLASSIFICATIONS),
        "status": labels.label_of(labels.STATUSES),
        **{name: _identity for name in IDENTITY_FIELDS},
    }
    column_labels = {
        "register_no": _l("Nomor register"),
        "received_at": _l("Diterima"),
        "channel": _l("Kanal"),
        "classification": _l("Klasifikasi"),
        "anonymous": _l("Anonim"),
        "confidential": _l("Rahasia"),
        "reporter_name": _l("Pelapor"),
        "reporter_contact": _l("Kontak pelapor"),
        "reporter_address": _l("Alamat pelapor"),
        "reporter_identity_no": _l("Nomor identitas pelapor"),
        "reporter_email": _l("Surel pelapor"),
        "reporter_email_consent": _l("Pelapor setuju menerima pemberitahuan surel"),
        "subject": _l("Perihal"),
        "description": _l("Uraian"),
        "subject_party": _l("Terlapor"),
        "expectation": _l("Harapan pelapor"),
        "lapor_tracking_id": _l("Nomor tiket SP4N-LAPOR!"),
        "city_system_id": _l("Nomor UPIK/JSS"),
        "source_url": _l("Tautan unggahan asli"),
        "external_post_id": _l("ID unggahan"),
        "sop_version": _l("SOP"),
        "status": _l("Status"),
        "current_step_number": _l("Langkah SOP"),
        "step_due_at": _l("Batas langkah"),
        "due_at": _l("Batas waktu"),
        "closed_at": _l("Selesai pada"),
        "created_by": _l("Dicatat oleh"),
        "office": _l("Instansi"),
        "evidence": _l("Bukti"),
        "replies": _l("Tanggapan"),
        "notices": _l("Pemberitahuan surel"),
    }

    def overdue_url(self) -> str:
        """This list filtered on Terlambat = Ya (the dashboard links to it)."""
        index = next(i for i, flt in enumerate(self._filters)
                     if isinstance(flt, OverdueFilter))
        return url_for(f"{self.endpoint}.index_view", **{
            f"flt0_{self.get_filter_arg(index, self._filters[index])}": "1"})

    def search_placeholder(self):
        return str(_l("Nomor register, perihal, pelapor, uraian"))

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """A register number exactly; other words against subject, reporter
        (not of confidential complaints the user may not see) and description."""
        term = search.strip()
        if REGISTER_NO_RE.match(term):
            clause = Complaint.register_no == term.upper()
        else:
            clause = and_(*(self._word_clause(word) for word in term.split()))
        query = query.filter(clause)
        if count_query is not None:
            count_query = count_query.filter(clause)
        return query, count_query, joins, count_joins

    def _word_clause(self, word: str):
        pattern = f"%{word}%"
        reporter = Complaint.reporter_name.ilike(pattern)
        if not (current_user.is_superadmin
                or current_user.access_level == AccessLevel.ADMIN):
            reporter = and_(reporter, not_(Complaint.confidential))
        return or_(Complaint.subject.ilike(pattern), reporter,
                   Complaint.description.ilike(pattern))

    def get_edit_form(self):
        return locking.with_stamp(super().get_edit_form())

    def update_model(self, form, model):
        """Refuse to overwrite a save made since this form was opened."""
        if not locking.claim(model, form):
            db.session.rollback()
            flash(_("Pengaduan ini sudah diubah pengguna lain sejak formulir "
                    "dibuka; perubahan Anda belum disimpan. Muat ulang halaman "
                    "untuk melihat versi terbaru."), "error")
            return False
        return super().update_model(form, model)

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if obj is not None and not may_see_identity(current_user, obj):
            # Neither shown nor overwritten by someone who may not see them.
            for name in (*IDENTITY_FIELDS, "confidential", "anonymous"):
                if name in form:
                    del form[name]
        return form

    def restrict_form(self, form):
        form = super().restrict_form(form)
        if "sop_version" in form:
            query = db.session.query(SopVersion).filter(
                SopVersion.status == SopStatus.ACTIVE)
            if not current_user.is_superadmin:
                query = query.filter(SopVersion.office_id == current_user.office_id)
            form.sop_version.query = query
        return form

    def apply_service(self, form, model, is_created):
        """Edits only: a new complaint goes through `create_model`."""
        if model.received_at and model.received_at > utcnow():
            raise ValidationError(_("Waktu diterima tidak boleh di masa depan."))
        if model.anonymous and any(getattr(model, f) for f in IDENTITY_FIELDS):
            raise ValidationError(_("Laporan anonim tidak boleh berisi identitas "
                                     "pelapor."))
        if model.reporter_email and not EMAIL_RE.match(model.reporter_email):
            raise ValidationError(_("Surel pelapor bukan alamat surel."))

    def on_model_change(self, form, model, is_created):
        """Check as the base does, then attach an uploaded evidence file."""
        super().on_model_change(form, model, is_created)
        _attach_upload(form, model)

    def create_model(self, form):
        """Register through `register_complaint`, like the API and the import
        (same checks, register number, duplicate refusal and tracking code),
        and show the tracking code once."""
        draft = Complaint()
        form.populate_obj(draft)
        office = (draft.office if current_user.is_superadmin and draft.office
                  else current_user.office)
        fields = {name: getattr(draft, name) for name in FIELDS if name in form}
        if fields.get("sop_version") is None:
            fields.pop("sop_version", None)
        try:
            registration = register_complaint(
                office, actor=current_user._get_current_object(), now=utcnow(),
                **fields)
            complaint = registration.complaint
            _attach_upload(form, complaint)
            db.session.commit()
        except InvalidComplaint as exc:
            db.session.rollback()
            _show_problems(form, exc.fields)
            return False
        except DuplicateComplaint as exc:
            db.session.rollback()
            flash(_("Unggahan ini sudah tercatat sebagai %(no)s.",
                    no=exc.existing.register_no), "error")
            return False
        except OperationalError as exc:  # read-only or full disk: a clear message
            db.session.rollback()
            self.handle_view_exception(exc)
            return False
        _flash_tracking_code(complaint, registration.tracking_code)
        return complaint

    @expose("/tracking-code/", methods=("POST",))
    def reissue_tracking_code(self):
        """Give the complaint a new tracking code; the old one stops working.

        For a reporter who lost the code (or one that was seen by others).
        The change of the stored hash is in the audit trail with the reason.
        """
        if not self.may("edit"):
            abort(403)
        complaint = self.get_one(request.form.get("id", ""))
        reason = request.form.get("reason", "").strip()[:300]
        audit.set_reason("Kode lacak baru diterbitkan" + (f": {reason}" if reason
                                                           else ""))
        code = tracking.issue(complaint)
        db.session.commit()
        _flash_tracking_code(complaint, code)
        return redirect(self.get_url(".details_view", id=complaint.id))

    @expose("/import/", methods=("GET", "POST"))
    def import_view(self):
        """Batch import from CSV/XLSX (see complaint_import.py)."""
        return complaint_import.page(self)

    @expose("/evidence/")
    def evidence_view(self):
        """Download one evidence file, if its complaint is in the user's scope."""
        ids = int_ids([request.args.get("id", "")])
        evidence = db.session.get(Evidence, ids[0]) if ids else None
        if evidence is None:
            abort(404)
        self.get_one(evidence.complaint_id)  # 404 outside the user's office
        # Only the types the upload check recognises are named; anything
        # else (a file that came in another way) is plain bytes, never HTML.
        mimetype = (evidence.mimetype if evidence.mimetype in SERVED_TYPES
                    else "application/octet-stream")
        name = secure_filename(evidence.filename) or "bukti"
        response = send_file(BytesIO(evidence.data), mimetype=mimetype,
                             as_attachment=True, download_name=name)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


def _attach_upload(form, complaint: Complaint) -> None:
    if form.evidence_upload.upload:
        data, mimetype, filename = form.evidence_upload.upload
        complaint.evidence.append(Evidence(filename=filename, mimetype=mimetype,
                                           size=len(data), data=data))


def _show_problems(form, problems: dict[str, str]) -> None:
    """Put each problem under its field; flash those the form does not show."""
    for name, message in problems.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            flash(f"{name}: {message}", "error")


def _flash_tracking_code(complaint: Complaint, code: str) -> None:
    """Show the code once, with a button printing the reporter's copy of the
    form with the code on it (the only moment it can be printed)."""
    flash(Markup(
        '{} <strong class="tracking-code">{}</strong><br>{}'
        '<form method="post" action="{}" class="mt-2 tracking-code-print">'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<input type="hidden" name="tracking_code" value="{}">'
        '<button type="submit" class="btn btn-sm btn-outline-secondary">{}</button>'
        '</form>').format(
        _("Kode lacak %(no)s:", no=complaint.register_no), code,
        _("Sampaikan kepada pelapor sekarang: kode ini tidak ditampilkan lagi "
          "(hanya dapat diganti dengan kode baru)."),
        url_for("report.complaint_form", id=complaint.id), generate_csrf(), code,
        _("Cetak formulir pengaduan dengan kode lacak")), "success")
