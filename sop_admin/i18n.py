"""Language and time-zone display: Indonesian by default, English on request.

One catalogue directory (`sop_admin/translations`) holds three domains:
`messages` (our text), `admin` (Flask-Admin's strings) and `wtforms`
(WTForms' validation messages), because neither library ships Indonesian.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import Domain, get_locale
from flask_login import current_user

from .extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_TZ = "Asia/Jakarta"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
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


def _use_our_wtforms_catalogue() -> None:
    """Point Flask-Admin's WTForms domain at our catalogue first."""
    from flask_admin import babel as admin_babel
    from wtforms.i18n import messages_path

    admin_babel.wtforms_domain = Domain(
        [str(TRANSLATIONS), messages_path()], domain="wtforms;wtforms"
    )


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    _use_our_wtforms_catalogue()
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.register_blueprint(bp)
