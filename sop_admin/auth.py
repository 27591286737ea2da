"""Login and logout (Flask-Login); sessions expire after inactivity.

Guessing passwords is throttled (flask-limiter): failed attempts count per
username (`LOGIN_RATE_LIMIT`) and per client address (`LOGIN_IP_RATE_LIMIT`,
looser, since a whole office may sit behind one address). Past either limit
every attempt, even with the right password, gets the login page with status
429 and how many minutes to wait. Successful logins do not count.
"""

import math
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from .extensions import db, limiter, login_manager
from .models import User, utcnow
from .views.audit_hooks import attribute_request_to

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


class LoginForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired()])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("admin.index")


def _username_key() -> str:
    return "login-user:" + (request.form.get("username") or "").strip().lower()


def _failed(response) -> bool:
    """Only attempts that did not log in count (success redirects)."""
    return response.status_code != 302


def _too_many(limit) -> Response:
    """The login page again, saying how long to wait (429)."""
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    flash(_("Terlalu banyak percobaan masuk; coba lagi dalam %(minutes)d menit.",
            minutes=minutes), "danger")
    return make_response(render_template("login.html", form=LoginForm()), 429)


def _throttled(config_key: str, **kwargs):
    return limiter.limit(lambda: current_app.config[config_key], methods=["POST"],
                         deduct_when=_failed, on_breach=_too_many, **kwargs)


@bp.route("/login", methods=["GET", "POST"])
@_throttled("LOGIN_IP_RATE_LIMIT")
@_throttled("LOGIN_RATE_LIMIT", key_func=_username_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(User.username == form.username.data.strip())
        )
        if user is None or not user.active or not user.check_password(
            form.password.data
        ):
            flash(_("Nama pengguna atau kata sandi salah."), "danger")
        else:
            session.permanent = True
            login_user(user)
            attribute_request_to(user)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def home():
    return redirect(url_for("admin.index"))
