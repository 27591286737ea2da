"""With CSRF protection on (as in production), Flask-Admin's forms carry the
token and a POST without it changes nothing."""

import re

import pytest
from sqlalchemy import select

from sop_admin.extensions import db as _db
from sop_admin.models import AccessLevel, Role, User

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(page: str) -> str:
    match = TOKEN_RE.search(page)
    assert match, "no csrf_token in the page"
    return match.group(1)


@pytest.fixture
def admin_client(csrf_client, make):
    office = make.office()
    make.role(office, "Kasie IKP")
    admin = make.user(office, AccessLevel.ADMIN)
    make.user(office, AccessLevel.STAFF, username="korban")
    _db.session.commit()
    login = csrf_client.get("/login").text
    response = csrf_client.post("/login", data={
        "username": admin.username, "password": "password-123",
        "csrf_token": _token(login)})
    assert response.status_code == 302
    return csrf_client


def test_csrf_create_form_without_token_rejected(admin_client):
    page = admin_client.get("/admin/role/new/").text
    token = _token(page)
    refused = admin_client.post("/admin/role/new/", data={"name": "Tanpa token"})
    assert refused.status_code == 400
    assert _db.session.scalar(select(Role).filter_by(name="Tanpa token")) is None
    accepted = admin_client.post("/admin/role/new/", data={
        "name": "Dengan token", "csrf_token": token})
    assert accepted.status_code == 302
    assert _db.session.scalar(select(Role).filter_by(name="Dengan token"))


def test_csrf_row_delete_without_token_rejected(admin_client):
    role = _db.session.scalar(select(Role))
    page = admin_client.get("/admin/role/").text
    delete_form = page[page.index('action="/admin/role/delete/"'):]
    token = _token(delete_form[:delete_form.index("</form>")])
    refused = admin_client.post("/admin/role/delete/", data={"id": role.id})
    assert refused.status_code == 400
    assert _db.session.get(Role, role.id) is not None
    accepted = admin_client.post("/admin/role/delete/", data={
        "id": role.id, "csrf_token": token})
    assert accepted.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Role, role.id) is None


def test_csrf_action_without_token_rejected(admin_client):
    victim = _db.session.scalar(select(User).filter_by(username="korban"))
    page = admin_client.get("/admin/user/").text
    action_form = page[page.index('action="/admin/user/action/"'):]
    token = _token(action_form[:action_form.index("</form>")])
    refused = admin_client.post("/admin/user/action/", data={
        "action": "deactivate", "rowid": victim.id})
    assert refused.status_code == 400
    _db.session.expire_all()
    assert victim.active
    accepted = admin_client.post("/admin/user/action/", data={
        "action": "deactivate", "rowid": victim.id, "csrf_token": token})
    assert accepted.status_code == 302
    _db.session.expire_all()
    assert not victim.active
