"""CSRF on every POST route, XSS payloads shown back escaped, formulas in exports.

Routes and views come from the app and its Admin object, so ones merged
later are covered too.
"""

import csv
import io
import re

import openpyxl
import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import func, select

from sop_admin.extensions import db as _db
from sop_admin.models import AccessLevel, AuditEntry, Complaint

from .seed import records_of, seed_office
from .test_route_walk import _url

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
FORMULA = '=HYPERLINK("http://contoh.invalid","klik")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: POST routes outside CSRF protection, and why: the API authenticates each
#: request with a bearer token, never with the session cookie.
CSRF_EXEMPT_PREFIX = "/api/"


def _model_views(app):
    return [v for v in app.extensions["admin"][0]._views if isinstance(v, ModelView)]


def _audit_state():
    return _db.session.execute(
        select(func.count(AuditEntry.id), func.max(AuditEntry.id))).one()


@pytest.fixture
def csrf_client(extra_app, make, db):
    """A superadmin logged in to an app with CSRF protection on."""
    csrf_app = extra_app(WTF_CSRF_ENABLED=True)
    office = make.office(code="OWN")
    seed_office(make, office)
    admin = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = csrf_app.test_client()
    token = TOKEN_RE.search(client.get("/login").text).group(1)
    assert client.post("/login", data={"username": admin.username,
                                       "password": "password-123",
                                       "csrf_token": token}).status_code == 302
    return csrf_app, client


def test_every_post_route_refuses_missing_or_invalid_csrf_token(csrf_client):
    csrf_app, client = csrf_client
    complaint_id = _db.session.scalar(select(Complaint.id))
    before = _audit_state()
    tried = 0
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(CSRF_EXEMPT_PREFIX):
            continue
        url = _url(rule).replace("/1", f"/{complaint_id}")
        for extra in ({}, {"csrf_token": "palsu"}):
            data = {"id": complaint_id, "rowid": complaint_id, "action": "delete",
                    "name": "Diubah", "reason": "x", **extra}
            response = client.post(url, data=data)
            assert response.status_code == 400, (rule.rule, extra,
                                                 response.status_code)
            tried += 1
    assert tried >= 20
    assert _audit_state() == before  # nothing written, not even a log line
    assert client.get("/admin/").status_code == 200  # still logged in


def _texts(payload):
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;").replace('"', "&#34;")
    return escaped, payload


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_come_back_escaped(payload, app, make, db, login_as):
    office = make.office(code="OWN")
    seed_office(make, office, text=payload)
    admin = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(admin)
    complaint = records_of(Complaint, office)
    pages = ["/admin/", f"/admin/audit/history/complaints/{complaint.id}",
             f"/admin/audit/activity/{admin.id}"]
    for view in _model_views(app):
        record = records_of(view.model, office)
        pages += [f"{view.url}/", f"{view.url}/details/?id={record.id}"]
        if view.can_edit:
            pages.append(f"{view.url}/edit/?id={record.id}")
    shown_escaped = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.text
        assert payload not in page, url
        # Escaped by Jinja (&#34;) or by WTForms/Markup (&quot;).
        if "&lt;" in page and ("alert(1)" in page):
            shown_escaped += 1
    assert shown_escaped >= len(pages) // 2


def _formula_cells(rows) -> list[str]:
    return [str(cell) for row in rows for cell in row
            if isinstance(cell, str) and cell.startswith(FORMULA_START)]


def test_exports_neutralise_spreadsheet_formulas(app, make, db, login_as):
    office = make.office(code="OWN")
    seed_office(make, office, text=FORMULA)
    admin = make.user(office, AccessLevel.ADMIN, is_superadmin=True,
                      full_name=FORMULA)
    db.session.commit()
    client = login_as(admin)
    exported = 0
    for view in _model_views(app):
        if not view.can_export:
            continue
        for export_type in view.export_types:
            response = client.get(f"{view.url}/export/{export_type}/")
            assert response.status_code == 200, (view.endpoint, export_type)
            if export_type == "csv":
                rows = list(csv.reader(io.StringIO(response.text)))
            else:
                sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
                assert not any(c.data_type == "f" for row in sheet.iter_rows()
                               for c in row), view.endpoint
                rows = list(sheet.iter_rows(values_only=True))
            assert len(rows) > 1, (view.endpoint, export_type)
            assert _formula_cells(rows) == [], (view.endpoint, export_type)
            if any("HYPERLINK" in str(cell) for row in rows for cell in row):
                exported += 1
    assert exported >= 4  # the payload did reach several exports
