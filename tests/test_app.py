"""The factory, settings and login/logout."""

import pytest

from sop_admin import create_app
from sop_admin.config import ConfigError, normalise_database_url
from sop_admin.models import AccessLevel


def test_create_app_without_secret_key_outside_debug_refuses(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("sop_admin.config._secret_key", lambda _p: None)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_uses_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_login_wrong_password_shows_error(client, make, db):
    user = make.user(make.office())
    db.session.commit()
    response = client.post("/login", data={"username": user.username,
                                           "password": "wrong-password"})
    assert response.status_code == 200
    assert "salah" in response.get_data(as_text=True)


def test_login_then_logout(login_as, make, db):
    user = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(user)
    assert client.get("/admin/").status_code == 200
    client.post("/logout")
    assert client.get("/admin/").status_code == 302


def test_login_ignores_offsite_next(client, make, db):
    user = make.user(make.office())
    db.session.commit()
    response = client.post("/login?next=https://evil.example/",
                           data={"username": user.username, "password": "password-123"})
    assert response.headers["Location"] == "/admin/"


def test_inactive_user_cannot_log_in(client, make, db):
    user = make.user(make.office(), active=False)
    db.session.commit()
    response = client.post("/login", data={"username": user.username,
                                           "password": "password-123"})
    assert response.status_code == 200


def test_login_is_credited_to_the_user_in_the_audit_trail(client, make, db):
    import sqlalchemy as sa

    from sop_admin.models import AuditEntry

    user = make.user(make.office(), full_name="Rina Lestari")
    db.session.commit()
    client.post("/login", data={"username": user.username, "password": "password-123"})
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.table_name == "users", AuditEntry.operation == "update")).one()
    assert "last_login_at" in entry.new_values
    assert (entry.actor_id, entry.actor_name, entry.interface) == (
        user.id, "Rina Lestari", "web")
