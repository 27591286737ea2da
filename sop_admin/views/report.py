"""Laporan: the daily and monthly complaint reports, and the complaint prints.

Every level of an office may print its own office's reports (records
officers print and file them, auditors read them); only superadmins choose
another office. The office is checked on the server from the posted form,
not from what the page offered: another office is 404. The same view serves
the complaint PDFs behind the "Cetak" buttons of a complaint's page
(formulir pengaduan filled or blank, history sheet), scoped the same way
and masking a confidential reporter unless the printer may see them.
Every print writes an audit event in the same commit.
"""

from io import BytesIO

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import secure_filename

from .. import reports, tracking
from ..errors import SopAdminError
from ..extensions import db
from ..models import AccessLevel, Complaint, Office, utcnow
from ..printing import complaint_form_pdf, complaint_history_pdf
from ..printing.log import record_document_print
from ..printing.report import record_report_print, report_pdf
from .base import allowed, complaint_or_404
from .complaint import may_see_identity

#: Who may print reports and complaint records (of their own office).
PRINT_LEVELS = frozenset(AccessLevel)


class ReportView(BaseView):
    """The "Laporan" page: choose report, period, office and SOP; get a PDF."""

    def is_accessible(self) -> bool:
        return allowed(PRINT_LEVELS)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    def create_blueprint(self, admin):
        blueprint = super().create_blueprint(admin)
        blueprint.add_app_template_global(self.complaint_prints,
                                          "complaint_print_links")
        return blueprint

    # -- the report page -----------------------------------------------------

    def _offices(self) -> list[Office]:
        query = select(Office).order_by(Office.code)
        if not current_user.is_superadmin:
            query = query.where(Office.id == current_user.office_id)
        return list(db.session.scalars(query))

    @expose("/", methods=("GET",))
    def index(self):
        return self._form()

    def _form(self, status: int = 200):
        offices = self._offices()
        choices = [(office, reports.report_versions(office)) for office in offices]
        today = utcnow().astimezone(reports.office_zone(current_user.office)).date()
        return self.render(
            "admin/report/index.html", offices=choices, form=request.form,
            today=today.isoformat(), month=today.strftime("%Y-%m"),
        ), status

    @expose("/cetak", methods=("POST",))
    def print_view(self):
        """Build the chosen report and send it as PDF (CSRF-checked POST)."""
        office = self._office(request.form.get("office", ""))
        try:
            period = self._period(office)
            version = reports.version_for(office, _int(request.form.get("sop")))
        except SopAdminError as exc:
            flash(str(exc), "error")
            return self._form(400)
        report = reports.build_report(office, version, period, utcnow())
        data = report_pdf(report)
        record_report_print(report, data)
        db.session.commit()
        kind = "harian" if period.kind == reports.DAILY else "bulanan"
        stamp = (period.first.isoformat() if period.kind == reports.DAILY
                 else period.first.strftime("%Y-%m"))
        name = secure_filename(f"laporan-{kind}-{office.code}-{stamp}.pdf")
        return send_file(BytesIO(data), mimetype="application/pdf",
                         as_attachment=True, download_name=name)

    def _office(self, raw: str) -> Office:
        """The posted office, if the user may print for it; otherwise 404."""
        office_id = _int(raw)
        if office_id is None and not current_user.is_superadmin:
            office_id = current_user.office_id
        office = db.session.get(Office, office_id) if office_id else None
        if office is None or not (current_user.is_superadmin
                                  or office.id == current_user.office_id):
            abort(404)
        return office

    def _period(self, office: Office) -> reports.Period:
        kind = request.form.get("kind", "")
        if kind == reports.DAILY:
            return reports.daily_period(
                reports.parse_day(request.form.get("date", "")), office)
        if kind == reports.MONTHLY:
            year, month = reports.parse_month(request.form.get("month", ""))
            return reports.monthly_period(year, month, office)
        raise SopAdminError(_("Jenis laporan: pilih harian atau bulanan."))

    # -- complaint prints ----------------------------------------------------

    def complaint_prints(self, model) -> list[tuple[str, str]]:
        """Jinja global: the "Cetak" links of a complaint's page, or none."""
        if not isinstance(model, Complaint) or not self.is_accessible():
            return []
        return [
            (_("Cetak formulir pengaduan"),
             url_for(f"{self.endpoint}.complaint_form", id=model.id)),
            (_("Cetak riwayat penanganan"),
             url_for(f"{self.endpoint}.complaint_history", id=model.id)),
            (_("Cetak formulir kosong"), url_for(f"{self.endpoint}.blank_form")),
        ]

    @expose("/pengaduan/<int:id>/formulir", methods=("GET", "POST"))
    def complaint_form(self, id: int):
        """The filled form; posted with the tracking code just issued (it is
        stored hashed, so only then can it be printed), the reporter's copy
        carries it. A code that is not the complaint's current one is refused."""
        complaint = complaint_or_404(id)
        reveal = may_see_identity(current_user, complaint)
        code = request.form.get("tracking_code", "").strip() or None
        if code is not None and not tracking.matches(complaint, code):
            abort(400, _("Kode lacak tidak cocok dengan pengaduan ini."))
        data = complaint_form_pdf(
            complaint, reveal_identity=reveal, tracking_code=code,
            lookup_url=f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/lacak")
        record_document_print("formulir_pengaduan", complaint, data,
                              register_no=complaint.register_no,
                              identity_revealed=reveal,
                              tracking_code_printed=code is not None)
        return self._send(data, f"formulir-{complaint.register_no}.pdf")

    @expose("/pengaduan/<int:id>/riwayat")
    def complaint_history(self, id: int):
        complaint = complaint_or_404(id)
        reveal = may_see_identity(current_user, complaint)
        data = complaint_history_pdf(complaint, reveal_identity=reveal)
        record_document_print("riwayat_pengaduan", complaint, data,
                              register_no=complaint.register_no,
                              identity_revealed=reveal)
        return self._send(data, f"riwayat-{complaint.register_no}.pdf")

    @expose("/pengaduan/formulir-kosong")
    def blank_form(self):
        office = current_user.office
        data = complaint_form_pdf(None, office=office)
        record_document_print("formulir_pengaduan_kosong", office, data)
        return self._send(data, f"formulir-pengaduan-{office.code}.pdf")

    def _send(self, data: bytes, filename: str):
        db.session.commit()  # the audit event of the print
        return send_file(BytesIO(data), mimetype="application/pdf",
                         as_attachment=True,
                         download_name=secure_filename(filename) or "cetak.pdf")


def _int(raw) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() else None
