"""Users of an office: created and deactivated by its admins, never deleted.

A user row is the actor of audit history, so deleting one would orphan who
did what; the "Nonaktifkan" action switches the account off instead.
"""

from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, ValidationError
from wtforms.validators import Email, Optional

from ..extensions import db
from ..i18n import local_dt
from ..models import User, normalise_nip
from . import labels
from .base import ADMINS, SecureModelView, int_ids, refuse_duplicate
from .fields import WriteOnlyPasswordField


def _check_nip(form, field):
    try:
        field.data = normalise_nip(field.data)
    except ValueError as exc:
        raise ValidationError(_(
            "NIP harus 18 digit angka (spasi boleh), contoh "
            "19800101 200501 1 001.")) from exc


class UserView(SecureModelView):
    """Admins manage their office's users; the password is set, never shown."""

    delete_levels = None
    action_levels = {"deactivate": ADMINS, "activate": ADMINS}

    column_list = ["username", "full_name", "nip", "access_level", "roles",
                   "active", "last_login_at", "office"]
    superadmin_columns = ("office",)
    column_details_list = ["username", "full_name", "nip", "email", "phone",
                           "access_level", "roles", "is_superadmin", "active",
                           "created_at", "last_login_at", "office"]
    column_export_list = ["username", "full_name", "nip", "email", "phone",
                          "access_level", "active", "last_login_at"]
    column_searchable_list = ["username", "full_name", "nip"]
    column_filters = ["active"]
    column_default_sort = "full_name"
    column_select_related_list = (User.office,)
    form_columns = ["office", "username", "full_name", "nip", "email", "phone",
                    "access_level", "roles", "is_superadmin", "active",
                    "new_password"]
    form_extra_fields = {"new_password": WriteOnlyPasswordField(
        _l("Kata sandi baru"),
        description=_l("Minimal 8 karakter. Kosongkan bila tidak diganti."))}
    form_overrides = {"access_level": SelectField}
    form_args = {
        "access_level": labels.select(labels.ACCESS_LEVELS),
        "nip": {"validators": [Optional(), _check_nip],
                "filters": [lambda v: v or None]},
        "email": {"validators": [Optional(), Email()],
                  "filters": [lambda v: v or None]},
    }
    column_formatters = {
        "access_level": labels.label_of(labels.ACCESS_LEVELS),
        "last_login_at": lambda v, c, m, n: local_dt(m.last_login_at),
        "created_at": lambda v, c, m, n: local_dt(m.created_at),
        "roles": lambda v, c, m, n: ", ".join(r.name for r in m.roles),
    }
    column_formatters_export = {
        "access_level": lambda v, c, m, n: str(labels.ACCESS_LEVELS[m.access_level]),
        "last_login_at": lambda v, c, m, n: local_dt(m.last_login_at),
    }
    column_labels = {
        "username": _l("Nama pengguna"),
        "full_name": _l("Nama lengkap"),
        "nip": _l("NIP"),
        "email": _l("Surel"),
        "phone": _l("Telepon"),
        "access_level": _l("Tingkat akses"),
        "roles": _l("Jabatan"),
        "is_superadmin": _l("Superadmin (semua instansi)"),
        "active": _l("Aktif"),
        "created_at": _l("Dibuat"),
        "last_login_at": _l("Terakhir masuk"),
        "office": _l("Instansi"),
        "new_password": _l("Kata sandi baru"),
    }

    def get_query(self):
        return super().get_query().options(db.selectinload(User.roles))

    def restrict_form(self, form):
        form = super().restrict_form(form)
        if not current_user.is_superadmin and "is_superadmin" in form:
            del form["is_superadmin"]
        return form

    def apply_service(self, form, model, is_created):
        refuse_duplicate(model, _("Nama pengguna sudah dipakai."), "username")
        password = form.new_password.data
        if is_created and not password:
            raise ValidationError(_("Kata sandi wajib diisi untuk pengguna baru."))
        if password:
            if len(password) < 8:
                raise ValidationError(_("Kata sandi minimal 8 karakter."))
            model.set_password(password)
        if model.id == current_user.id and not model.active:
            raise ValidationError(_("Anda tidak dapat menonaktifkan akun sendiri."))

    def _set_active(self, ids, active: bool) -> int:
        users = self.get_query().filter(User.id.in_(int_ids(ids))).all()
        changed = [u for u in users if u.id != current_user.id and u.active != active]
        for user in changed:
            user.active = active
        db.session.commit()
        return len(changed)

    @action("deactivate", _l("Nonaktifkan"),
            _l("Nonaktifkan pengguna terpilih? Mereka tidak dapat masuk lagi."))
    def action_deactivate(self, ids):
        count = self._set_active(ids, False)
        flash(_("%(count)d pengguna dinonaktifkan.", count=count), "success")

    @action("activate", _l("Aktifkan"))
    def action_activate(self, ids):
        count = self._set_active(ids, True)
        flash(_("%(count)d pengguna diaktifkan.", count=count), "success")
