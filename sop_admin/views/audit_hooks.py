"""Web side of the audit trail: request context, the history link, exports.

The audit service takes no request state; this module hands it the web
request's actor, address, user agent and request id at the start of each
request, so every row the request writes (through the ORM, bulk SQL or a
Flask-Admin mass delete) is attributed without the views doing anything.
"""

import contextlib
import uuid

from flask import Flask, g, request, url_for
from flask_login import current_user

from .. import audit
from ..extensions import db

#: Requests under this path are the API interface, everything else the web.
API_PREFIX = "/api/"


def _begin_request(actor=None, actor_name: str | None = None) -> None:
    api = request.path.startswith(API_PREFIX)
    # An API request acts for its token (`attribute_request_to`), never for
    # a browser session that happens to send its cookie along.
    if actor is None and actor_name is None and not api and (
            current_user.is_authenticated):
        actor = current_user
    request_id = g.get("audit_request_id") or (
        request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
    g.audit_request_id = request_id
    anonymous = {} if actor else {"actor_name": actor_name or "(anonim)"}
    g.audit_token = audit.set_context(
        "api" if api else "web",
        actor=actor,
        **anonymous,
        client_ip=(request.remote_addr or "")[:64] or None,
        user_agent=request.user_agent.string or None,
        request_id=request_id,
    )


def _end_request(_exc=None) -> None:
    token = g.pop("audit_token", None)
    if token is not None:
        # A streamed response may be torn down in another context.
        with contextlib.suppress(ValueError):
            audit.reset_context(token)


def attribute_request_to(user=None, *, name: str | None = None) -> None:
    """Credit the rest of this request's writes to `user`, or to `name`.

    A login request starts anonymous; what it writes after the password
    checks out (the last-login time) is the user's own doing. An API request
    is credited to its token's name (`name`), never to a browser session.
    """
    _end_request()
    _begin_request(actor=user, actor_name=name)


def may_read_history(user, office_id: int | None) -> bool:
    """Auditors and admins read their office's history; superadmins all."""
    if not user.is_authenticated:
        return False
    if user.is_superadmin:
        return True
    return (str(user.access_level) in ("auditor", "admin")
            and office_id is not None and office_id == user.office_id)


def history_url(model) -> str | None:
    """Jinja global: the "Riwayat" link of a record, None if not allowed."""
    if model is None or not hasattr(model, "__tablename__"):
        return None
    office_id = model.id if model.__tablename__ == "offices" else getattr(
        model, "office_id", None)
    if not may_read_history(current_user, office_id):
        return None
    key = ",".join(str(v) for v in model.__mapper__.primary_key_from_instance(model))
    return url_for("audit.history", table=model.__tablename__, key=key)


def record_export(view, export_type: str, rows: int | None = None) -> None:
    """Write an "export" event for a Flask-Admin export, and commit it.

    Call at the start of a view's `export` (before the file is streamed):
        @expose("/export/<export_type>/")
        def export(self, export_type):
            record_export(self, export_type)
            return super().export(export_type)
    """
    office_id = None if current_user.is_superadmin else current_user.office_id
    detail = {"format": export_type, "view": view.endpoint,
              "filter": {k: v for k, v in request.args.items() if k != "url"}}
    if rows is not None:
        detail["rows"] = rows
    audit.record_event("export", detail, table=view.model.__tablename__,
                       office_id=office_id)
    db.session.commit()


def audit_chain_status():
    """Jinja global for the dashboard: the chain's recent state, or None when
    the user may not read the audit log."""
    from .audit_history import chain_status

    user = current_user
    if not (user.is_authenticated and (user.is_superadmin or str(
            user.access_level) in ("auditor", "admin"))):
        return None
    return chain_status()


def init_app(app: Flask) -> None:
    app.before_request(_begin_request)
    app.teardown_request(_end_request)
    app.add_template_global(history_url, "history_url")
    app.add_template_global(audit_chain_status, "audit_chain_status")
