"""API tokens of an office (Pengaturan → Token API): made and revoked by its
admins, never edited, never shown after the page that makes them.

Only the hash is stored (`api/tokens.py`); the secret goes straight from the
create request into its response page, never into the session cookie or a
redirect. Tokens are not deleted: a revoked token stays the named actor of
what it wrote, in the audit trail.
"""

from flask import flash, g
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..api import tokens
from ..extensions import db
from ..i18n import local_dt
from ..models import ApiToken, utcnow
from .base import ADMINS, SecureModelView, int_ids


def _local(view, context, model, name):
    return local_dt(getattr(model, name))


def _revoked(view, context, model, name):
    return local_dt(model.revoked_at) if model.revoked_at else _("aktif")


class ApiTokenView(SecureModelView):
    """Admins of an office (and superadmins) make, list and revoke tokens."""

    read_levels = ADMINS
    create_levels = ADMINS
    edit_levels = None
    delete_levels = None
    export_levels = None
    action_levels = {"revoke": ADMINS}

    column_list = ["name", "prefix", "created_at", "created_by", "last_used_at",
                   "revoked_at", "office"]
    superadmin_columns = ("office",)
    column_details_list = ["name", "prefix", "created_at", "created_by",
                           "last_used_at", "revoked_at", "office"]
    column_select_related_list = (ApiToken.office, ApiToken.created_by)
    column_default_sort = ("created_at", True)
    column_searchable_list = ["name"]
    form_columns = ["office", "name"]
    column_formatters = {
        "prefix": lambda v, c, m, n: f"{m.prefix}…",
        "created_at": _local,
        "last_used_at": _local,
        "revoked_at": _revoked,
    }
    column_labels = {
        "name": _l("Nama (aplikasi pemakai)"),
        "prefix": _l("Awalan"),
        "created_at": _l("Dibuat"),
        "created_by": _l("Dibuat oleh"),
        "last_used_at": _l("Terakhir dipakai"),
        "revoked_at": _l("Dicabut"),
        "office": _l("Instansi"),
    }
    form_args = {"name": {"description": _l(
        "Misalnya \"Jembatan Instagram\" atau \"Chatbot WhatsApp\": nama ini "
        "tercatat sebagai pelaku di jejak audit.")}}

    def apply_service(self, form, model, is_created):
        if not is_created:
            return
        model.name = (model.name or "").strip()
        model.created_by_id = current_user.id
        model.created_at = utcnow()
        g.issued_api_token = (model, tokens.issue(model))

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """The form; once saved, the one page that shows the secret."""
        response = super().create_view()
        issued = g.pop("issued_api_token", None)
        if issued is None:
            return response
        token, secret = issued
        page = self.render("admin/api_token/issued.html", token=token, secret=secret,
                           return_url=self.get_url(".index_view"))
        return page, 200, {"Cache-Control": "no-store"}

    @action("revoke", _l("Cabut"),
            _l("Cabut token terpilih? Aplikasi yang memakainya tidak dapat masuk "
               "lagi."))
    def action_revoke(self, ids):
        now = utcnow()
        chosen = self.get_query().filter(ApiToken.id.in_(int_ids(ids))).all()
        count = sum(tokens.revoke(token, now) for token in chosen)
        db.session.commit()
        flash(_("%(count)d token dicabut.", count=count), "success")
