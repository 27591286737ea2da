"""Session timeout and CSRF on the login form."""

import time

from sop_admin.models import AccessLevel

from .conftest import make_test_app


def test_session_expires_after_inactivity(login_as, make, db, monkeypatch, app):
    user = make.user(make.office(), AccessLevel.STAFF)
    db.session.commit()
    client = login_as(user)
    assert client.get("/admin/").status_code == 200

    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_session_timeout_comes_from_environment(monkeypatch, database_uri):
    monkeypatch.setenv("SESSION_TIMEOUT_MINUTES", "5")
    app = make_test_app(database_uri)
    assert app.permanent_session_lifetime.total_seconds() == 300


def test_login_post_without_csrf_token_rejected(database_uri):
    app = make_test_app(database_uri, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405
