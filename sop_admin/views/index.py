"""The panel's home page: a few counts for the user's own office."""

from datetime import datetime, time

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import office_timezone
from ..models import Complaint, ComplaintStatus, SopStatus, SopVersion, utcnow


def month_start(now: datetime) -> datetime:
    """First moment of `now`'s month in the office's zone, as an aware time."""
    local = now.astimezone(office_timezone())
    return datetime.combine(local.date().replace(day=1), time.min, local.tzinfo)


def office_counts(office_id: int, now: datetime) -> dict[str, int]:
    """Open complaints by status, closed this month and active SOPs."""
    by_status = dict(db.session.execute(
        select(Complaint.status, func.count())
        .where(Complaint.office_id == office_id,
               Complaint.status != ComplaintStatus.CLOSED)
        .group_by(Complaint.status)
    ).all())
    closed = db.session.scalar(
        select(func.count()).select_from(Complaint).where(
            Complaint.office_id == office_id,
            Complaint.status == ComplaintStatus.CLOSED,
            Complaint.closed_at >= month_start(now)))
    sops = db.session.scalar(
        select(func.count()).select_from(SopVersion).where(
            SopVersion.office_id == office_id,
            SopVersion.status == SopStatus.ACTIVE))
    return {
        "new": by_status.get(ComplaintStatus.NEW, 0),
        "in_progress": by_status.get(ComplaintStatus.IN_PROGRESS, 0),
        "closed_this_month": closed,
        "active_sops": sops,
    }


class HomeView(AdminIndexView):
    """Landing page after login; anonymous visitors go to the login page."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        counts = office_counts(current_user.office_id, utcnow())
        return self.render("admin/home.html", counts=counts)
