"""Intake API throughput under gunicorn (issue 5): POST /api/v1/complaints.

A scratch PostgreSQL database is made beside BENCH_POSTGRES_URL, migrated
with `flask db upgrade` (audit triggers included: auditing is on, as in
production), loaded with the demo offices and SOPs (`flask demo load
--complaints 0`), and given one API token of the DPK office. Then
`gunicorn -w 2 app:app` serves it on a free localhost port and CLIENTS
threads post complaints (each a new post id, so none is a duplicate) for
SECONDS per round, keeping one connection each where the server allows.
Figures: requests/s, p50/p95 latency and errors per round; the median
round by requests/s is the result. Target: >= 300 requests/s, 0 errors.
Each round also reports the CPU time spent per request by the gunicorn
workers, by the database backends serving them and by the bench's own
clients (from /proc), and the rate those allow on this machine's idle cores:
on a shared machine the wall-clock rate mostly says how busy it was.

Every registration commits, and the audit chain's head lock is held from
sealing until that commit is on disk, so all writers take turns for one
WAL flush each: the disk's fsync time bounds the rate whatever the app
does. The bench therefore runs twice: with the server's
`synchronous_commit` (on: what production durability costs on this disk)
and with `synchronous_commit = off` set on the scratch database only (what
the app and the database do when the flush is not waited for, as on a
server with a fast or battery-backed disk). The app never changes it.

The per-token rate limit stays on (its cost is measured), raised to
BENCH_INTAKE_LIMIT so that it does not refuse the bench's own traffic.
Environment: BENCH_POSTGRES_URL, BENCH_INTAKE_CLIENTS (8),
BENCH_INTAKE_SECONDS (20), BENCH_INTAKE_ROUNDS (3), BENCH_INTAKE_WORKERS (2),
BENCH_INTAKE_LIMIT ("1000000/minute"), BENCH_INTAKE_SYNC ("on,off").
"""

import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from ._common import PG_URL, pg_reachable, scratch

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLIENTS = int(os.environ.get("BENCH_INTAKE_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_INTAKE_SECONDS", "20"))
ROUNDS = int(os.environ.get("BENCH_INTAKE_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_INTAKE_WORKERS", "2"))
LIMIT = os.environ.get("BENCH_INTAKE_LIMIT", "1000000/minute")
SYNC_MODES = os.environ.get("BENCH_INTAKE_SYNC", "on,off").split(",")
GUNICORN_ARGS = os.environ.get("BENCH_INTAKE_GUNICORN", "").split()
TARGET = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-intake",
            "FLASK_APP": "app.py", "API_RATE_LIMIT": LIMIT}


