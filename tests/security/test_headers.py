"""Security headers, session cookie flags, login throttling, evidence downloads."""

import re

import pytest

from sop_admin.models import AccessLevel, Evidence

BASE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _assert_hardened(response):
    for name, value in BASE_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "object-src 'none'" in csp


@pytest.mark.parametrize("url", ["/login", "/admin/", "/static/sop-admin.css",
                                 "/tidak-ada", "/admin/complaint/"])
def test_headers_on_every_kind_of_response(client, url):
    response = client.get(url)
    _assert_hardened(response)
    response.close()  # static files are streamed from an open file


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/api/v1/openapi.json"), ("POST", "/api/v1/complaints"),
    ("GET", "/api/v1/track?register_no=X&code=Y")])
def test_json_answers_carry_a_policy_that_runs_nothing(client, method, url):
    response = client.open(url, method=method)
    assert response.mimetype == "application/json"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The public tracking answer sends no referrer at all.
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    csp = response.headers["Content-Security-Policy"]
    assert csp == "default-src 'none'; frame-ancestors 'none'"


def test_headers_on_logged_in_pages_and_nonce_changes(make, db, login_as):
    user = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(user)
    first, second = client.get("/admin/sopversion/new/"), client.get(
        "/admin/sopversion/new/")
    _assert_hardened(first)
    nonces = [re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"])
              .group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    # The page's own inline blocks carry this response's nonce.
    assert f'nonce="{nonces[0]}"' in first.text


def test_csp_script_src_allows_only_known_handlers(client):
    """Hashes are of Flask-Admin's handlers, not of anything else."""
    csp = client.get("/login").headers["Content-Security-Policy"]
    script = next(d for d in csp.split("; ") if d.startswith("script-src"))
    sources = script.split()[1:]
    assert sources[0] == "'self'" and sources[1].startswith("'nonce-")
    assert sources[2] == "'unsafe-hashes'"
    assert all(s.startswith("'sha256-") for s in sources[3:])


def test_session_cookie_flags(make, db, extra_app):
    app = extra_app(SESSION_COOKIE_SECURE=True)
    user = make.user(make.office())
    db.session.commit()
    with app.test_client() as client:
        response = client.post("/login", data={"username": user.username,
                                               "password": "password-123"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_not_secure_unless_configured(make, db, client):
    user = make.user(make.office())
    db.session.commit()
    response = client.post("/login", data={"username": user.username,
                                           "password": "password-123"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie
    assert "Strict-Transport-Security" not in response.headers


# -- login throttling -----------------------------------------------------------


@pytest.fixture
def throttled(extra_app):
    """A client of an app allowing 3 failed logins per user, 5 per address."""
    limited = extra_app(LOGIN_RATE_LIMIT="3 per 15 minutes",
                        LOGIN_IP_RATE_LIMIT="5 per 15 minutes")
    return limited.test_client()


def _login(client, username, password="salah-sekali"):
    return client.post("/login", data={"username": username, "password": password})


def test_login_locked_after_failed_attempts_per_username(throttled, make, db):
    user = make.user(make.office())
    db.session.commit()
    for _ in range(3):
        assert _login(throttled, user.username).status_code == 200
    locked = _login(throttled, user.username, "password-123")  # even the right one
    assert locked.status_code == 429
    assert re.search(r"Terlalu banyak percobaan masuk; coba lagi dalam 1[4-6] menit",
                     locked.text)
    assert 'name="password"' in locked.text  # the form is shown again


def test_login_throttle_per_address_covers_many_usernames(throttled, make, db):
    user = make.user(make.office())
    db.session.commit()
    for n in range(5):
        assert _login(throttled, f"tebakan{n}").status_code == 200
    assert _login(throttled, user.username, "password-123").status_code == 429


def test_successful_logins_do_not_count(throttled, make, db):
    user = make.user(make.office())
    db.session.commit()
    for _ in range(6):
        assert _login(throttled, user.username, "password-123").status_code == 302
        throttled.post("/logout")
    assert _login(throttled, user.username).status_code == 200


def test_throttle_counts_the_client_behind_a_trusted_proxy(extra_app, make, db):
    """With TRUSTED_PROXIES=1 two clients behind the proxy are two addresses;
    without it, X-Forwarded-For is ignored (a client cannot pick its address)."""
    user = make.user(make.office())
    db.session.commit()
    for proxies, second_client_status in ((1, 200), (0, 429)):
        client = extra_app(LOGIN_IP_RATE_LIMIT="2 per 15 minutes",
                           TRUSTED_PROXIES=proxies).test_client()
        for n in range(2):
            assert client.post("/login", data={"username": f"x{n}", "password": "p"},
                               headers={"X-Forwarded-For": "203.0.113.1"}
                               ).status_code == 200
        other = client.post("/login", data={"username": user.username,
                                            "password": "salah"},
                            headers={"X-Forwarded-For": "203.0.113.2"})
        assert other.status_code == second_client_status, proxies


# -- evidence downloads ---------------------------------------------------------


@pytest.mark.parametrize("stored, served", [
    ("image/png", "image/png"),
    ("application/pdf", "application/pdf"),
    ("text/html", "application/octet-stream"),
    ("image/svg+xml", "application/octet-stream"),
])
def test_evidence_served_as_attachment_never_html(stored, served, make, db,
                                                   login_as):
    office = make.office()
    complaint = make.complaint(office)
    evidence = Evidence(complaint=complaint, filename='x".html\r\nX-Evil: 1',
                        mimetype=stored, size=30,
                        data=b"<script>alert(1)</script>")
    db.session.add(evidence)
    user = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    response = login_as(user).get(f"/admin/complaint/evidence/?id={evidence.id}")
    assert response.status_code == 200
    assert response.mimetype == served
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "X-Evil" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_evidence_of_other_office_is_404(make, db, login_as):
    own, other = make.office(), make.office()
    evidence = Evidence(complaint=make.complaint(other), filename="a.png",
                        mimetype="image/png", size=1, data=b"x")
    db.session.add(evidence)
    user = make.user(own, AccessLevel.ADMIN)
    db.session.commit()
    assert login_as(user).get(
        f"/admin/complaint/evidence/?id={evidence.id}").status_code == 404
