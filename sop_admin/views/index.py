"""The panel's home page: the dashboard of the user's office.

Figures come from `sop_admin.dashboard` (SQL aggregates). Scoping is
decided here: a superadmin sees every office or the one picked in the
selector (`?office=<id>`); everyone else sees only their own office, and
naming another office in the URL is 404. Chart data goes to the page as
JSON in a `<script type="application/json">` block that the static
`js/dashboard.js` draws with the pinned Chart.js: no inline script.
"""

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import dashboard
from ..extensions import db
from ..i18n import local_dt, office_timezone
from ..models import Office, utcnow
from . import labels

#: Pinned Chart.js under static/vendor/ (see its LICENSE.md beside it).
CHARTJS = "vendor/chartjs-4.6.1/chart.umd.min.js"
#: Rows shown in the "my tasks" and overdue lists.
LIST_LIMIT = 10


def duration_text(seconds: float | None) -> str:
    """A duration as people say it: "2 hari 3 jam", "3 jam 20 menit", "45 menit"."""
    if seconds is None:
        return "–"
    minutes = max(0, round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [ngettext("%(num)d hari", "%(num)d hari", days) if days else "",
             ngettext("%(num)d jam", "%(num)d jam", hours) if hours else "",
             ngettext("%(num)d menit", "%(num)d menit", minutes)
             if minutes and not days else ""]
    return " ".join(p for p in parts if p) or _("< 1 menit")


def count_text(count: int) -> str:
    """A figure in the page's number format ("1.234" in Indonesian); a
    capped count past `dashboard.COUNT_CAP` reads "1.000+"."""
    if count > dashboard.COUNT_CAP:
        return format_decimal(dashboard.COUNT_CAP) + "+"
    return format_decimal(count)


def _series(figures: dict[str, int], names: dict) -> dict:
    """Chart labels and values in the order the enum lists its members."""
    members = [m for m in names if figures.get(m.value)]
    return {"labels": [str(names[m]) for m in members],
            "values": [figures[m.value] for m in members]}


def _step_label(median: dashboard.StepMedian, every_office: bool) -> str:
    label = f"{median.step_number}. {median.activity[:40]}"
    return f"{median.office_code} {label}" if every_office else label


def chart_data(breakdown: dict, medians: list[dashboard.StepMedian],
               every_office: bool) -> dict:
    hours = 3600.0
    return {
        "channel": _series(breakdown["channel"], labels.CHANNELS),
        "status": _series(breakdown["status"], labels.STATUSES),
        "classification": _series(breakdown["classification"],
                                  labels.CLASSIFICATIONS),
        "steps": {
            "labels": [_step_label(m, every_office) for m in medians],
            "median": [round(m.median_seconds / hours, 2) for m in medians],
            "allowed": [None if m.allowed_seconds is None
                        else round(m.allowed_seconds / hours, 2) for m in medians],
            "median_label": _("Median waktu (jam)"),
            "allowed_label": _("Batas standar (jam)"),
        },
    }


class HomeView(AdminIndexView):
    """Landing page after login; anonymous visitors go to the login page."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    def _office_scope(self) -> tuple[int | None, list[Office]]:
        """The office the figures are for (None: all) and the selector's choices."""
        wanted = request.args.get("office", "")
        if not current_user.is_superadmin:
            if wanted and wanted != str(current_user.office_id):
                abort(404)
            return current_user.office_id, []
        offices = list(db.session.scalars(select(Office).order_by(Office.code)))
        if not wanted:
            return None, offices
        if not wanted.isdigit() or int(wanted) not in {o.id for o in offices}:
            abort(404)
        return int(wanted), offices

    def _overdue_url(self) -> str:
        complaints = next(v for v in self.admin._views if v.endpoint == "complaint")
        return complaints.overdue_url()

    @expose("/")
    def index(self):
        office_id, offices = self._office_scope()
        now, zone = utcnow(), office_timezone()
        medians = dashboard.step_medians(office_id, now)
        breakdown = dashboard.month_breakdown(office_id, now, zone)
        counts = dashboard.office_counts(office_id, now, zone)
        tasks = dashboard.my_tasks(current_user, office_id, LIST_LIMIT,
                                   open_count=counts["new"] + counts["in_progress"])
        overdue = dashboard.overdue(office_id, now, LIST_LIMIT)
        capped = (counts["new"], counts["in_progress"], tasks[0], overdue[0])
        return self.render(
            "admin/home.html",
            counts=counts,
            tasks=tasks,
            show_tasks=dashboard.acts_on_steps(current_user),
            overdue=overdue,
            any_capped=any(n > dashboard.COUNT_CAP for n in capped),
            count_cap=format_decimal(dashboard.COUNT_CAP),
            count_text=count_text,
            breakdown=breakdown,
            medians=medians,
            charts=chart_data(breakdown, medians, every_office=office_id is None),
            offices=offices,
            office_id=office_id,
            now=now,
            duration_text=duration_text,
            chartjs=CHARTJS,
            local_dt=local_dt,
            overdue_url=self._overdue_url(),
        )
