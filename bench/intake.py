"""Intake API throughput under gunicorn (issue 5): POST /api/v1/complaints.

A scratch PostgreSQL database is made beside BENCH_POSTGRES_URL, migrated
with `flask db upgrade` (audit triggers included: auditing is on, as in
production), loaded with the demo offices and SOPs (`flask demo load
--complaints 0`), and given one API token of the DPK office. Then
`gunicorn -w 2 -k gthread --threads 2 app:app` (as the README deploys it)
serves it on a free localhost port and wrk (`bench/intake.lua`, C and epoll,
so the load generator takes little of the 2 cores it shares with the server)
keeps CLIENTS connections busy posting complaints (each a new post id, so
none is a duplicate) for SECONDS per round. Figures: requests/s, p50/p95/p99
latency and errors (connection errors, timeouts and any answer but 2xx) per
round; the median round by requests/s is the result. Target: >= 300
requests/s, 0 errors. Each round also reports the CPU time spent per request
by the gunicorn workers, by the database backends serving them and by wrk
(from /proc and getrusage), and the rate those allow on this machine's idle
cores: on a shared machine the wall-clock rate mostly says how busy it was.

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
BENCH_INTAKE_LIMIT ("1000000/minute"), BENCH_INTAKE_SYNC ("on,off"),
BENCH_INTAKE_GUNICORN (gunicorn options, "-k gthread --threads 2").
"""

import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
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
GUNICORN_ARGS = os.environ.get("BENCH_INTAKE_GUNICORN",
                               "-k gthread --threads 2").split()
TARGET = 300
WRK = shutil.which("wrk")


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


def _wrk(port: int, token: str, tag: str) -> dict:
    """One round of wrk (C, epoll): CLIENTS connections on 2 threads."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(  # noqa: S603 - wrk on our own localhost server
        [WRK, "-t", "2", "-c", str(CLIENTS), "-d", f"{SECONDS:.0f}s",
         "--latency", "-s", str(ROOT / "bench" / "intake.lua"),
         f"http://127.0.0.1:{port}/", "--", token, tag],
        capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    figures["cpu_clients"] = (after.ru_utime + after.ru_stime
                              - before.ru_utime - before.ru_stime)
    return figures


def _round(server: "Server", url: str, token: str, tag: str) -> dict:
    workers = _worker_pids(server.process.pid)
    backends = _backend_pids(url)
    cpu_app, cpu_db = _cpu_seconds(workers), _cpu_seconds(backends)
    figures = _wrk(server.port, token, tag)
    backends = set(backends) | set(_backend_pids(url))
    cpu_app = _cpu_seconds(workers) - cpu_app
    cpu_db = _cpu_seconds(backends) - cpu_db
    done = max(figures["requests"], 1)
    ok = figures["requests"] - figures["errors"]
    return {"rps": ok / figures["seconds"], "p50": figures["p50"],
            "p95": figures["p95"], "p99": figures["p99"],
            "errors": figures["errors"], "requests": figures["requests"],
            "cpu_app": cpu_app / done * 1000, "cpu_db": cpu_db / done * 1000,
            "cpu_clients": figures["cpu_clients"] / done * 1000}


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
        rounds = []
        with Server(url) as server:
            for i in range(ROUNDS):
                result = _round(server, url, token, f"{sync}{i}")
                rounds.append(result)
                server_cpu = result["cpu_app"] + result["cpu_db"]
                everything = server_cpu + result["cpu_clients"]
                cores = os.cpu_count() or 1
                print(f"  round {i + 1}: {result['rps']:.0f} req/s, "
                      f"p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
                      f"p99 {result['p99']:.1f} ms, "
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
    print(f"intake API (gunicorn -w {WORKERS} {' '.join(GUNICORN_ARGS)}, "
          f"wrk {CLIENTS} connections, {SECONDS:.0f} s "
          f"x {ROUNDS}, auditing on, synchronous_commit {sync}): median "
          f"{median['rps']:.0f} req/s, p50 {median['p50']:.1f} ms, "
          f"p95 {median['p95']:.1f} ms, {errors} errors; {complaints} complaints, "
          f"{audit_rows} audit rows for them; target >= {TARGET} req/s, "
          f"0 errors: {verdict}", flush=True)


def main() -> None:
    if WRK is None:
        print("intake: wrk not found (`make bench` installs it: apt-get install wrk); "
              "skipped")
        return
    if not pg_reachable():
        print(f"intake: PostgreSQL not reachable at {PG_URL}; skipped")
        return
    for sync in SYNC_MODES:
        _measure(sync)
