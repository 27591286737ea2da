"""Language and time-zone display: Indonesian by default, English on request.

One catalogue directory (`sop_admin/translations`) holds three domains:
`messages` (our text), `admin` (Flask-Admin's strings) and `wtforms`
(WTForms' validation messages), because neither library ships Indonesian.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import Domain, get_locale
from flask_login import current_user

from .extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_TZ = "Asia/Jakarta"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    # Services and CLI commands translate their messages outside any request.
    if not has_request_context():
        return "id"
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    return "id"


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    target = request.referrer or url_for("admin.index")
    if not target.startswith(request.host_url):
        target = url_for("admin.index")
    return redirect(target)


def office_timezone() -> ZoneInfo:
    office = getattr(current_user, "office", None) if current_user else None
    return ZoneInfo(getattr(office, "timezone", None) or DEFAULT_TZ)


def local_dt(value: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """Show a UTC timestamp in the viewer's office zone, with WIB/WITA/WIT."""
    if value is None:
        return ""
    tz = office_timezone()
    label = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
    return f"{value.astimezone(tz).strftime(fmt)} {label.get(tz.key, tz.key)}"


def _put_our_catalogues_last() -> None:
    """Make our Indonesian catalogues win in Flask-Admin's and WTForms' domains.

    flask-babel merges a domain's catalogues in directory order: later messages
    override earlier ones and the LAST catalogue's plural rule wins, even when
    it is an empty stand-in for a missing file (rule n != 1, which sends our
    one-form Indonesian plurals back to English). So the libraries' own
    directories, which have no Indonesian, come first and ours last. The admin
    domain gets ours in its base list, not only through Admin's
    translations_path (used inside admin views), because it caches per locale:
    one admin string translated outside an admin view would otherwise pin
    English for the whole process. Flask-WTF forms get the same WTForms domain.
    """
    import flask_wtf.form
    from flask_admin import babel as admin_babel
    from flask_admin import translations as admin_translations
    from wtforms.i18n import messages_path

    admin_babel.domain._translation_directories = [
        admin_translations.__path__[0],
        str(TRANSLATIONS),
    ]
    admin_babel.domain.cache.clear()
    admin_babel.wtforms_domain = Domain(
        [messages_path(), str(TRANSLATIONS)], domain="wtforms"
    )
    flask_wtf.form.translations = admin_babel.Translations()


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    _put_our_catalogues_last()
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.register_blueprint(bp)
