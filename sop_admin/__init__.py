"""sop-admin: complaint-handling SOPs of Indonesian government offices."""

import logging
from pathlib import Path

from flask import Flask

from . import config as settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(settings.from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    settings.check(app.config, debug=app.debug)

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    logging.getLogger("sop_admin").setLevel(logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    from . import audit, database, i18n, models, notices  # noqa: F401  (models register tables)
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    audit.init_app(app)
    notices.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from . import api, auth, public, security, views

    app.register_blueprint(auth.bp)
    app.register_blueprint(public.bp)
    admin = views.init_admin(app)
    api.init_app(app)
    security.init_app(app, admin)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from . import errors

    errors.init_app(app)
