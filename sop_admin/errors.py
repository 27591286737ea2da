"""Domain errors with messages for users, and the app's HTTP error pages."""

import enum
import logging

from flask import Flask, current_app, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError

from .extensions import db

log = logging.getLogger(__name__)

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


class DatabaseTrouble(enum.Enum):
    """What a database error means for the user, whatever the engine said."""

    UNAVAILABLE = "unavailable"  # server down, restarting, connection lost
    FULL = "full"  # no room left on the database's disk
    READ_ONLY = "read_only"  # the database refuses writes


#: SQLite primary result codes (`sqlite3.Error.sqlite_errorcode & 0xff`).
SQLITE_CODES = {5: DatabaseTrouble.UNAVAILABLE,  # SQLITE_BUSY after busy_timeout
                8: DatabaseTrouble.READ_ONLY,  # SQLITE_READONLY
                13: DatabaseTrouble.FULL,  # SQLITE_FULL: "database or disk is full"
                14: DatabaseTrouble.UNAVAILABLE}  # SQLITE_CANTOPEN
#: PostgreSQL SQLSTATEs; class 08 (connection exception) is matched by prefix.
POSTGRES_STATES = {"53100": DatabaseTrouble.FULL,  # disk_full
                   "53300": DatabaseTrouble.UNAVAILABLE,  # too_many_connections
                   "57P01": DatabaseTrouble.UNAVAILABLE,  # admin_shutdown
                   "57P02": DatabaseTrouble.UNAVAILABLE,  # crash_shutdown
                   "57P03": DatabaseTrouble.UNAVAILABLE,  # cannot_connect_now
                   "25006": DatabaseTrouble.READ_ONLY}  # read_only_sql_transaction

#: HTTP status per trouble: 503 says "try again later" to clients and proxies.
TROUBLE_STATUS = {DatabaseTrouble.UNAVAILABLE: 503, DatabaseTrouble.FULL: 507,
                  DatabaseTrouble.READ_ONLY: 503}

#: Short bilingual keys of the API's JSON errors, like api/errors.py MESSAGES.
TROUBLE_API_ERROR = {
    DatabaseTrouble.UNAVAILABLE: "basis data tidak tersedia / database unavailable",
    DatabaseTrouble.FULL: "penyimpanan penuh / storage full",
    DatabaseTrouble.READ_ONLY: "basis data hanya-baca / database read-only",
}


def database_trouble(exc: DBAPIError) -> DatabaseTrouble | None:
    """Classify a driver error by its code, not its text; None: not a fault of
    the database's state (a bug, a constraint) and handled as any other error."""
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return SQLITE_CODES.get(sqlite_code & 0xFF)
    state = getattr(orig, "sqlstate", None)
    if state in POSTGRES_STATES:
        return POSTGRES_STATES[state]
    if exc.connection_invalidated or (state or "").startswith("08"):
        return DatabaseTrouble.UNAVAILABLE
    # psycopg's OperationalError without a SQLSTATE: no server answered at all
    # (connection refused, reset or closed).
    if isinstance(exc, OperationalError) and state is None and hasattr(orig,
                                                                       "sqlstate"):
        return DatabaseTrouble.UNAVAILABLE
    return None


def trouble_message(trouble: DatabaseTrouble | None) -> str:
    """What the user is told; always that nothing of the request was saved."""
    if trouble is DatabaseTrouble.UNAVAILABLE:
        return _("Basis data sedang tidak tersedia (mati, dimulai ulang atau tidak "
                 "terjangkau). Tidak ada yang tersimpan dari permintaan ini; coba "
                 "lagi sebentar lagi. Aplikasi tersambung kembali dengan sendirinya.")
    if trouble is DatabaseTrouble.FULL:
        return _("Penyimpanan basis data penuh. Tidak ada yang tersimpan dari "
                 "permintaan ini; hubungi admin agar ruang disk ditambah, lalu coba "
                 "lagi.")
    return _("Basis data tidak dapat menyimpan perubahan saat ini (hanya-baca, "
             "penuh atau tidak terjangkau). Tidak ada yang tersimpan; coba lagi "
             "nanti atau hubungi admin.")


def _rollback_quietly() -> None:
    """Give the request's connection back; on a dead server rolling back may
    itself fail, and that must not replace the page saying the server is down."""
    try:
        db.session.rollback()
    except DBAPIError as exc:
        log.warning("rollback after a database fault failed: %s", exc.orig)


def database_error(error: DBAPIError):
    """One answer for every view: a page (or JSON for the API) naming what is
    wrong with the database, never the SQL or a stack trace."""
    trouble = database_trouble(error)
    if trouble is None:
        raise error  # the ordinary 500 path: logged with its trace, generic page
    _rollback_quietly()
    log.error("database %s: %s", trouble.value, error.orig)
    status = TROUBLE_STATUS[trouble]
    message = trouble_message(trouble)
    if request.blueprint == "api":
        from .api.errors import json_error

        return json_error(status, TROUBLE_API_ERROR[trouble], message)
    # Render as for an anonymous visitor: Flask-Login's context processor
    # would otherwise load (or refresh) the user, from the same database.
    g._login_user = current_app.login_manager.anonymous_user()
    return make_response(render_template(
        "database_error.html", trouble=trouble.value, message=message), status)


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, database_error)

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
