"""Faults: a server killed mid-burst loses no committed complaint; a database
that cannot be written gives a clear page and keeps nothing half-written."""

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError, InternalError, OperationalError

from sop_admin import audit
from sop_admin.errors import DatabaseTrouble, database_trouble
from sop_admin.models import AccessLevel, AuditEntry, Complaint, RegisterCounter

from .conftest import make_test_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SOP_RE = re.compile(r'<select[^>]*name="sop_version".*?<option[^>]*value="(\d+)"',
                    re.S)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies and CSRF tokens over plain HTTP, redirects not followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def login(self, username: str) -> None:
        _, page = self.request("/login")
        status, _ = self.request("/login", {
            "username": username, "password": "password-123",
            "csrf_token": TOKEN_RE.search(page).group(1)})
        assert status == 302


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(database_uri: str):
    """gunicorn (2 workers) on `database_uri`, in its own process group;
    yields (process, base URL) and kills the group on the way out."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_uri, "SECRET_KEY": "fault-test",
           "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b",
         f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def server(database_uri):
    with serving(database_uri) as running:
        yield running


def test_sigkill_mid_burst_loses_no_committed_complaint(server, make, db):
    process, base = server
    office = make.office(code="DPK")
    make.sop(office, number="001", status="active")
    username = make.user(office, AccessLevel.STAFF).username
    db.session.commit()
    db.session.close()
    senders = []
    for _ in range(3):
        browser = Browser(base)
        browser.login(username)
        senders.append(browser)
    committed, lost, stop = [], [], threading.Event()

    def burst(browser: Browser, name: str) -> None:
        n = 0
        while not stop.is_set() and n < 400:
            n += 1
            subject = f"Uji putus {name}-{n}"
            try:
                _, page = browser.request("/admin/complaint/new/")
                status, _ = browser.request("/admin/complaint/new/", {
                    "csrf_token": TOKEN_RE.search(page).group(1),
                    "received_at": "2026-11-02T10:00", "channel": "facebook",
                    "classification": "complaint", "subject": subject,
                    "description": "Lampu jalan mati.",
                    "sop_version": SOP_RE.search(page).group(1)})
            # Connection reset or refused, answer cut mid-body, or page cut.
            except (OSError, http.client.HTTPException, AttributeError):
                lost.append(subject)
                return
            (committed if status == 302 else lost).append(subject)

    threads = [threading.Thread(target=burst, args=(b, str(i)))
               for i, b in enumerate(senders)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(committed) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # workers and master, mid-request
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(committed) >= 30

    subjects = _subjects(db)
    assert all(subjects.get(s) == 1 for s in committed), "a committed one is missing"
    assert all(subjects.get(s, 0) <= 1 for s in lost)
    assert sum(subjects.values()) == db.session.scalar(select(func.count(Complaint.id)))
    numbers = db.session.scalars(select(Complaint.register_no)).all()
    assert len(set(numbers)) == len(numbers)
    assert db.session.scalar(select(RegisterCounter.last_value)) == len(numbers)
    checked = audit.verify(db.engine)
    assert checked.ok, checked.problem
    assert checked.unsealed == 0


def _subjects(db) -> dict[str, int]:
    rows = db.session.execute(select(Complaint.subject, func.count())
                              .group_by(Complaint.subject)).all()
    return dict(rows)


def test_read_only_database_gives_clear_page_and_writes_nothing(database_uri, make,
                                                                 db):
    """The SQLite file opened read-only stands for a full or read-only disk."""
    if not database_uri.startswith("sqlite:///"):
        pytest.skip("opens the SQLite file read-only")
    office = make.office(code="DPK")
    make.sop(office, number="001", status="active")
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    path = database_uri.removeprefix("sqlite:///")
    frozen = make_test_app(f"sqlite:///file:{path}?mode=ro&uri=true",
                           FLASK_ADMIN_RAISE_ON_VIEW_EXCEPTION=False,
                           PROPAGATE_EXCEPTIONS=False)

    def state():
        return [db.session.scalar(select(func.count(Complaint.id))),
                db.session.scalar(select(func.count(AuditEntry.id))),
                db.session.scalars(select(RegisterCounter.last_value)).all()]

    before = state()
    with frozen.test_client() as client:
        login = client.post("/login", data={"username": staff.username,
                                            "password": "password-123"})
        assert login.status_code == 503  # logging in writes last_login_at
        assert "Basis data tidak dapat menyimpan perubahan" in login.text
        with client.session_transaction() as session:
            session["_user_id"] = str(staff.id)
            session["_fresh"] = True
        assert client.get("/admin/complaint/").status_code == 200  # reading works
        response = client.post("/admin/complaint/new/", data={
            "received_at": "2026-11-02T10:00", "channel": "facebook",
            "classification": "complaint", "subject": "Tidak tersimpan",
            "description": "d", "sop_version": "__None"})
    with frozen.app_context():
        db.engine.dispose()
    assert response.status_code == 200
    assert "Basis data tidak dapat menyimpan perubahan" in response.text
    assert "Tidak tersimpan" in response.text  # the typed form is still there
    assert "INSERT" not in response.text and "sqlite3" not in response.text
    assert state() == before


def test_full_disk_gives_clear_message_and_writes_nothing(database_uri, make, db):
    """SQLite's max_page_count capped at the file's size: a write that needs a
    new page fails with SQLITE_FULL ("database or disk is full"), the error a
    full disk gives. The long description needs overflow pages of its own."""
    if not database_uri.startswith("sqlite:///"):
        pytest.skip("caps the size of the SQLite file")
    office = make.office(code="DPK")
    sop_version = make.sop(office, number="001", status="active")
    staff = make.user(office, AccessLevel.STAFF)
    _token, raw = make.api_token(office)
    db.session.commit()
    version_id, staff_id = sop_version.id, staff.id
    db.session.close()
    path = database_uri.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:  # no free pages left to fill
        conn.execute("VACUUM")
    full = make_test_app(database_uri, FLASK_ADMIN_RAISE_ON_VIEW_EXCEPTION=False,
                         PROPAGATE_EXCEPTIONS=False)
    api_auth = {"Authorization": f"Bearer {raw}"}
    with full.test_client() as client:
        # Token use is recorded at most once a minute: record it now, not below.
        assert client.get("/api/v1/complaints/DPK/2026/9",
                          headers=api_auth).status_code == 404
    with full.app_context():
        engine = db.engine
        engine.dispose()

    def cap(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    def state():
        return [db.session.scalar(select(func.count(Complaint.id))),
                db.session.scalar(select(func.count(AuditEntry.id))),
                db.session.scalars(select(RegisterCounter.last_value)).all()]

    form = {"received_at": "2026-11-02T10:00", "channel": "facebook",
            "classification": "complaint", "subject": "Disk penuh",
            "description": "Lampu jalan mati sejak minggu lalu. " * 300,
            "sop_version": str(version_id)}
    api_body = {"channel": "instagram", "received_at": "2026-11-02T10:15:00+07:00",
                "subject": "Disk penuh lewat API", "description": form["description"]}
    before = state()
    event.listen(engine, "connect", cap)
    with full.test_client() as client:
        with client.session_transaction() as session:
            session["_user_id"] = str(staff_id)
            session["_fresh"] = True
        response = client.post("/admin/complaint/new/", data=form)
        api = client.post("/api/v1/complaints", json=api_body, headers=api_auth)
        assert response.status_code == 200  # the form again, with what was typed
        assert "Penyimpanan basis data penuh" in response.text
        assert "Disk penuh" in response.text
        assert "INSERT" not in response.text and "sqlite3" not in response.text
        assert api.status_code == 507
        assert api.json["error"] == "penyimpanan penuh / storage full"
        assert "Penyimpanan basis data penuh" in api.json["message"]
        db.session.expire_all()
        assert state() == before

        event.remove(engine, "connect", cap)  # room again
        engine.dispose()
        response = client.post("/admin/complaint/new/", data=form)
        assert response.status_code == 302
        assert client.post("/api/v1/complaints", json=api_body,
                           headers=api_auth).status_code == 201
    with full.app_context():
        engine.dispose()
    assert _subjects(db) == {"Disk penuh": 1, "Disk penuh lewat API": 1}
    assert db.session.scalars(select(RegisterCounter.last_value)).all() == [2]
    checked = audit.verify(db.engine)
    assert checked.ok, checked.problem
    assert checked.unsealed == 0


@pytest.mark.parametrize(("orig", "wrapper", "trouble"), [
    (psycopg.errors.DiskFull("no space left on device"), OperationalError,
     DatabaseTrouble.FULL),
    (psycopg.errors.ReadOnlySqlTransaction("read-only transaction"), InternalError,
     DatabaseTrouble.READ_ONLY),
    (psycopg.errors.AdminShutdown("terminating connection"), OperationalError,
     DatabaseTrouble.UNAVAILABLE),
    (psycopg.errors.CannotConnectNow("the database system is starting up"),
     OperationalError, DatabaseTrouble.UNAVAILABLE),
    (psycopg.OperationalError("connection failed: Connection refused"),
     OperationalError, DatabaseTrouble.UNAVAILABLE),
    (psycopg.errors.UniqueViolation("duplicate key"), IntegrityError, None),
    (sqlite3.OperationalError("no such table: x"), OperationalError, None),
])
def test_database_errors_are_told_apart_by_code(orig, wrapper, trouble):
    """PostgreSQL's disk full and read-only are not simulated here: their
    SQLSTATEs map as SQLite's codes do; anything else is an ordinary error."""
    assert database_trouble(wrapper("INSERT ...", {}, orig)) is trouble
