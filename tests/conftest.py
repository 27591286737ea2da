"""Test fixtures: an app on a migrated database, clients and a login helper.

The database is `TEST_DATABASE_URL` (PostgreSQL in CI) or a temporary SQLite
file. The schema always comes from the migrations, made once per run; each
test then starts from empty tables (SQLite: a copy of the migrated file;
PostgreSQL: TRUNCATE).
"""

import os
import shutil

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from sop_admin import create_app
from sop_admin.extensions import db as _db

from .factories import Factories

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _base_config(uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False,
        "FLASK_ADMIN_RAISE_ON_VIEW_EXCEPTION": True,
        "AUDIT_CHECKPOINT_KEY": "test-checkpoint-key",
    }


def make_test_app(uri: str, **extra):
    return create_app({**_base_config(uri), **extra})


def _reset_postgres(uri: str) -> None:
    engine = sa.create_engine(uri)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}", allow_module_level=True)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Apply every migration once; yield the URI of the migrated database."""
    if PG_URL:
        _reset_postgres(PG_URL)
        app = make_test_app(PG_URL)
        with app.app_context():
            upgrade()
            _db.engine.dispose()
        yield PG_URL
        return
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = make_test_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    yield str(path)


def _empty_postgres_tables() -> None:
    tables = [t.name for t in _db.metadata.sorted_tables]
    names = ", ".join(f'"{t}"' for t in tables)
    with _db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_uri(migrated_database, tmp_path):
    if PG_URL:
        return PG_URL
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_database, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app(database_uri):
    app = make_test_app(database_uri)
    with app.app_context():
        if PG_URL:
            _empty_postgres_tables()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(db):
    """Builders for offices, users, SOPs and complaints (see factories.py)."""
    return Factories(db)


@pytest.fixture
def login_as(client):
    """Log the test client in as a user; returns the client."""

    def login(user, password: str = "password-123"):
        client.post("/logout")
        response = client.post(
            "/login", data={"username": user.username, "password": password}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login
