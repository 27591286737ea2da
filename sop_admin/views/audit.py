"""Auditor screens: the log, a record's history, a user's activity, the chain.

Read-only for everyone: the create, edit and delete routes are not
registered at all (their view functions are set to None, so Flask-Admin's
metaclass finds nothing to expose), and no action exists. Admins and
auditors see their office's entries, superadmins all (office scoping and
export neutralising come from `SecureModelView`). Times are shown in the
viewer's office zone (WIB).
"""

from datetime import UTC, datetime, time, timedelta

from flask import abort
from flask_admin import expose
from flask_admin.contrib.sqla import filters
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from ..i18n import local_dt, office_timezone
from ..models import AccessLevel, AuditEntry, User
from ..models.audit import INTERFACES, OPERATIONS
from . import audit_history
from .base import SecureModelView

AUDIT_READERS = frozenset({AccessLevel.ADMIN, AccessLevel.AUDITOR})


def _options(values):
    return [(v, v) for v in values]


class AtBetweenFilter(filters.DateBetweenFilter):
    """Date range in the viewer's zone, compared as UTC instants."""

    def apply(self, query, value, alias=None):
        zone = office_timezone()
        start = datetime.combine(value[0], time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(value[1] + timedelta(days=1), time.min,
                               tzinfo=zone).astimezone(UTC)
        return query.filter(AuditEntry.at >= start, AuditEntry.at < end)


def _at(_view, _context, model, _name):
    return local_dt(model.at, "%d-%m-%Y %H:%M:%S")


def _record(view, _context, model, _name):
    if not model.row_key:
        return ""
    table, key = model.table_name, model.row_key
    if model.parent_table:
        table, key = model.parent_table, model.parent_key
    url = view.get_url(".history", table=table, key=key)
    return Markup('<a href="{}">{}</a>').format(url, escape(model.row_key))


def _actor(view, _context, model, _name):
    if model.actor_id is None:
        return model.actor_name or ""
    url = view.get_url(".activity", user_id=model.actor_id)
    return Markup('<a href="{}">{}</a>').format(url, escape(model.actor_name or "?"))


def _values(_view, _context, model, name):
    return audit_history.shown_json(model, current_user, name)


class AuditEntryView(SecureModelView):
    read_levels = AUDIT_READERS
    export_levels = AUDIT_READERS
    create_levels = edit_levels = delete_levels = None
    action_disallowed_list = ["delete"]
    # No such routes at all, not just hidden buttons. (The list template
    # needs the action route; with no actions it answers 403.)
    create_view = edit_view = delete_view = ajax_update = None
    ajax_lookup = None

    simple_list_pager = True  # no COUNT(*) over a big log
    max_page = 200
    page_size = 50
    column_default_sort = ("id", True)
    column_list = ("seq", "at", "table_name", "row_key", "operation", "actor_name",
                   "access_level", "interface", "client_ip", "reason")
    column_details_list = column_list + (
        "old_values", "new_values", "office_id", "parent_table", "parent_key",
        "actor_id", "user_agent", "request_id", "prev_hash", "hash")
    column_export_list = column_details_list
    column_sortable_list = ("seq", "at")
    column_searchable_list = ("row_key", "actor_name", "reason")
    column_labels = {
        "seq": _l("No. urut"), "at": _l("Waktu"), "table_name": _l("Tabel"),
        "row_key": _l("Kunci rekaman"), "operation": _l("Operasi"),
        "actor_name": _l("Pelaku"), "access_level": _l("Tingkat akses"),
        "interface": _l("Antarmuka"), "client_ip": _l("Alamat IP"),
        "reason": _l("Alasan"), "old_values": _l("Nilai lama"),
        "new_values": _l("Nilai baru"), "office_id": _l("Instansi"),
        "parent_table": _l("Tabel induk"), "parent_key": _l("Kunci induk"),
        "actor_id": _l("ID pelaku"), "user_agent": _l("Peramban"),
        "request_id": _l("ID permintaan"), "prev_hash": _l("Hash sebelumnya"),
        "hash": _l("Hash"),
    }
    column_formatters = {"at": _at, "row_key": _record, "actor_name": _actor}
    column_formatters_detail = {"at": _at, "old_values": _values, "new_values": _values}
    column_formatters_export = {
        "at": lambda _v, _c, m, _n: m.at.isoformat() if m.at else "",
        "old_values": _values, "new_values": _values,
    }

    def __init__(self, *args, **kwargs):
        tables = sorted(t for t in db.metadata.tables if not t.startswith("audit_"))
        self.column_filters = [
            filters.FilterEqual(AuditEntry.table_name, _l("Tabel"),
                                options=_options(tables)),
            filters.FilterEqual(AuditEntry.row_key, _l("Kunci rekaman")),
            filters.FilterLike(AuditEntry.actor_name, _l("Pelaku")),
            filters.FilterEqual(AuditEntry.actor_id, _l("ID pelaku")),
            filters.FilterEqual(AuditEntry.operation, _l("Operasi"),
                                options=_options(OPERATIONS)),
            filters.FilterEqual(AuditEntry.interface, _l("Antarmuka"),
                                options=_options(INTERFACES)),
            AtBetweenFilter(AuditEntry.at, _l("Tanggal")),
        ]
        super().__init__(*args, **kwargs)

    @expose("/history/<table>/<path:key>")
    def history(self, table, key):
        if table not in db.metadata.tables:
            abort(404)
        entries = audit_history.record_history(table, key, current_user)
        if not entries:
            # Another office's record (its entries are out of scope) looks
            # the same as one that never existed: 404, not an empty page.
            abort(404)
        rows = [(e, audit_history.changes(e, self.admin, current_user))
                for e in entries]
        return self.render("admin/audit/history.html", table=table, key=key,
                           rows=rows, labels=audit_history.OPERATION_LABELS)

    @expose("/activity/<int:user_id>")
    def activity(self, user_id):
        user = db.session.get(User, user_id)
        entries = audit_history.user_activity(user_id, current_user)
        if user is not None and not current_user.is_superadmin \
                and user.office_id != current_user.office_id and not entries:
            abort(404)
        name = user.full_name if user else (entries[0].actor_name if entries else "")
        return self.render("admin/audit/activity.html", user=user, name=name,
                           entries=entries, labels=audit_history.OPERATION_LABELS)

    @expose("/verify")
    def verify(self):
        result = audit_history.chain_status(tail=None)
        head = db.session.scalar(
            select(AuditEntry).where(AuditEntry.seq == result.head_seq))
        return self.render("admin/audit/verify.html", result=result, head=head)
