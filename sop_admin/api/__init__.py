"""The intake API, `/api/v1`: social-media bridges and chatbots register
complaints and read their status with a per-office Bearer token.

Token-authenticated, so exempt from CSRF (no browser cookie is trusted);
rate limited per token (`API_RATE_LIMIT`); every error is JSON.
"""

from flask import Blueprint, Flask, current_app

from ..extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import auth, complaints, errors, openapi  # noqa: E402, F401  (routes)

# Once, at import: the limiter and the blueprint are module objects shared by
# every app made in this process (decorating in init_app would count each
# request once per app made).
limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api",
                     key_func=auth.rate_limit_key)(bp)


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
