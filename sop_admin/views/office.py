"""Settings views: the office itself, its positions (jabatan) and closure days."""

from flask import Response, abort, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import SelectField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange

from ..extensions import db
from ..models import PAPER_SIZES, TIMEZONES, ClosureDay, Role, SopLane, user_roles
from .base import SecureModelView, refuse_duplicate
from .fields import image_upload

DAY_LIMIT = {"validators": [NumberRange(min=1, max=90)]}


class OfficeView(SecureModelView):
    """Admins edit their own office; only superadmins create offices."""

    office_column = None
    create_levels = frozenset()  # superadmins only
    delete_levels = None  # offices own history: never deleted
    export_levels = None

    column_list = ["code", "name", "government", "timezone", "paper_size"]
    column_details_list = [
        "code", "government", "name", "division", "address", "phone", "email",
        "logo", "timezone", "paper_size", "opens_at", "closes_at",
        "forward_days", "respond_days", "close_days",
    ]
    form_columns = [
        "code", "government", "name", "division", "address", "phone", "email",
        "logo_upload", "timezone", "paper_size", "opens_at", "closes_at",
        "forward_days", "respond_days", "close_days",
    ]
    form_extra_fields = {"logo_upload": image_upload(_l("Logo (PNG/JPEG)"))}
    form_overrides = {"timezone": SelectField, "paper_size": SelectField}
    form_args = {
        "timezone": {"choices": [SelectChoice(tz, f"{label} ({tz})")
                                 for tz, label in TIMEZONES.items()]},
        "paper_size": {"choices": [SelectChoice(size) for size in PAPER_SIZES]},
        "forward_days": DAY_LIMIT, "respond_days": DAY_LIMIT, "close_days": DAY_LIMIT,
    }
    column_labels = {
        "code": _l("Kode"),
        "government": _l("Pemerintah"),
        "name": _l("Nama instansi"),
        "division": _l("Bidang/Seksi"),
        "address": _l("Alamat"),
        "phone": _l("Telepon"),
        "email": _l("Surel"),
        "logo": _l("Logo"),
        "logo_upload": _l("Logo (PNG/JPEG)"),
        "timezone": _l("Zona waktu"),
        "paper_size": _l("Ukuran kertas"),
        "opens_at": _l("Jam buka"),
        "closes_at": _l("Jam tutup"),
        "forward_days": _l("Batas penerusan (hari kerja)"),
        "respond_days": _l("Batas tanggapan (hari kerja)"),
        "close_days": _l("Batas penyelesaian (hari kerja)"),
    }
    column_descriptions = {
        "forward_days": _l("SP4N-LAPOR!: 3 hari kerja"),
        "respond_days": _l("SP4N-LAPOR!: 5 hari kerja"),
        "close_days": _l("SP4N-LAPOR!: 10 hari kerja"),
    }
    column_formatters = {
        "timezone": lambda v, c, m, n: m.timezone_label,
        "logo": lambda v, c, m, n: Markup(
            '<img src="{}" alt="logo" style="max-height:80px">'
        ).format(v.get_url(".logo_view", id=m.id)) if m.logo else "",
    }

    def restrict_form(self, form):
        form = super().restrict_form(form)
        if not current_user.is_superadmin and "code" in form:
            del form["code"]  # register numbers carry it: superadmins only
        return form

    def apply_service(self, form, model, is_created):
        if form.logo_upload.upload:
            model.logo, model.logo_mimetype, _name = form.logo_upload.upload
        if model.opens_at and model.closes_at and model.opens_at >= model.closes_at:
            raise ValidationError(_("Jam tutup harus setelah jam buka."))
        if not model.forward_days <= model.respond_days <= model.close_days:
            raise ValidationError(_(
                "Batas hari kerja harus berurutan: penerusan ≤ tanggapan ≤ "
                "penyelesaian."))

    @expose("/logo/")
    def logo_view(self):
        office = self.get_one(request.args.get("id"))
        if not office.logo:
            abort(404)
        return Response(office.logo, mimetype=office.logo_mimetype)


class RoleView(SecureModelView):
    """Positions that carry out SOP steps (the flowchart's lanes)."""

    column_list = ["name", "description", "office"]
    superadmin_columns = ("office",)
    column_searchable_list = ["name"]
    column_default_sort = "name"
    form_columns = ["office", "name", "description"]
    column_select_related_list = (Role.office,)
    column_labels = {
        "name": _l("Nama jabatan"),
        "description": _l("Keterangan"),
        "office": _l("Instansi"),
    }

    def apply_service(self, form, model, is_created):
        refuse_duplicate(model, _("Jabatan dengan nama ini sudah ada."),
                         "office_id", "name")

    def on_model_delete(self, model):
        count = select(func.count())
        lanes = db.session.scalar(
            count.select_from(SopLane).where(SopLane.role_id == model.id))
        holders = db.session.scalar(
            count.select_from(user_roles).where(user_roles.c.role_id == model.id))
        if lanes or holders:
            raise ValidationError(_(
                "Jabatan masih dipakai (%(lanes)d kolom pelaksana SOP, "
                "%(users)d pengguna): tidak dapat dihapus.",
                lanes=lanes, users=holders))


class ClosureDayView(SecureModelView):
    """Days the office is closed besides national holidays (deadlines skip them)."""

    column_list = ["day", "reason", "office"]
    superadmin_columns = ("office",)
    column_default_sort = ("day", True)
    column_filters = ["day"]
    form_columns = ["office", "day", "reason"]
    column_select_related_list = (ClosureDay.office,)
    column_formatters = {"day": lambda v, c, m, n: f"{m.day:%d-%m-%Y}"}
    column_formatters_export = {"day": lambda v, c, m, n: m.day.isoformat()}
    column_labels = {
        "day": _l("Tanggal"),
        "reason": _l("Keterangan"),
        "office": _l("Instansi"),
    }

    def apply_service(self, form, model, is_created):
        refuse_duplicate(model, _("Tanggal ini sudah tercatat sebagai hari libur."),
                         "office_id", "day")
