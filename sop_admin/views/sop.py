"""SOP documents in the panel: office staff define and revise SOPs without code.

Only a draft version is edited (through `SopVersionForm`); what makes a
version valid is `sops.problems`, and the moves between draft, active and
retired are `sops.revise` / `activate` / `retire`. This module only turns
requests into those calls and their errors into messages. The transition
buttons post with a CSRF token and are checked against `edit_levels` here,
whatever the page showed.
"""

from io import BytesIO

from flask import abort, flash, redirect, request, send_file
from flask_admin import expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_admin.form import rules
from flask_admin.helpers import get_form_data, is_form_submitted
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms.fields.choices import SelectChoice

from .. import audit, sops
from ..errors import SopAdminError
from ..extensions import db
from ..models import Office, Role, Sop, SopStatus, SopVersion, StepKind, utcnow
from ..printing import sop_pdf
from ..printing.log import record_print
from .base import ADMINS, ALL_LEVELS, READERS, SecureModelView
from .sop_apply import apply_form
from .sop_form import LIST_TITLES, NewSopVersionForm, SopVersionForm, form_data

STATUS_LABELS = {
    SopStatus.DRAFT: _l("Konsep"),
    SopStatus.ACTIVE: _l("Aktif"),
    SopStatus.RETIRED: _l("Pensiun"),
}


#: The flowchart symbol of each kind of step, as the details page shows it.
SYMBOL_TEXT = {
    StepKind.START: _l("Mulai"),
    StepKind.END: _l("Selesai"),
    StepKind.PROCESS: "",
    StepKind.DECISION: "",
}
SYMBOL_TITLE = {
    StepKind.START: _l("Terminator (mulai)"),
    StepKind.END: _l("Terminator (selesai)"),
    StepKind.PROCESS: _l("Proses"),
    StepKind.DECISION: _l("Keputusan"),
}


class StatusFilter(FilterEqual):
    """Status by its stored value (draft/active/retired), labelled in Indonesian."""

    def __init__(self):
        options = [(status.value, label) for status, label in STATUS_LABELS.items()]
        super().__init__(SopVersion.status, _l("Status"), options=options)

    def clean(self, value):
        return SopStatus(value)

    def validate(self, value) -> bool:
        return value in {s.value for s in SopStatus}


def _status(view, context, model, name):
    return STATUS_LABELS[model.status]


def step_marker(step) -> Markup:
    """The step's symbol in its lane cell, with where the flow goes next."""
    kind = step.kind
    marker = Markup('<span class="sop-symbol sop-{}" title="{}">{}</span>').format(
        kind.value, SYMBOL_TITLE[kind], SYMBOL_TEXT[kind])
    if kind == StepKind.DECISION:
        branches = Markup('<div class="small mt-2">{} → {}<br>{} → {}</div>')
        return marker + branches.format(_("Ya"), step.if_yes or "-",
                                        _("Tidak"), step.if_no or "-")
    if step.next_number:
        return marker + Markup('<div class="small">→ {}</div>').format(step.next_number)
    return marker


