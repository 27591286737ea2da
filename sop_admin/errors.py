"""Domain errors with messages for users, and the app's HTTP error pages."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from .extensions import db

#: Flask-WTF gives its CSRF failure reasons in untranslated English.
CSRF_REASONS = {
    "The CSRF token is missing.": _l("Formulir tidak membawa token keamanan."),
    "The CSRF session token is missing.": _l(
        "Sesi Anda tidak memiliki token keamanan; mungkin cookie terhapus."
    ),
    "The CSRF token has expired.": _l(
        "Formulir terlalu lama terbuka sehingga token keamanannya kedaluwarsa."
    ),
    "The CSRF token is invalid.": _l("Token keamanan formulir tidak valid."),
    "The CSRF tokens do not match.": _l(
        "Token keamanan formulir tidak cocok dengan sesi Anda."
    ),
    "The referrer header is missing.": _l("Peramban tidak menyebutkan asal formulir."),
    "The referrer does not match the host.": _l("Formulir dikirim dari situs lain."),
}


class SopAdminError(Exception):
    """An error whose message can be shown to the user as it is."""


class InvalidSopFile(SopAdminError):
    """An SOP file breaks the file contract; `problems` names step and field."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class InvalidTimeStandard(SopAdminError):
    """A Waktu text that is not one of the allowed forms."""


class SopNotEditable(SopAdminError):
    """Only draft versions may be edited; active ones are revised."""


class TransitionNotAllowed(SopAdminError):
    """A workflow move the SOP does not allow."""


def init_app(app: Flask) -> None:
    @app.errorhandler(403)
    def forbidden(error):
        return render_template("error.html", code=403, error=error), 403

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        reason = CSRF_REASONS.get(error.description, error.description)
        return render_template("csrf_error.html", reason=reason), 400

    @app.errorhandler(404)
    def not_found(error):
        return render_template("error.html", code=404, error=error), 404

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("error.html", code=500, error=error), 500
