"""Load test (`make load`): gunicorn with 2 workers on PostgreSQL, mixed work.

A scratch PostgreSQL database beside BENCH_POSTGRES_URL is migrated and
loaded with the demo offices, users and SOPs (no complaints), and one API
token of the DPK office is made (as bench/intake.py does). gunicorn serves it
on a free localhost port, and LOAD_CLIENTS threads, each logged in as the
DPK admin with its own session, pick for LOAD_SECONDS (default 600: ten
minutes) or until LOAD_MAX_REQUESTS one of:

- intake: POST /api/v1/complaints (a new post each time);
- status: GET /api/v1/complaints/<register_no> of an accepted complaint;
- list: the complaint list, plain or filtered by channel or status;
- act: the Proses page of an open complaint, then its start or act form
  (decisions answered Ya or Tidak at random), as a user would;
- print: the SOP PDF or a complaint's history sheet.

A 409 of a step already moved by another client counts as a correct answer,
not an error: it is the guard against double moves doing its work.
Afterwards it prints requests/s and p50/p95/p99 per kind, and checks that
every accepted complaint exists exactly once, that every complaint and step
row has its insert in the audit trail (and every changed complaint an
update), and that `flask audit verify` passes. Exit status 1 on any error or
failed check. Localhost only; bounded in time and requests.
"""

import http.client
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import sqlalchemy as sa

from ._common import pg_reachable, scratch
from .intake import BIN, GUNICORN_ARGS, ROOT, Server, _env, _prepare

SECONDS = float(os.environ.get("LOAD_SECONDS", "600"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "200000"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "8"))
USERNAME, PASSWORD = "dpk.admin", "demo-sop-2026"
#: Share of each kind of request in the mix.
MIX = {"intake": 30, "status": 10, "list": 25, "act": 25, "print": 10}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ACT_FORM = re.compile(r'action="([^"]*/(?:start|act))"')
EXPECTED = re.compile(r'name="expected_step"[^>]*value="(\d+)"')


