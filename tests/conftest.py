"""Test fixtures: an app on a migrated database, clients and a login helper.

The database is `TEST_DATABASE_URL` (PostgreSQL in CI) or a temporary SQLite
file. The schema always comes from the migrations, made once per run; each
test then starts from empty tables (SQLite: a copy of the migrated file;
PostgreSQL: TRUNCATE).
"""

import os
import shutil
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy import event

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


def postgres_scratch_database(uri: str, suffix: str | None = None):
    """Create a database of our own beside the one `uri` names (default
    suffix: per process), dropped afterwards. Yields its URL.

    Concurrent runs on one server (two checkouts, CI beside a developer) then
    never empty each other's tables.
    """
    url = sa.engine.make_url(uri)
    name = f"{url.database}_{suffix or f'sop_{os.getpid()}'}"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        server.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}", allow_module_level=True)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Apply every migration once; yield the URI of the migrated database."""
    if PG_URL:
        for uri in postgres_scratch_database(PG_URL):
            app = make_test_app(uri)
            with app.app_context():
                upgrade()
                _db.engine.dispose()
            yield uri
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
        # The audit log refuses TRUNCATE; only this test reset, as the
        # superuser, skips its triggers (the app's role cannot: see README).
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_uri(migrated_database, tmp_path):
    """URI of an empty migrated database for one test."""
    if PG_URL:
        return migrated_database
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_database, copy)
    return f"sqlite:///{copy}"


def _fresh_request_globals(sender, **extra) -> None:
    """Give each test request an empty `g`, as production's per-request context does.

    The `app` fixture keeps one app context open for the whole test, and Flask
    reuses it for test-client requests, so `g` (Flask-Login's cached user,
    audit context) would otherwise leak from one request into the next.
    """
    g.__dict__.clear()


@pytest.fixture
def app(database_uri):
    app = make_test_app(database_uri)
    request_started.connect(_fresh_request_globals, app)
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


@pytest.fixture
def count_queries(db):
    """Context manager collecting the SQL statements run inside it."""

    @contextmanager
    def counting():
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def csrf_client(app, database_uri):
    """A client of an app with WTF_CSRF_ENABLED, on the test's database."""
    csrf_app = make_test_app(database_uri, WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        yield csrf_app.test_client()
        _db.session.remove()
        _db.engine.dispose()
