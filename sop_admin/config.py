"""Settings read from the environment.

`SECRET_KEY` has no fallback in production: outside debug and testing the app
refuses to start without one. `make run` writes a random key to
`instance/secret_key` so a demo works on a fresh machine.
"""

import os
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def normalise_database_url(url: str) -> str:
    """Make plain `postgres://` and `postgresql://` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path) -> str | None:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip() or None
    return None


def from_environment(instance_path: Path) -> dict:
    """Build the settings mapping; `create_app(config=...)` may override any key."""
    default_db = f"sqlite:///{instance_path / 'sop_admin.sqlite3'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("SESSION_TIMEOUT_MINUTES", "30"))
        ),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE") == "1",
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "id"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "FLASK_ADMIN_SWATCH": "default",
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        "AUDIT_CHECKPOINT_KEY": os.environ.get("AUDIT_CHECKPOINT_KEY"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600/minute"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        "LOGIN_IP_RATE_LIMIT": os.environ.get("LOGIN_IP_RATE_LIMIT",
                                              "50 per 15 minutes"),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "LACAK_RATE_LIMIT": os.environ.get("LACAK_RATE_LIMIT", "20/minute"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_HOST": os.environ.get("MAIL_HOST") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_SECURITY": os.environ.get("MAIL_SECURITY", "none"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "sop-admin@localhost"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "30")),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8")),
        "OUTBOX_RETRY_SECONDS": int(os.environ.get("OUTBOX_RETRY_SECONDS", "60")),
        "OUTBOX_STALE_MINUTES": int(os.environ.get("OUTBOX_STALE_MINUTES", "15")),
        "OUTBOX_BATCH": int(os.environ.get("OUTBOX_BATCH", "20")),
        "OUTBOX_BACKGROUND": os.environ.get("OUTBOX_BACKGROUND") == "1",
        "OUTBOX_INTERVAL_SECONDS": int(os.environ.get("OUTBOX_INTERVAL_SECONDS", "60")),
        "SLA_ESCALATION_MINUTES": os.environ.get("SLA_ESCALATION_MINUTES") or None,
    }


def check(config: dict, *, debug: bool) -> None:
    """Refuse to run in production with no secret key."""
    if not config.get("SECRET_KEY"):
        if debug or config.get("TESTING"):
            config["SECRET_KEY"] = "dev-only-not-secret"  # noqa: S105
        else:
            raise ConfigError(
                "SECRET_KEY belum diatur / SECRET_KEY is not set: "
                "export SECRET_KEY=... (see README, Configuration)."
            )
