"""The intake API: registering, status, tokens, validation, limits, audit."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sop_admin import tracking
from sop_admin.api import tokens
from sop_admin.models import ApiToken, AuditEntry, Complaint, utcnow


@pytest.fixture
def office(make):
    return make.office("DPK")


@pytest.fixture
def token(office, make, db):
    _token, raw = make.api_token(office)
    db.session.commit()
    return raw


def _auth(raw):
    return {"Authorization": f"Bearer {raw}"}


def _body(**kw):
    return {"channel": "instagram", "received_at": "2026-11-02T10:15:00+07:00",
            "subject": "Lampu jalan mati", "description": "Sejak seminggu.", **kw}


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Complaint))


def test_post_registers_and_returns_code_and_status_url(client, token, db):
    response = client.post("/api/v1/complaints", json=_body(
        reporter_email="siti@example.id", reporter_email_consent=True,
        external_post_id="C1x", source_url="https://instagram.com/p/C1x"),
        headers=_auth(token))
    assert response.status_code == 201, response.json
    data = response.json
    assert data["register_no"] == "DPK/2026/000001"
    assert data["received_at"] == "2026-11-02T10:15:00+07:00"
    assert data["status_url"].endswith("/api/v1/complaints/DPK/2026/000001")
    assert response.headers["Location"] == data["status_url"]
    complaint = db.session.scalar(select(Complaint))
    assert complaint.received_at == datetime(2026, 11, 2, 3, 15, tzinfo=UTC)
    assert complaint.reporter_email_consent is True
    assert tracking.matches(complaint, data["tracking_code"])


def test_post_without_received_at_is_now(client, token, db):
    before = utcnow()
    body = _body()
    del body["received_at"]
    assert client.post("/api/v1/complaints", json=body,
                       headers=_auth(token)).status_code == 201
    received = db.session.scalar(select(Complaint)).received_at
    assert before <= received <= utcnow()


def test_post_nulls_take_defaults(client, token, db):
    response = client.post("/api/v1/complaints", json=_body(
        confidential=None, anonymous=None, classification=None, reporter_name=None),
        headers=_auth(token))
    assert response.status_code == 201, response.json
    complaint = db.session.scalar(select(Complaint))
    assert complaint.confidential is False
    assert complaint.classification.value == "complaint"


def test_post_slightly_ahead_clock_is_clamped_to_now(client, token, db):
    ahead = (utcnow() + timedelta(seconds=20)).isoformat()
    response = client.post("/api/v1/complaints", json=_body(received_at=ahead),
                           headers=_auth(token))
    assert response.status_code == 201
    assert db.session.scalar(select(Complaint)).received_at <= utcnow()


@pytest.mark.parametrize(("change", "field"), [
    ({"channel": None}, "channel"),
    ({"channel": "telegram"}, "channel"),
    ({"received_at": "kemarin"}, "received_at"),
    ({"received_at": "2026-11-02T10:15:00"}, "received_at"),
    ({"received_at": 1700000000}, "received_at"),
    ({"received_at": "2099-01-01T00:00:00Z"}, "received_at"),
    ({"subject": ""}, "subject"),
    ({"subject": "x" * 301}, "subject"),
    ({"description": None}, "description"),
    ({"classification": "gosip"}, "classification"),
    ({"reporter_email": "bukan-surel"}, "reporter_email"),
    ({"reporter_email_consent": True}, "reporter_email_consent"),
    ({"anonymous": True, "reporter_name": "Budi"}, "reporter_name"),
    ({"confidential": "ya"}, "confidential"),
    ({"source_url": "ftp://x"}, "source_url"),
    ({"external_post_id": 123}, "external_post_id"),
    ({"sop_version": 1}, "sop_version"),
    ({"status": "closed"}, "status"),
])
def test_post_invalid_field_is_named_and_nothing_written(change, field, client,
                                                         token, db):
    response = client.post("/api/v1/complaints", json=_body(**change),
                           headers=_auth(token))
    assert response.status_code == 422
    assert field in response.json["fields"], response.json
    assert response.json["error"]
    assert _count(db) == 0


def test_post_names_every_bad_field_at_once(client, token, db):
    response = client.post("/api/v1/complaints", json={
        "received_at": "2026-11-02", "subject": "", "colour": "red"},
        headers=_auth(token))
    assert response.status_code == 422
    assert {"received_at", "subject", "description", "channel",
            "colour"} <= set(response.json["fields"])


@pytest.mark.parametrize("data", [b"{not json", b"", b"[1, 2]", b"\xff\xfe"])
def test_post_malformed_json_is_400(data, client, token, db):
    response = client.post("/api/v1/complaints", data=data,
                           content_type="application/json", headers=_auth(token))
    assert response.status_code == 400
    assert response.json["error"]
    assert _count(db) == 0


def test_post_form_encoded_is_415(client, token, db):
    response = client.post("/api/v1/complaints", data={"channel": "sms"},
                           headers=_auth(token))
    assert response.status_code == 415
    assert "application/json" in response.json["error"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer sopa_wrong",
                                    "Basic dXNlcjpwYXNz", "sopa_x"])
def test_missing_or_wrong_token_is_401(header, client, token, db):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/complaints", json=_body(), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]
    assert _count(db) == 0


def test_revoked_token_is_401(client, office, make, db):
    token, raw = make.api_token(office)
    tokens.revoke(token, utcnow())
    db.session.commit()
    response = client.get("/api/v1/complaints/DPK/2026/000001", headers=_auth(raw))
    assert response.status_code == 401


def test_duplicate_post_is_409_with_existing_number(client, token, db):
    post = _body(external_post_id="C1x")
    assert client.post("/api/v1/complaints", json=post,
                       headers=_auth(token)).status_code == 201
    again = client.post("/api/v1/complaints", json={**post, "subject": "lagi"},
                        headers=_auth(token))
    assert again.status_code == 409
    assert again.json["register_no"] == "DPK/2026/000001"
    assert _count(db) == 1
    by_link = _body(source_url="https://x.com/a/status/9", channel="x")
    assert client.post("/api/v1/complaints", json=by_link,
                       headers=_auth(token)).status_code == 201
    assert client.post("/api/v1/complaints", json=by_link,
                       headers=_auth(token)).status_code == 409
    assert _count(db) == 2


def test_status_of_own_office(client, token, office, make, db):
    version = make.sop(office, status="active")
    make.complaint(office, register_no="DPK/2026/000007", sop_version=version,
                   current_step_number=3, reporter_name="Budi Santoso")
    db.session.commit()
    response = client.get("/api/v1/complaints/DPK/2026/000007", headers=_auth(token))
    assert response.status_code == 200
    data = response.json
    assert data["register_no"] == "DPK/2026/000007"
    assert data["status"] == "new"
    assert data["current_step"]["label"] == "Menjawab pengaduan"
    assert data["received_at"] == "2026-11-02T10:00:00+07:00"
    assert data["reporter"]["name"] == "Budi Santoso"
    encoded = client.get("/api/v1/complaints/DPK%2F2026%2F000007",
                         headers=_auth(token))
    assert encoded.status_code == 200


def test_status_never_gives_confidential_identity(client, token, office, make, db):
    make.complaint(office, register_no="DPK/2026/000008", confidential=True,
                   reporter_name="Budi Santoso", reporter_contact="0812-000",
                   reporter_email="budi@example.id")
    db.session.commit()
    response = client.get("/api/v1/complaints/DPK/2026/000008", headers=_auth(token))
    assert response.status_code == 200
    assert response.json["reporter"] is None
    for secret in ("Budi", "0812-000", "budi@example.id"):
        assert secret not in response.text


def test_status_of_other_office_is_404(client, token, make, db):
    other = make.office("BKS")
    make.complaint(other, register_no="BKS/2026/000001")
    db.session.commit()
    response = client.get("/api/v1/complaints/BKS/2026/000001", headers=_auth(token))
    assert response.status_code == 404
    assert response.json["error"]
    assert client.get("/api/v1/complaints/DPK/2026/999999",
                      headers=_auth(token)).status_code == 404


def test_rate_limit_per_token(client, app, office, make, db):
    app.config["API_RATE_LIMIT"] = "3/minute"
    _t1, first = make.api_token(office, "satu")
    _t2, second = make.api_token(office, "dua")
    db.session.commit()
    url = "/api/v1/complaints/DPK/2026/000001"
    codes = [client.get(url, headers=_auth(first)).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    limited = client.get(url, headers=_auth(first))
    assert limited.status_code == 429
    assert limited.json["error"]
    assert "Retry-After" in limited.headers
    assert client.get(url, headers=_auth(second)).status_code == 404


def test_api_writes_are_audited_as_api_with_token_name(client, office, make, db):
    _token, raw = make.api_token(office, "Chatbot WhatsApp")
    db.session.commit()
    assert client.post("/api/v1/complaints", json=_body(),
                       headers=_auth(raw)).status_code == 201
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name.in_(["complaints", "api_tokens"]))).all()
    complaint_rows = [e for e in entries if e.table_name == "complaints"]
    assert complaint_rows
    for entry in complaint_rows:
        assert (entry.interface, entry.actor_name) == ("api", "Chatbot WhatsApp")
    touched = [e for e in entries if e.table_name == "api_tokens"
               and e.operation == "update"]
    assert [(e.interface, e.actor_name) for e in touched] == [
        ("api", "Chatbot WhatsApp")]


def test_api_request_never_credited_to_a_browser_session(office, make, db, login_as):
    """A logged-in browser that also calls the API (same cookie jar) writes as
    the token, not as the user."""
    from sop_admin.models import AccessLevel

    _token, raw = make.api_token(office, "Jembatan IG")
    user = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    browser = login_as(user)
    assert browser.post("/api/v1/complaints", json=_body(),
                        headers=_auth(raw)).status_code == 201
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.table_name == "complaints"))
    assert (entry.interface, entry.actor_name, entry.actor_id) == (
        "api", "Jembatan IG", None)


def test_last_used_written_at_most_once_a_minute(client, office, make, db):
    token, raw = make.api_token(office)
    db.session.commit()
    for _ in range(3):
        client.get("/api/v1/complaints/DPK/2026/000001", headers=_auth(raw))
    db.session.expire_all()
    assert token.last_used_at is not None
    updates = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.table_name == "api_tokens", AuditEntry.operation == "update"))
    assert updates == 1
    token.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/complaints/DPK/2026/000001", headers=_auth(raw))
    db.session.expire_all()
    assert utcnow() - token.last_used_at < timedelta(seconds=30)


def test_api_needs_no_csrf(client, app, token, db):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/api/v1/complaints", json=_body(), headers=_auth(token))
    assert response.status_code == 201


def test_token_stored_hashed_with_prefix(office, make, db):
    token, raw = make.api_token(office)
    assert raw.startswith("sopa_") and len(raw) > 40
    assert token.prefix == raw[:12]
    assert raw not in token.token_hash
    assert db.session.scalar(select(ApiToken.token_hash)) == tokens.token_hash(raw)


def test_post_with_consent_mails_the_reporter_the_same_code(client, token, db):
    from sop_admin.models import OutboxMessage

    response = client.post("/api/v1/complaints", json=_body(
        reporter_email="siti@example.id", reporter_email_consent=True),
        headers=_auth(token))
    assert response.status_code == 201
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "siti@example.id"
    assert response.json["tracking_code"] in message.body_text