class Client:
    """One browser-like user: its own connection and session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn = self.conn or http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn = None
        return response.status, data

    def post_form(self, path: str, fields: dict):
        return self.request("POST", path, urlencode(fields), {
            "Content-Type": "application/x-www-form-urlencoded"})

    def login(self) -> None:
        _, page = self.request("GET", "/login")
        token = CSRF.search(page.decode()).group(1)
        status, _ = self.post_form("/login", {
            "csrf_token": token, "username": USERNAME, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login as {USERNAME} failed: HTTP {status}")


class Shared:
    """What the clients share: accepted register numbers and the results."""

    def __init__(self, url: str, token: str, list_queries: list[str], prints):
        self.engine = sa.create_engine(url, pool_size=CLIENTS)
        self.token = token
        self.list_queries = list_queries
        self.prints = prints
        self.lock = threading.Lock()
        self.accepted: list[str] = []
        self.results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self.failures: list[str] = []
        self.posts = itertools.count(1)
        self.count = itertools.count(1)

    def record(self, kind: str, took: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.results[kind].append((took, ok))
            if not ok and len(self.failures) < 20:
                self.failures.append(f"{kind}: {detail}")

    def open_complaint_id(self, rng: random.Random) -> int | None:
        with self.engine.connect() as conn:
            ids = conn.execute(sa.text(
                "SELECT id FROM complaints WHERE status <> 'closed' "
                "ORDER BY id DESC LIMIT 50")).scalars().all()
        return rng.choice(ids) if ids else None


def _intake(client: Client, shared: Shared, rng: random.Random) -> tuple[bool, str]:
    n = next(shared.posts)
    body = json.dumps({
        "channel": "instagram", "subject": f"Jalan berlubang {n}",
        "description": "Jalan di depan pasar berlubang dan membahayakan.",
        "reporter_name": "Warga", "external_post_id": f"load-{n}"})
    status, data = client.request("POST", "/api/v1/complaints", body, {
        "Authorization": f"Bearer {shared.token}",
        "Content-Type": "application/json"})
    if status != 201:
        return False, f"HTTP {status} {data[:200]!r}"
    number = json.loads(data)["register_no"]
    with shared.lock:
        shared.accepted.append(number)
    return True, ""


def _status(client: Client, shared: Shared, rng: random.Random) -> tuple[bool, str]:
    with shared.lock:
        number = rng.choice(shared.accepted) if shared.accepted else None
    if number is None:
        return _intake(client, shared, rng)
    status, _ = client.request("GET", f"/api/v1/complaints/{number}", None, {
        "Authorization": f"Bearer {shared.token}"})
    return status == 200, f"HTTP {status}"


def _list(client: Client, shared: Shared, rng: random.Random) -> tuple[bool, str]:
    status, _ = client.request("GET", rng.choice(shared.list_queries))
    return status == 200, f"HTTP {status}"


def _act(client: Client, shared: Shared, rng: random.Random) -> tuple[bool, str]:
    complaint_id = shared.open_complaint_id(rng)
    if complaint_id is None:
        return _intake(client, shared, rng)
    status, page = client.request("GET", f"/admin/proses/{complaint_id}")
    if status != 200:
        return False, f"Proses page HTTP {status}"
    html = page.decode()
    form = ACT_FORM.search(html)
    if form is None:  # closed meanwhile by another client
        return True, ""
    fields = {"csrf_token": CSRF.search(html).group(1), "note": "uji beban"}
    expected = EXPECTED.search(html)
    if expected:
        fields["expected_step"] = expected.group(1)
    if 'name="answer"' in html:
        fields["answer"] = rng.choice(["ya", "tidak"])
    status, _ = client.post_form(form.group(1), fields)
    return status in (302, 303, 409), f"{form.group(1)} HTTP {status}"


def _print(client: Client, shared: Shared, rng: random.Random) -> tuple[bool, str]:
    complaint_id = shared.open_complaint_id(rng)
    path = rng.choice(shared.prints)
    if complaint_id is not None and rng.random() < 0.5:
        path = f"/admin/laporan/pengaduan/{complaint_id}/riwayat"
    status, data = client.request("GET", path)
    return status == 200 and data.startswith(b"%PDF"), f"{path} HTTP {status}"


KINDS = {"intake": _intake, "status": _status, "list": _list, "act": _act,
         "print": _print}


def _client(port: int, shared: Shared, stop: float, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(port)
    client.login()
    choices = [kind for kind, weight in MIX.items() for _ in range(weight)]
    while time.monotonic() < stop and next(shared.count) <= MAX_REQUESTS:
        kind = rng.choice(choices)
        start = time.perf_counter()
        try:
            ok, detail = KINDS[kind](client, shared, rng)
        except (OSError, http.client.HTTPException, AttributeError) as exc:
            ok, detail = False, repr(exc)
        shared.record(kind, time.perf_counter() - start, ok, detail)


def _setup_paths(url: str) -> tuple[list[str], list[str]]:
    """Filtered list URLs (as Flask-Admin names its filter arguments) and PDFs."""
    from sop_admin import create_app
    from sop_admin.extensions import db
    from sop_admin.models import Office, SopVersion

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load"})
    with app.test_request_context():
        view = next(v for v in app.extensions["admin"][0]._views
                    if getattr(v, "endpoint", "") == "complaint")
        args = {str(flt.name): f"flt0_{view.get_filter_arg(i, flt)}"
                for i, flt in enumerate(view._filters)}
        office = db.session.scalar(sa.select(Office).filter_by(code="DPK"))
        version = db.session.scalar(sa.select(SopVersion.id).where(
            SopVersion.sop.has(office_id=office.id)).limit(1))
        db.engine.dispose()
    queries = ["/admin/complaint/",
               f"/admin/complaint/?{args['Kanal']}=instagram",
               f"/admin/complaint/?{args['Status']}=in_progress",
               "/admin/complaint/?page=2"]
    return queries, [f"/admin/sopversion/print/{version}"]


def _checks(url: str, accepted: list[str]) -> list[str]:
    problems = []
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text(
            "SELECT register_no, count(*) FROM complaints "
            "WHERE register_no = ANY(:numbers) GROUP BY register_no"),
            {"numbers": accepted}).all())
        missing = [n for n in accepted if n not in rows]
        doubled = [n for n, count in rows.items() if count != 1]
        if missing or doubled or len(set(accepted)) != len(accepted):
            problems.append(f"accepted complaints: {len(missing)} missing, "
                            f"{len(doubled)} stored twice")
        for table in ("complaints", "complaint_steps"):
            unaudited = conn.execute(sa.text(
                f"SELECT count(*) FROM {table} t WHERE NOT EXISTS ("  # noqa: S608
                "SELECT 1 FROM audit_entries a WHERE a.table_name = :table "
                "AND a.row_key = t.id::text AND a.operation = 'insert')"),
                {"table": table}).scalar()
            if unaudited:
                problems.append(f"{table}: {unaudited} rows without their insert "
                                "in the audit trail")
        unaudited = conn.execute(sa.text(
            "SELECT count(*) FROM complaints c WHERE c.updated_at > c.created_at "
            "AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE "
            "a.table_name = 'complaints' AND a.row_key = c.id::text "
            "AND a.operation = 'update')")).scalar()
        if unaudited:
            problems.append(f"complaints: {unaudited} changed rows without an "
                            "update in the audit trail")
        totals = conn.execute(sa.text(
            "SELECT (SELECT count(*) FROM complaints), "
            "(SELECT count(*) FROM complaint_steps), "
            "(SELECT count(*) FROM audit_entries)")).one()
    engine.dispose()
    print(f"  database: {totals[0]} complaints, {totals[1]} step records, "
          f"{totals[2]} audit rows", flush=True)
    verify = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "flask"), "audit", "verify"], cwd=ROOT, env=_env(url),
        capture_output=True, text=True)
    last = (verify.stdout.strip().splitlines() or [""])[-1]
    print(f"  flask audit verify: exit {verify.returncode}: {last}", flush=True)
    if verify.returncode != 0:
        problems.append(f"audit verify failed: {verify.stdout}{verify.stderr}")
    return problems


def _report(shared: Shared, elapsed: float) -> int:
    total = sum(len(r) for r in shared.results.values())
    errors = sum(1 for r in shared.results.values() for _, ok in r if not ok)
    print(f"  {total} requests in {elapsed:.0f} s: {total / elapsed:.1f} req/s, "
          f"{errors} errors", flush=True)
    for kind, results in sorted(shared.results.items()):
        times = sorted(t * 1000 for t, _ in results)
        q = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        bad = sum(1 for _, ok in results if not ok)
        print(f"  {kind:7} {len(results):6} req {len(results) / elapsed:6.1f}/s  "
              f"p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  "
              f"errors {bad}", flush=True)
    for failure in shared.failures:
        print(f"  error: {failure}", flush=True)
    return errors


def main() -> int:
    if not pg_reachable():
        print("load: PostgreSQL not reachable (BENCH_POSTGRES_URL); nothing run")
        return 1
    os.environ.setdefault("LOGIN_RATE_LIMIT", "100000/minute")
    with scratch("postgresql", "load") as url:
        token = _prepare(url)
        queries, prints = _setup_paths(url)
        shared = Shared(url, token, queries, prints)
        print(f"load: gunicorn -w 2 {' '.join(GUNICORN_ARGS)}, {CLIENTS} clients, "
              f"{SECONDS:.0f} s or {MAX_REQUESTS} requests, mix {MIX}", flush=True)
        with Server(url) as server:
            start = time.monotonic()
            with ThreadPoolExecutor(CLIENTS) as pool:
                futures = [pool.submit(_client, server.port, shared,
                                       start + SECONDS, seed)
                           for seed in range(CLIENTS)]
                for future in futures:
                    future.result()
            elapsed = time.monotonic() - start
        errors = _report(shared, elapsed)
        shared.engine.dispose()
        problems = _checks(url, shared.accepted)
    for problem in problems:
        print(f"  FAILED: {problem}", flush=True)
    verdict = "OK" if not errors and not problems else "FAILED"
    print(f"load: {verdict}: {errors} errors, {len(problems)} failed checks, "
          f"{len(shared.accepted)} complaints accepted", flush=True)
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