class SopVersionView(SecureModelView):
    """SOP versions of the user's office: list, draft editing, transitions."""

    read_levels = ALL_LEVELS
    create_levels = ADMINS
    edit_levels = ADMINS
    delete_levels = None  # a version is retired, never deleted
    export_levels = READERS

    list_template = "admin/model/list.html"
    create_template = "admin/sop/create.html"
    edit_template = "admin/sop/edit.html"
    details_template = "admin/sop/details.html"

    column_list = ("sop.number", "name", "version_no", "status", "office",
                   "created_on", "effective_on", "activated_at", "retired_at")
    column_labels = {
        "sop.number": _l("Nomor SOP"), "name": _l("Nama SOP"),
        "version_no": _l("Versi"), "status": _l("Status"),
        "office": _l("Unit kerja"), "office.name": _l("Unit kerja"),
        "created_on": _l("Tanggal Pembuatan"), "effective_on": _l("Tanggal Efektif"),
        "activated_at": _l("Diaktifkan"), "retired_at": _l("Dipensiunkan"),
    }
    column_sortable_list = ("sop.number", "name", "version_no",
                            "status", "created_on", "effective_on")
    column_default_sort = ("name", False)
    column_searchable_list = (SopVersion.name, Sop.number)
    column_filters = (StatusFilter(), "office.name")
    column_select_related_list = (SopVersion.sop, SopVersion.office)
    column_formatters = {"status": _status}
    list_titles = LIST_TITLES
    column_formatters_export = {"status": _status}

    form = SopVersionForm
    form_edit_rules = [
        rules.FieldSet(("number", "name", "unit_government", "unit_office",
                        "unit_division"), _l("Identitas")),
        rules.FieldSet(("created_on", "revised_on", "effective_on", "approved_on"),
                       _l("Tanggal")),
        rules.FieldSet(("approver_position", "approver_name", "approver_rank",
                        "approver_nip"), _l("Disahkan oleh")),
        rules.FieldSet(tuple(name.value for name in LIST_TITLES),
                       _l("Daftar pada halaman identitas")),
        rules.FieldSet(("lanes",), _l("Pelaksana (kolom diagram alir)")),
        rules.FieldSet(("steps",), _l("Langkah (diagram alir)")),
        rules.FieldSet(("approvals", "coordination_initials", "history"),
                       _l("Lembar tambahan")),
    ]
    #: A new SOP also says whose it is (only superadmins have a choice).
    form_create_rules = [
        rules.FieldSet(("office_id",), _l("Unit kerja")),
        *form_edit_rules,
    ]

    def status_label(self, version: SopVersion) -> str:
        return STATUS_LABELS[version.status]

    def step_marker(self, step) -> Markup:
        return step_marker(step)

    # -- forms -----------------------------------------------------------------

    def get_create_form(self):
        return NewSopVersionForm

    def create_form(self, obj=None):
        office = current_user.office
        defaults = {"unit_government": office.government,
                    "unit_office": office.name, "unit_division": office.division}
        form = self._create_form_class(
            get_form_data(), data=None if is_form_submitted() else defaults,
            office_id=office.id,  # kept when the submit does not name one
        )
        offices = (db.session.scalars(select(Office).order_by(Office.name)).all()
                   if current_user.is_superadmin else [office])
        form.office_id.choices = [SelectChoice(o.id, str(o)) for o in offices]
        return form

    def edit_form(self, obj=None):
        return self._edit_form_class(
            get_form_data(), data=None if is_form_submitted() else form_data(obj)
        )

    def role_names(self, version: SopVersion | None = None) -> list[str]:
        """Roles of the version's office (a new SOP: the user's), offered when
        naming a lane."""
        office_id = version.office_id if version else current_user.office_id
        return list(db.session.scalars(
            select(Role.name).where(Role.office_id == office_id).order_by(Role.name)
        ))

    # -- saving ------------------------------------------------------------------

    def create_model(self, form):
        office = db.session.get(Office, form.office_id.data)  # one of the choices
        version = SopVersion(sop=Sop(office=office), office=office, version_no=1,
                             status=SopStatus.DRAFT, name="")
        db.session.add(version)
        return version if self._save(form, version, is_created=True) else False

    def update_model(self, form, model):
        return self._save(form, model, is_created=False)

    def _save(self, form, version: SopVersion, is_created: bool) -> bool:
        """Apply, check with `sops.problems`, commit; or roll back and show
        every problem on the form, leaving the database as it was."""
        try:
            apply_form(form, version, db.session)
            db.session.flush()
            problems = sops.problems(version)
        except SopAdminError as exc:
            problems = [str(exc)]
        if problems:
            db.session.rollback()
            form.form_errors.extend(problems)
            return False
        db.session.commit()
        self.after_model_change(form, version, is_created)
        return True

    # -- pages -------------------------------------------------------------------

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """Only drafts open for editing; others go to their page with a note."""
        version = self.get_one(request.args.get("id"))
        if not version.is_editable:
            flash(_("Versi %(status)s tidak dapat diubah; gunakan Revisi untuk "
                    "membuat konsep baru.", status=STATUS_LABELS[version.status]),
                  "warning")
            return redirect(self.get_url(".details_view", id=version.id))
        return super().edit_view()

    def _version_for_change(self, id: int) -> SopVersion:
        if not self.may("edit"):
            abort(403)
        return self.get_one(id)

    def _back(self, version: SopVersion):
        return redirect(self.get_url(".details_view", id=version.id))

    @expose("/revise/<int:id>", methods=("POST",))
    def revise_view(self, id: int):
        version = self._version_for_change(id)
        reason = " ".join(request.form.get("reason", "").split())
        if not reason:
            flash(_("Alasan revisi wajib diisi."), "error")
            return self._back(version)
        try:
            audit.set_reason(reason)  # on every audit row this revision writes
            draft = sops.revise(version, actor=current_user, reason=reason,
                                now=utcnow())
            db.session.commit()
        except SopAdminError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return self._back(version)
        flash(_("Konsep revisi dibuat; silakan ubah lalu aktifkan."), "success")
        return redirect(self.get_url(".edit_view", id=draft.id))

    @expose("/activate/<int:id>", methods=("POST",))
    def activate_view(self, id: int):
        version = self._version_for_change(id)
        return self._transition(version, sops.activate, _("Versi diaktifkan."))

    @expose("/retire/<int:id>", methods=("POST",))
    def retire_view(self, id: int):
        version = self._version_for_change(id)
        return self._transition(version, sops.retire, _("Versi dipensiunkan."))

    @expose("/print/<int:id>")
    def print_view(self, id: int):
        """The SOP document as PDF (read permission: records officers print)."""
        version = self.get_one(id)
        number = secure_filename(version.sop.number) or str(version.sop_id)
        data = sop_pdf(version)
        record_print(version, data)  # who printed which bytes, in the audit trail
        db.session.commit()
        return send_file(BytesIO(data), mimetype="application/pdf",
                         download_name=f"SOP-{number}-v{version.version_no}.pdf")

    def _transition(self, version: SopVersion, move, done: str):
        try:
            move(version, now=utcnow())
            db.session.commit()
        except SopAdminError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(done, "success")
        return self._back(version)
