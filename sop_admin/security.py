"""Security headers on every response, and the panel's Content-Security-Policy.

The policy allows scripts and styles from this site only, plus:

- a fresh nonce per request, for the few `<script>`/`<style>` blocks the
  templates carry (`{{ admin_csp_nonce_attribute }}` in Flask-Admin pages,
  `{{ csp_nonce() }}` elsewhere);
- `'unsafe-hashes'` with the SHA-256 of each inline event handler that
  Flask-Admin 2.2's Bootstrap 4 templates write and we cannot move into a
  file: the list-row delete confirmation (`onclick="return
  faHelpers.safeConfirm('...')"`, once per language), the "with selected"
  action menu (`return modelActions.execute('<action>');`, once per action
  of any view), the "add" button of inline lists (`faForm.addInlineField(
  this, '<field>');`, once per inline list in any view's forms), the filter
  menu (`return false;`) and the do-nothing `href="javascript:void(0)"` of
  menu toggles. Only those exact strings run; an injected `onerror=` or
  `<script>` does not. `tests/browser/test_csp_browser.py` opens every
  panel page under the policy and fails on any violation.

`img-src` also allows `data:` because Bootstrap's stylesheet draws its
select arrows and checkboxes as data-URI SVGs. Nothing may frame the panel.
"""

import base64
import hashlib
import inspect
import secrets

from flask import Flask, current_app, g
from flask_admin import Admin
from flask_admin.babel import gettext as admin_gettext
from flask_admin.model.fields import InlineFieldList
from flask_babel import force_locale
from werkzeug.middleware.proxy_fix import ProxyFix
from wtforms.fields.core import UnboundField

from .i18n import LANGUAGES

#: Inline event handlers Flask-Admin's templates write (see module docstring).
STATIC_HANDLERS = ("return false;", "javascript:void(0)")
ROW_DELETE_HANDLER = "return faHelpers.safeConfirm('{}');"
ROW_DELETE_MESSAGE = "Are you sure you want to delete this record?"
ACTION_HANDLER = "return modelActions.execute('{}');"
INLINE_ADD_HANDLER = "faForm.addInlineField(this, '{}');"

#: Browser features the panel never uses, off for it and anything it embeds.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def csp_nonce() -> str:
    """This request's nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _sha256(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def handler_hashes(admin: Admin) -> list[str]:
    """Hash sources for every inline handler the admin's pages may contain.

    Action names come from the registered views, so a view added later is
    covered without touching this list.
    """
    handlers = set(STATIC_HANDLERS)
    for code in LANGUAGES:
        with force_locale(code):
            handlers.add(ROW_DELETE_HANDLER.format(admin_gettext(ROW_DELETE_MESSAGE)))
    for view in admin._views:
        for name, _text in getattr(view, "_actions", None) or ():
            handlers.add(ACTION_HANDLER.format(name))
        for name in _inline_lists(view):
            handlers.add(INLINE_ADD_HANDLER.format(name))
    return sorted(_sha256(h) for h in handlers)


def _inline_lists(view):
    """Names of the inline field lists ("Tambah ..." buttons) of a view's forms."""
    for attr in ("_create_form_class", "_edit_form_class"):
        form_class = getattr(view, attr, None)
        if form_class is None:
            continue
        for name, field in inspect.getmembers(form_class):
            if isinstance(field, UnboundField) and issubclass(field.field_class,
                                                              InlineFieldList):
                yield name


def content_security_policy(nonce: str, hashes: list[str]) -> str:
    script = " ".join(["'self'", f"'nonce-{nonce}'", "'unsafe-hashes'", *hashes])
    return "; ".join([
        "default-src 'self'",
        f"script-src {script}",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


#: The policy of JSON answers (the API, the public tracking API).
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"


def set_headers(response):
    """after_request: the headers every response carries.

    A view that needs a stricter policy (an evidence download) sets its own
    Content-Security-Policy; it is left as it is.
    """
    headers = response.headers
    if response.mimetype == "application/json":
        # Data, never a page: nothing in it may run or be framed.
        headers.setdefault("Content-Security-Policy", JSON_POLICY)
    else:
        hashes = current_app.extensions["sop_admin_csp_hashes"]
        headers.setdefault("Content-Security-Policy",
                           content_security_policy(csp_nonce(), hashes))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):  # served over HTTPS
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask, admin: Admin) -> None:
    """Nonce for Flask-Admin's templates, `csp_nonce()` for ours, headers.

    Behind a reverse proxy (`TRUSTED_PROXIES` > 0) the client's address and
    scheme are taken from that many X-Forwarded-For/-Proto hops: login
    throttling per address and the audit log's IP would otherwise see only
    the proxy. Never set it without a proxy, or clients could claim any address.
    """
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    admin.csp_nonce_generator = csp_nonce
    with app.test_request_context():  # translations need a request
        app.extensions["sop_admin_csp_hashes"] = handler_hashes(admin)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_headers)