def _prepare(url: str) -> str:
    """Migrate, load the demo offices, make a token; returns the token."""
    env = _env(url)
    for args in (["db", "upgrade"], ["demo", "load", "--complaints", "0"]):
        subprocess.run(  # noqa: S603 - our own commands, our arguments
            [str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True,
            stdout=subprocess.DEVNULL)
    from sop_admin import create_app
    from sop_admin.api.tokens import new_token
    from sop_admin.extensions import db
    from sop_admin.models import Office, utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        office = db.session.scalar(sa.select(Office).filter_by(code="DPK"))
        _token, raw = new_token(office, "bench", created_by=None, now=utcnow())
        db.session.commit()
        db.engine.dispose()
    return raw


class Server:
    """gunicorn serving the app on a free port, stopped on exit."""

    def __init__(self, url: str):
        self.port = _free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own server
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b",
             f"127.0.0.1:{self.port}", "--log-level", "warning",
             *GUNICORN_ARGS, "app:app"],
            cwd=ROOT, env=_env(url))

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def _cpu_seconds(pids) -> float:
    """User + system CPU time of processes (Linux /proc), 0 where unreadable."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def _backend_pids(url: str) -> list[int]:
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(PG_URL)
    with engine.connect() as conn:
        pids = conn.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :name"),
            {"name": name}).scalars().all()
    engine.dispose()
    return list(pids)


def _client(port: int, token: str, stop: float, posts, out: list) -> None:
    headers = {"Authorization": f"Bearer {token}",
               "Content-Type": "application/json"}
    conn = None
    while time.monotonic() < stop:
        n = next(posts)
        body = json.dumps({
            "channel": "instagram", "subject": f"Lampu jalan mati {n}",
            "description": "Lampu jalan di RT 03 mati sejak seminggu.",
            "reporter_name": "Warga", "external_post_id": f"bench-{n}",
            "source_url": f"https://www.instagram.com/p/bench-{n}/"})
        start = time.perf_counter()
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/v1/complaints", body, headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 201
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            ok = False
            conn = None
        out.append((time.perf_counter() - start, ok))


def _round(server: "Server", url: str, token: str, posts) -> dict:
    per_thread: list[list[tuple[float, bool]]] = [[] for _ in range(CLIENTS)]
    workers = _worker_pids(server.process.pid)
    backends = _backend_pids(url)
    cpu_app, cpu_db = _cpu_seconds(workers), _cpu_seconds(backends)
    cpu_clients = time.process_time()
    start = time.monotonic()
    stop = start + SECONDS
    with ThreadPoolExecutor(CLIENTS) as pool:
        for out in per_thread:
            pool.submit(_client, server.port, token, stop, posts, out)
    elapsed = time.monotonic() - start
    cpu_clients = time.process_time() - cpu_clients
    backends = set(backends) | set(_backend_pids(url))
    cpu_app = _cpu_seconds(workers) - cpu_app
    cpu_db = _cpu_seconds(backends) - cpu_db
    results = [item for out in per_thread for item in out]
    latencies = sorted(t for t, ok in results if ok)
    errors = sum(1 for _, ok in results if not ok)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    done = max(len(results), 1)
    return {"rps": len(latencies) / elapsed, "p50": q[49] * 1000,
            "p95": q[94] * 1000, "errors": errors, "requests": len(results),
            "cpu_app": cpu_app / done * 1000, "cpu_db": cpu_db / done * 1000,
            "cpu_clients": cpu_clients / done * 1000}


def _audit_rows(url: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        complaints = conn.execute(sa.text("SELECT count(*) FROM complaints")).scalar()
        rows = conn.execute(sa.text(
            "SELECT count(*) FROM audit_entries WHERE table_name = 'complaints'"
        )).scalar()
    engine.dispose()
    return complaints, rows


def _fsync_ms(url: str) -> float:
    """Time of a one-row commit on the scratch database (the WAL flush)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TEMP TABLE probe (x int)"))
        conn.commit()
        start = time.perf_counter()
        for _ in range(50):
            conn.execute(sa.text("INSERT INTO probe VALUES (1)"))
            conn.commit()
        took = (time.perf_counter() - start) / 50 * 1000
    engine.dispose()
    return took


def _measure(sync: str) -> None:
    with scratch("postgresql", f"intake_{sync}") as url:
        if sync == "off":
            name = sa.engine.make_url(url).database
            engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.exec_driver_sql(
                    f'ALTER DATABASE "{name}" SET synchronous_commit = off')
            engine.dispose()
        token = _prepare(url)
        print(f"  synchronous_commit {sync}: one-row commit "
              f"{_fsync_ms(url):.2f} ms", flush=True)
        posts = itertools.count(1)
        rounds = []
        with Server(url) as server:
            for i in range(ROUNDS):
                result = _round(server, url, token, posts)
                rounds.append(result)
                server_cpu = result["cpu_app"] + result["cpu_db"]
                everything = server_cpu + result["cpu_clients"]
                cores = os.cpu_count() or 1
                print(f"  round {i + 1}: {result['rps']:.0f} req/s, "
                      f"p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
                      f"{result['errors']} errors of {result['requests']}; "
                      f"CPU per request: app {result['cpu_app']:.1f} ms, "
                      f"database {result['cpu_db']:.1f} ms, clients "
                      f"{result['cpu_clients']:.1f} ms (idle {cores} "
                      f"cores: ~{cores * 1000 / server_cpu:.0f} req/s for the "
                      f"server alone, ~{cores * 1000 / everything:.0f} with the "
                      f"clients on the same cores)", flush=True)
        complaints, audit_rows = _audit_rows(url)
    median = sorted(rounds, key=lambda r: r["rps"])[len(rounds) // 2]
    errors = sum(r["errors"] for r in rounds)
    verdict = "OK" if median["rps"] >= TARGET and errors == 0 else "BELOW TARGET"
    print(f"intake API (gunicorn -w {WORKERS}, {CLIENTS} clients, {SECONDS:.0f} s "
          f"x {ROUNDS}, auditing on, synchronous_commit {sync}): median "
          f"{median['rps']:.0f} req/s, p50 {median['p50']:.1f} ms, "
          f"p95 {median['p95']:.1f} ms, {errors} errors; {complaints} complaints, "
          f"{audit_rows} audit rows for them; target >= {TARGET} req/s, "
          f"0 errors: {verdict}", flush=True)


def main() -> None:
    if not pg_reachable():
        print(f"intake: PostgreSQL not reachable at {PG_URL}; skipped")
        return
    for sync in SYNC_MODES:
        _measure(sync)
