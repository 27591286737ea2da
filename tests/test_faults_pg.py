"""Fault: PostgreSQL restarted under a running app server.

The test never touches the shared server of TEST_DATABASE_URL: it makes a
throwaway PostgreSQL 15 cluster of its own (initdb into a temp dir, a free
port, trust auth), migrates it with `flask db upgrade`, serves it with
gunicorn as test_faults.py does, stops the cluster mid-run and starts it again.

It runs once per CI run, in the SQLite pass (no TEST_DATABASE_URL): it does not
use the pass's database, so the PostgreSQL pass would only repeat it. It is
skipped only when the PostgreSQL server binaries are missing and CI is not
"true"; under CI missing binaries fail it.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from sop_admin.extensions import db as _db
from sop_admin.models import AccessLevel, Complaint

from .conftest import PG_URL, make_test_app
from .factories import Factories
from .test_faults import ROOT, SOP_RE, TOKEN_RE, Browser, _free_port, serving

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
BIN = Path(sys.executable).parent
#: How long the app may take to serve again once PostgreSQL is back.
RECOVERY_SECONDS = 10

pytestmark = pytest.mark.skipif(
    bool(PG_URL), reason="runs once, in the SQLite pass (own cluster, see docstring)")


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: drop to the postgres user if we are root."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    """A throwaway PostgreSQL cluster in a temp dir, on a free localhost port."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="sop-faults-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data),  # noqa: S603
                                     *args]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        # --no-sync and fsync=off: a throwaway cluster needs no crash safety;
        # a fast stop still checkpoints everything committed.
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data),  # noqa: S603
                                     "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                     "--no-sync", "--no-instructions"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self._ctl("-l", str(self.log), "-w", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-w", "-m", mode, "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except subprocess.CalledProcessError:
                pass  # not running after all; the files go below either way
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        message = f"PostgreSQL server binaries not found in {PG_BIN}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    own = Cluster()
    try:
        own.init()
        own.start()
        yield own
    finally:
        own.remove()


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app.py",
            "SECRET_KEY": "fault-test"}


def _prepare(url: str) -> tuple[str, str]:
    """Migrate with `flask db upgrade`; an office with an active SOP, a staff
    user and an API token. Returns (username, token)."""
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=_env(url),  # noqa: S603
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = make_test_app(url)
    with app.app_context():
        make = Factories(_db)
        office = make.office(code="DPK")
        make.sop(office, number="001", status="active")
        username = make.user(office, AccessLevel.STAFF).username
        _token, raw = make.api_token(office)
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    return username, raw


def _api_post(base: str, token: str, subject: str) -> tuple[int, dict, dict]:
    body = json.dumps({"channel": "instagram", "subject": subject,
                       "description": "Lampu jalan mati."}).encode()
    request = urllib.request.Request(base + "/api/v1/complaints", body, {  # noqa: S310
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"{}")


def _form(browser: Browser) -> dict:
    """The new-complaint form's hidden and chosen values, read from the page."""
    _, page = browser.request("/admin/complaint/new/")
    return {"csrf_token": TOKEN_RE.search(page).group(1),
            "received_at": "2026-11-02T10:00", "channel": "facebook",
            "classification": "complaint", "description": "Lampu jalan mati.",
            "sop_version": SOP_RE.search(page).group(1)}


def _register(browser: Browser, subject: str, form: dict | None = None) -> int:
    form = form or _form(browser)
    return browser.request("/admin/complaint/new/", {**form, "subject": subject})[0]


def _no_stack(text: str) -> bool:
    return not any(word in text for word in ("Traceback", "psycopg", "OperationalError",
                                             "sqlalchemy"))


def test_postgres_restart_gives_clear_errors_then_recovers(cluster):
    started = time.monotonic()
    username, token = _prepare(cluster.url)
    with serving(cluster.url) as (_process, base):
        panel, english = Browser(base), Browser(base)
        panel.login(username)
        english.login(username)
        assert english.request("/lang/en")[0] == 302
        committed = []
        for n in range(3):
            assert _register(panel, f"Sebelum panel {n}") == 302
            committed.append(f"Sebelum panel {n}")
            status, _, _ = _api_post(base, token, f"Sebelum API {n}")
            assert status == 201
            committed.append(f"Sebelum API {n}")

        form = _form(panel)  # to post while the database is down
        cluster.stop()
        stopped = time.monotonic()
        for _ in range(4):  # two workers: each meets its broken connections
            status, page = panel.request("/admin/complaint/")
            assert status == 503, page
            assert "Basis data sedang tidak tersedia" in page and _no_stack(page)
            status, page = english.request("/admin/complaint/")
            assert status == 503
            assert "The database is unavailable" in page and _no_stack(page)
            status, _, body = _api_post(base, token, "Saat mati")
            assert status == 503, body
            assert body["error"] == "basis data tidak tersedia / database unavailable"
            assert "Basis data sedang tidak tersedia" in body["message"]
        assert _register(panel, "Saat mati", form) == 503

        cluster.start()
        restarted = time.monotonic()
        deadline = time.monotonic() + RECOVERY_SECONDS
        while panel.request("/admin/complaint/")[0] != 200:
            assert time.monotonic() < deadline, "the app did not reconnect"
            time.sleep(0.2)
        recovered = time.monotonic() - restarted
        for n in range(4):  # both workers serve again, reading and writing
            assert panel.request("/admin/complaint/")[0] == 200
            assert english.request("/admin/complaint/")[0] == 200
            assert _api_post(base, token, f"Sesudah API {n}")[0] == 201
        assert _register(panel, "Sesudah panel") == 302

        # A restart between two requests is not seen at all: pool_pre_ping
        # finds the pooled connections dead and opens new ones.
        cluster.stop()
        cluster.start()
        for n in range(4):
            assert panel.request("/admin/complaint/")[0] == 200
            assert _api_post(base, token, f"Sesudah mulai ulang {n}")[0] == 201

    engine = sa.create_engine(cluster.url)
    with engine.connect() as conn:
        subjects = dict(conn.execute(sa.select(Complaint.subject, sa.func.count())
                                     .group_by(Complaint.subject)).all())
    engine.dispose()
    assert all(subjects.get(s) == 1 for s in committed), subjects
    assert "Saat mati" not in subjects
    assert sum(subjects.values()) == len(committed) + 9
    verify = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "audit", "verify"], cwd=ROOT, capture_output=True,
        text=True, env=_env(cluster.url))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    print(f"serving again {recovered:.1f} s after PostgreSQL was back; "  # noqa: T201
          f"down {restarted - stopped:.1f} s; test {time.monotonic() - started:.1f} s")
