"""Token API in the panel: made by admins, shown once, revoked, office-scoped."""

import re

import pytest
from sqlalchemy import select

from sop_admin.api import tokens
from sop_admin.models import AccessLevel, ApiToken

SECRET_RE = re.compile(r'class="api-token-secret">(sopa_[A-Za-z0-9_-]+)<')


@pytest.fixture
def office(make):
    return make.office("DPK")


def test_admin_creates_token_shown_once(office, make, db, login_as, client):
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    login_as(admin)
    response = client.post("/admin/api_token/new/", data={"name": "Chatbot WA"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    [secret] = SECRET_RE.findall(response.text)
    token = db.session.scalar(select(ApiToken))
    assert token.name == "Chatbot WA" and token.office_id == office.id
    assert token.created_by_id == admin.id
    assert token.token_hash == tokens.token_hash(secret)
    caller = tokens.find_active(secret)
    assert (caller.token_id, caller.office.id) == (token.id, office.id)
    listing = client.get("/admin/api_token/").text
    assert secret not in listing and token.prefix in listing
    details = client.get(f"/admin/api_token/details/?id={token.id}").text
    assert secret not in details and token.token_hash not in details
    assert secret not in str(dict(client.get("/admin/api_token/").headers))
    # The secret works against the API.
    assert client.get("/api/v1/complaints/DPK/2026/000001", headers={
        "Authorization": f"Bearer {secret}"}).status_code == 404


def test_token_cannot_be_edited(office, make, db, login_as):
    token, _raw = make.api_token(office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    assert client.get(f"/admin/api_token/edit/?id={token.id}").status_code == 403
    assert client.post(f"/admin/api_token/edit/?id={token.id}", data={
        "name": "x", "token_hash": "0" * 64}).status_code == 403


def test_revoke_action_stops_token(office, make, db, login_as):
    token, raw = make.api_token(office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    response = client.post("/admin/api_token/action/", data={
        "action": "revoke", "rowid": [str(token.id)]}, follow_redirects=True)
    assert "1 token dicabut" in response.text
    db.session.expire_all()
    assert token.revoked_at is not None
    assert client.get("/api/v1/complaints/DPK/2026/000001", headers={
        "Authorization": f"Bearer {raw}"}).status_code == 401


@pytest.mark.parametrize("level", [AccessLevel.STAFF, AccessLevel.RECORDS_OFFICER,
                                   AccessLevel.AUDITOR])
def test_non_admins_have_no_tokens(level, office, make, db, login_as):
    make.api_token(office)
    user = make.user(office, level)
    db.session.commit()
    client = login_as(user)
    assert client.get("/admin/api_token/").status_code == 403
    assert client.post("/admin/api_token/new/", data={"name": "x"}).status_code == 403


def test_other_office_tokens_hidden_and_not_revocable(office, make, db, login_as):
    other, _raw = make.api_token(make.office("BKS"), "Milik BKS")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    assert "Milik BKS" not in client.get("/admin/api_token/").text
    assert client.get(f"/admin/api_token/details/?id={other.id}").status_code == 404
    client.post("/admin/api_token/action/", data={"action": "revoke",
                                                  "rowid": [str(other.id)]})
    db.session.expire_all()
    assert other.revoked_at is None


def test_superadmin_makes_token_for_another_office(office, make, db, login_as):
    other = make.office("BKS")
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    response = login_as(root).post("/admin/api_token/new/", data={
        "name": "Bridge BKS", "office": str(other.id)})
    assert SECRET_RE.search(response.text)
    assert db.session.scalar(select(ApiToken)).office_id == other.id


def test_token_menu_under_settings(office, make, db, login_as):
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).get("/admin/office/").text
    assert "/admin/api_token/" in page and "Token API" in page
