"""Bearer-token authentication of the API and the audit attribution it gives.

Every request but the OpenAPI document needs `Authorization: Bearer <token>`
of an unrevoked token; the request then acts for the token's office, and
whatever it writes is credited in the audit trail to the token's name
(interface "api").
"""

import hashlib

from flask import g, request
from flask_limiter.util import get_remote_address

from ..extensions import db
from ..models import utcnow
from ..views.audit_hooks import attribute_request_to
from . import bp, tokens
from .errors import json_error

#: Endpoints anyone may read.
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


def bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def rate_limit_key() -> str:
    """Per token (hashed: the key may sit in Redis), else per address."""
    raw = bearer()
    if raw is None:
        return f"ip:{get_remote_address()}"
    return "token:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def current_token() -> tokens.Caller:
    return g.api_token


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    raw = bearer()
    token = tokens.find_active(raw) if raw else None
    if token is None:
        response = json_error(401, "tidak sah / unauthorized",
                              "Token API tidak ada, salah, atau sudah dicabut. / "
                              "Missing, wrong or revoked API token.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="sop-admin"'
        return response
    g.api_token = token
    attribute_request_to(name=token.name)
    if tokens.touch(token, utcnow()):
        db.session.commit()
    return None
