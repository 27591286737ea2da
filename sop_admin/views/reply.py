"""Replies (tanggapan) recorded against a complaint, and their place on the
complaint's detail page.

A reply is created from the complaint's page (`?complaint_id=`); the
complaint is looked up through the complaint view's office scoping, so
another office's complaint is 404. Rules (time not in the future, one final
answer) live in `sop_admin.replies`.
"""

from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectField

from .. import replies
from ..extensions import db
from ..i18n import local_dt
from ..models import Complaint, Reply, utcnow
from . import labels
from .base import (
    ADMINS,
    ALL_LEVELS,
    WRITERS,
    SecureModelView,
    allowed,
    complaint_or_404,
)
from .fields import LocalDateTimeField


def _local(view, context, model, name):
    return local_dt(getattr(model, name))


class ReplyView(SecureModelView):
    """Staff and admins record replies; every level of the office reads them."""

    read_levels = ALL_LEVELS
    create_levels = WRITERS
    edit_levels = WRITERS
    delete_levels = ADMINS
    office_column = None  # scoped through the complaint (office_filter)

    column_list = ["complaint", "sent_at", "channel", "text", "is_final", "user"]
    column_details_list = ["complaint", "sent_at", "channel", "text", "is_final",
                           "user"]
    column_default_sort = ("sent_at", True)
    column_sortable_list = ["sent_at"]
    column_select_related_list = (Reply.complaint, Reply.user)
    column_export_list = ["complaint", "sent_at", "channel", "text", "is_final"]
    form_columns = ["text", "channel", "sent_at", "is_final"]
    form_overrides = {"sent_at": LocalDateTimeField, "channel": SelectField}
    form_args = {
        "sent_at": {"default": utcnow,
                    "description": _l("Waktu tanggapan dikirim; boleh mundur, "
                                      "tidak boleh di masa depan.")},
        "channel": labels.select(labels.CHANNELS),
        "is_final": {"description": _l("Jawaban akhir ditampilkan di halaman "
                                       "/lacak; menandai yang baru melepas "
                                       "tanda yang lama.")},
    }
    column_formatters = {
        "sent_at": _local,
        "channel": labels.label_of(labels.CHANNELS),
    }
    column_formatters_export = {"sent_at": _local,
                                "channel": labels.label_of(labels.CHANNELS)}
    column_labels = {
        "complaint": _l("Pengaduan"),
        "sent_at": _l("Waktu"),
        "channel": _l("Kanal"),
        "text": _l("Isi tanggapan"),
        "is_final": _l("Jawaban akhir"),
        "user": _l("Dicatat oleh"),
    }

    def office_filter(self):
        if current_user.is_superadmin:
            return None
        return Reply.complaint_id.in_(
            select(Complaint.id).where(Complaint.office_id == current_user.office_id))

    def _complaint_from_args(self) -> Complaint:
        ids = request.args.get("complaint_id", "")
        if not ids.isdigit():
            abort(404)
        return complaint_or_404(int(ids))

    def create_form(self, obj=None):
        self._complaint_from_args()  # 404 before showing a form for nothing
        return super().create_form(obj)

    def apply_service(self, form, model, is_created):
        with db.session.no_autoflush:  # the reply has no complaint yet
            complaint = self._complaint_from_args() if is_created else model.complaint
        replies.save(model, complaint, actor=current_user, now=utcnow())


def replies_cell(view, context, model, name):
    """The complaint's replies on its detail page, with a link to add one."""
    rows = db.session.scalars(select(Reply).where(Reply.complaint_id == model.id)
                              .order_by(Reply.sent_at)).all()
    items = [
        Markup("<li>{} · {}{}: {}</li>").format(
            local_dt(r.sent_at), labels.CHANNELS.get(r.channel, r.channel),
            Markup(" <strong>({})</strong>").format(_l("jawaban akhir"))
            if r.is_final else "", r.text)
        for r in rows
    ]
    html = Markup("<ul class='mb-1'>{}</ul>").format(Markup("").join(items)) \
        if items else Markup("")
    if allowed(WRITERS):
        url = url_for("reply.create_view", complaint_id=model.id,
                      url=request.full_path.rstrip("?"))
        html += Markup('<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>'
                       ).format(url, _l("Catat tanggapan"))
    return html
