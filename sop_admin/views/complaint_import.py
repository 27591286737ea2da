"""The batch import page of the complaint list (Pengaduan → Impor).

Staff and admins import into their own office, superadmins into the office
they choose. The page answers the upload itself: on success it lists the
register numbers with their tracking codes and offers them as a CSV built
into the page (a data: link), so the codes are shown this once and stored
nowhere (not in the session, not on the server).
"""

import base64

from flask import abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from .. import audit
from ..extensions import db
from ..intake_import import COLUMNS, ImportRefused, codes_csv, import_complaints
from ..models import Office, utcnow


class ImportForm(FlaskForm):
    file = FileField(_l("Berkas CSV atau XLSX"), validators=[FileRequired()])
    office = SelectField(_l("Instansi"), coerce=int, validate_choice=True)
    skip_duplicates = BooleanField(_l(
        "Lewati baris yang sudah terdaftar (bila tidak dicentang, berkas "
        "dengan duplikat ditolak)"))
    dry_run = BooleanField(_l("Periksa saja, jangan simpan"))


def _form() -> ImportForm:
    form = ImportForm()
    if current_user.is_superadmin:
        form.office.choices = [(o.id, f"{o.code} – {o.name}") for o in
                               db.session.scalars(db.select(Office).order_by(
                                   Office.code))]
    else:
        del form.office
    return form


def _run(form: ImportForm, office: Office):
    upload = form.file.data
    token = audit.set_context(
        "import", actor=current_user._get_current_object(),
        client_ip=(request.remote_addr or "")[:64] or None,
        user_agent=request.user_agent.string or None,
        request_id=g.get("audit_request_id"))
    try:
        report = import_complaints(
            office, upload.read(current_app.config["MAX_CONTENT_LENGTH"]),
            upload.filename or "", actor=current_user._get_current_object(),
            now=utcnow(), skip_duplicates=form.skip_duplicates.data,
            dry_run=form.dry_run.data)
    except ImportRefused as exc:
        db.session.rollback()
        return exc.report, False
    finally:
        audit.reset_context(token)
    if form.dry_run.data:
        db.session.rollback()
    else:
        db.session.commit()
    return report, True


def page(view):
    """GET: the form and the columns it takes; POST: import and report."""
    if not view.may("create"):
        abort(403)
    form = _form()
    report = accepted = codes_link = None
    if form.validate_on_submit():
        office = (db.session.get(Office, form.office.data) if "office" in form
                  else current_user.office)
        report, accepted = _run(form, office)
        if accepted and report.registered:
            encoded = base64.b64encode(codes_csv(report).encode()).decode()
            codes_link = f"data:text/csv;charset=utf-8;base64,{encoded}"
    html = view.render("admin/complaint/import.html", form=form, report=report,
                       accepted=accepted, codes_link=codes_link, columns=COLUMNS,
                       dry_run=form.dry_run.data,
                       return_url=view.get_url(".index_view"))
    return html, 200, {"Cache-Control": "no-store"}
