"""The outbox in the panel: what was mailed, what waits, what failed and why.

Admins of the office (and superadmins) read it; nobody creates or edits a
message here. "Kirim ulang" puts failed messages back in the queue with a
fresh count of attempts; the sender (`flask outbox send` or the background
thread) then sends them.
"""

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select, update

from ..extensions import db
from ..i18n import local_dt
from ..models import NoticeKind, OutboxMessage, OutboxStatus, utcnow
from .base import ADMINS, SecureModelView, int_ids

KINDS = {
    NoticeKind.DISPOSITION: _l("Disposisi"),
    NoticeKind.ESCALATION: _l("Eskalasi"),
    NoticeKind.REGISTERED: _l("Pengaduan tercatat"),
    NoticeKind.CLOSED: _l("Pengaduan selesai"),
}
STATUSES = {
    OutboxStatus.PENDING: _l("Menunggu"),
    OutboxStatus.SENDING: _l("Sedang dikirim"),
    OutboxStatus.SENT: _l("Terkirim"),
    OutboxStatus.FAILED: _l("Gagal"),
}
#: Notices addressed to the reporter (their address is reporter identity).
TO_REPORTER = frozenset({NoticeKind.REGISTERED, NoticeKind.CLOSED})


def _label(mapping):
    def format_value(view, context, model, name):
        value = getattr(model, name)
        return str(mapping.get(value, value))
    return format_value


def _local(view, context, model, name):
    return local_dt(getattr(model, name))


def _pre(view, context, model, name):
    return Markup('<pre class="mb-0" style="white-space:pre-wrap">{}</pre>').format(
        getattr(model, name) or "")


class OutboxView(SecureModelView):
    read_levels = ADMINS
    create_levels = None
    edit_levels = None
    delete_levels = None
    export_levels = None
    action_levels = {"retry": ADMINS}

    details_template = "admin/outbox/details.html"
    page_size = 50
    simple_list_pager = True
    column_list = ["created_at", "kind", "recipient", "subject", "status",
                   "attempts", "next_attempt_at", "sent_at", "complaint", "office"]
    superadmin_columns = ("office",)
    column_select_related_list = (OutboxMessage.complaint, OutboxMessage.office)
    column_default_sort = ("created_at", True)
    column_sortable_list = ["created_at", "status", "next_attempt_at"]
    column_details_list = ["created_at", "kind", "complaint", "recipient", "subject",
                           "status", "attempts", "next_attempt_at", "sent_at",
                           "last_error", "message_id", "body_text"]
    column_filters = [
        filters.FilterEqual(OutboxMessage.status, _l("Status"),
                            options=[(k.value, v) for k, v in STATUSES.items()]),
        filters.FilterEqual(OutboxMessage.kind, _l("Jenis"),
                            options=[(k.value, v) for k, v in KINDS.items()]),
    ]
    column_formatters = {
        "created_at": _local, "next_attempt_at": _local, "sent_at": _local,
        "kind": _label(KINDS), "status": _label(STATUSES),
        "last_error": _pre, "body_text": _pre,
    }
    column_labels = {
        "created_at": _l("Dibuat"),
        "kind": _l("Jenis"),
        "complaint": _l("Pengaduan"),
        "recipient": _l("Penerima"),
        "subject": _l("Subjek"),
        "status": _l("Status"),
        "attempts": _l("Percobaan"),
        "next_attempt_at": _l("Percobaan berikutnya"),
        "sent_at": _l("Terkirim pada"),
        "last_error": _l("Galat server"),
        "message_id": _l("Message-ID"),
        "body_text": _l("Isi"),
        "office": _l("Instansi"),
    }

    @action("retry", _l("Kirim ulang"), _l("Kirim ulang pesan yang gagal?"))
    def action_retry(self, ids):
        """Failed messages of the user's office back to pending, attempts reset."""
        query = (update(OutboxMessage)
                 .where(OutboxMessage.id.in_(int_ids(ids)),
                        OutboxMessage.status == OutboxStatus.FAILED)
                 .values(status=OutboxStatus.PENDING, attempts=0,
                         next_attempt_at=utcnow())
                 .execution_options(synchronize_session=False))
        if not current_user.is_superadmin:
            query = query.where(OutboxMessage.office_id == current_user.office_id)
        count = db.session.execute(query).rowcount
        db.session.commit()
        flash(_("%(count)s pesan masuk antrean kirim ulang.", count=count), "success")


def notices_cell(view, context, model, name):
    """The complaint's notices on its detail page: when, what, to whom, status.

    A reporter's address is reporter identity: masked where the viewer may
    not see a confidential reporter.
    """
    from .complaint import may_see_identity  # complaint.py imports this module

    rows = db.session.scalars(select(OutboxMessage)
                              .where(OutboxMessage.complaint_id == model.id)
                              .order_by(OutboxMessage.created_at,
                                        OutboxMessage.id)).all()
    reveal = may_see_identity(current_user, model)
    items = [
        Markup("<li>{} · {} → {} · {}</li>").format(
            local_dt(row.created_at), KINDS.get(row.kind, row.kind),
            row.recipient if reveal or row.kind not in TO_REPORTER
            else _("••• (rahasia)"),
            STATUSES.get(row.status, row.status))
        for row in rows
    ]
    return Markup("<ul class='mb-0'>{}</ul>").format(Markup("").join(items)) \
        if items else ""
