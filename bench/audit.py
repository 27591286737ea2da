"""Audit trail cost and verification speed (issue 4).

Workload: create 10 000 complaints, then update each one (status, step,
subject), 100 per transaction, through the ORM, measured three ways:

  (a) no audit: our migrations with the audit triggers dropped and the
      audit listeners removed (a throwaway database);
  (b) our audit: triggers, context hand-off and sealing at commit;
  (c) SQLAlchemy-Continuum (default strategy) on the same complaint columns.

Each run is a child process with a fresh database (Continuum's listeners
are global to SQLAlchemy, so it must not share a process with (a)/(b)).
Medians of ROUNDS runs; ratios b/a and b/c. Then, on PostgreSQL, 1 000 000
audit rows are generated server-side, sealed, vacuumed and verified in
interleaved rounds by the baseline (the method this replaced), by one and
by several connections, and with --client-hash: median rows per second,
with each run's time and the machine's load average before it (the work
runs in server processes and their parallel workers, so this process's own
CPU time says little).

Targets: b/a <= 1.3, b/c <= 0.5, verify >= 200 000 rows/s.
Environment: BENCH_AUDIT_N (default 10000), BENCH_AUDIT_ROUNDS (3),
BENCH_CONTINUUM_ROUNDS (1), BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test; scratch databases are
created beside it and dropped), BENCH_VERIFY_ROWS, BENCH_VERIFY_ROUNDS (5),
BENCH_AUDIT_ONLY=verify (skip the write-cost runs).
"""

import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from ._common import pg_reachable, scratch

N = int(os.environ.get("BENCH_AUDIT_N", "10000"))
ROUNDS = int(os.environ.get("BENCH_AUDIT_ROUNDS", "3"))
#: Continuum runs 10-20x longer; one run is enough to place it.
CONTINUUM_ROUNDS = int(os.environ.get("BENCH_CONTINUUM_ROUNDS", "1"))
BATCH = 100
VERIFY_ROWS = int(os.environ.get("BENCH_VERIFY_ROWS", "1000000"))
VERIFY_ROUNDS = int(os.environ.get("BENCH_VERIFY_ROUNDS", "5"))
ONLY = os.environ.get("BENCH_AUDIT_ONLY", "")
RECEIVED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


# --- the workload (runs in a child process) ------------------------------------

def _workload(session, complaint_cls, make) -> float:
    """Create N complaints, then update each; seconds."""
    start = time.perf_counter()
    ids = []
    for first in range(0, N, BATCH):
        rows = [make(i) for i in range(first, min(first + BATCH, N))]
        session.add_all(rows)
        session.flush()
        ids.extend(r.id for r in rows)
        session.commit()
    for first in range(0, N, BATCH):
        chunk = ids[first:first + BATCH]
        rows = session.scalars(
            sa.select(complaint_cls).where(complaint_cls.id.in_(chunk))).all()
        for row in rows:
            row.status = "in_progress"
            row.current_step_number = 2
            row.subject = row.subject + " (diproses)"
        session.commit()
    return time.perf_counter() - start


def _run_ours(uri: str, audited: bool) -> float:
    from flask_migrate import upgrade
    from sqlalchemy import event

    import sop_admin.views
    from sop_admin import audit, create_app
    from sop_admin.audit import context
    from sop_admin.audit_ddl import audited_tables, drop_triggers
    from sop_admin.extensions import db
    from sop_admin.models import Channel, Complaint, Office

    sop_admin.views.init_admin = lambda app: None  # no admin pages needed here
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    with app.app_context():
        upgrade()
        if not audited:
            with db.engine.begin() as conn:
                drop_triggers(conn, audited_tables(conn))
            for name, fn in (("before_cursor_execute", context.before_cursor_execute),
                             ("commit", audit.on_commit)):
                event.remove(db.engine, name, fn)
        office = Office(code="BNC", government="Pemerintah Kota", name="Dinas")
        db.session.add(office)
        db.session.commit()

        def make(i):
            return Complaint(office_id=office.id, register_no=f"BNC/2026/{i:06d}",
                             received_at=RECEIVED, channel=Channel.WHATSAPP,
                             subject=f"Lampu jalan mati {i}",
                             description="Lampu jalan di RT 03 mati.")

        return _workload(db.session, Complaint, make)


def _run_continuum(uri: str) -> float:
    from sqlalchemy.orm import DeclarativeBase, Session, configure_mappers
    from sqlalchemy_continuum import make_versioned

    make_versioned(user_cls=None)

    class Base(DeclarativeBase):
        pass

    class BenchComplaint(Base):
        """The complaint columns that the workload touches, and the rest."""

        __tablename__ = "complaints"
        __versioned__ = {}
        id = sa.Column(sa.Integer, primary_key=True)
        office_id = sa.Column(sa.Integer, nullable=False)
        register_no = sa.Column(sa.String(40), unique=True, nullable=False)
        received_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
        channel = sa.Column(sa.String(30), nullable=False)
        reporter_name = sa.Column(sa.String(200))
        reporter_contact = sa.Column(sa.String(200))
        subject = sa.Column(sa.String(300), nullable=False)
        description = sa.Column(sa.Text, nullable=False)
        classification = sa.Column(sa.String(30), default="complaint")
        status = sa.Column(sa.String(30), default="new")
        current_step_number = sa.Column(sa.Integer)
        due_at = sa.Column(sa.DateTime(timezone=True))
        created_at = sa.Column(sa.DateTime(timezone=True),
                               default=lambda: datetime.now(UTC))
        updated_at = sa.Column(sa.DateTime(timezone=True),
                               default=lambda: datetime.now(UTC),
                               onupdate=lambda: datetime.now(UTC))

    configure_mappers()
    engine = sa.create_engine(uri)
    Base.metadata.create_all(engine)

    def make(i):
        return BenchComplaint(office_id=1, register_no=f"BNC/2026/{i:06d}",
                              received_at=RECEIVED, channel="whatsapp",
                              subject=f"Lampu jalan mati {i}",
                              description="Lampu jalan di RT 03 mati.")

    with Session(engine) as session:
        return _workload(session, BenchComplaint, make)


def _child(variant: str, uri: str) -> None:
    seconds = {"a": lambda: _run_ours(uri, audited=False),
               "b": lambda: _run_ours(uri, audited=True),
               "c": lambda: _run_continuum(uri)}[variant]()
    print(f"{seconds:.6f}")


def _measure(kind: str, variant: str, round_no: int) -> float:
    with scratch(kind, f"audit_{variant}{round_no}") as uri:
        out = subprocess.run(  # noqa: S603 - our own module, our arguments
            [sys.executable, "-m", "bench.audit", "child", variant, uri],
            check=True, capture_output=True, text=True,
        )
    return float(out.stdout.strip().splitlines()[-1])


def write_cost(kind: str) -> None:
    times: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    for round_no in range(ROUNDS):
        for variant in times:
            if variant != "c" or round_no < CONTINUUM_ROUNDS:
                times[variant].append(_measure(kind, variant, round_no))
    med = {v: statistics.median(t) for v, t in times.items()}
    labels = {"a": "no audit", "b": "our audit", "c": "SQLAlchemy-Continuum"}
    for v, label in labels.items():
        runs = ", ".join(f"{t:.2f}" for t in times[v])
        print(f"  {kind:10} ({v}) {label:22} median {med[v]:6.2f} s  [{runs}]")
    print(f"  {kind:10} b/a = {med['b'] / med['a']:.2f}  (target <= 1.3)   "
          f"b/c = {med['b'] / med['c']:.2f}  (target <= 0.5)", flush=True)


# --- verification speed ----------------------------------------------------------

_FILL = """
INSERT INTO audit_entries (at, table_name, row_key, operation, old_values,
    new_values, office_id, actor_id, actor_name, access_level, client_ip,
    user_agent, request_id, interface)
SELECT clock_timestamp(), 'complaints', g::text, 'update',
    '{"status": "new", "current_step_number": 1}',
    '{"status": "in_progress", "current_step_number": 2}',
    1 + g %% 5, 1 + g %% 40, 'Pengguna ' || (g %% 40), 'staff', '10.0.0.' || (g %% 250),
    'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', md5(g::text), 'web'
FROM generate_series(1, ROWS) AS g
"""


def _baseline_verify(engine) -> int:
    """The verification this branch replaced, kept to be timed beside it.

    The server hashed each row (`hash_sql`) and `COPY ... TO STDOUT` streamed
    seq and three hashes per row to Python, which compared them row by row.
    Returns the rows checked (it stops at the first bad one).
    """
    from sop_admin.audit.chain import GENESIS, hash_sql

    query = (f"COPY (SELECT seq, hash, prev_hash, {hash_sql()} FROM audit_entries "  # noqa: S608
             "WHERE seq >= 1 ORDER BY seq) TO STDOUT")
    expect, prev, rest = 1, GENESIS, ""
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor().copy(query) as copy:
            for block in copy:
                lines = (rest + bytes(block).decode("latin-1")).split("\n")
                rest = lines.pop()
                for line in lines:
                    seq, digest, link, computed = line.split("\t")
                    if int(seq) != expect or computed != digest or link != prev:
                        return expect - 1
                    prev, expect = digest, expect + 1
    finally:
        raw.rollback()
        raw.close()
    return expect - 1


def _time_verify(checks: dict, engine) -> dict[str, list[tuple[float, float]]]:
    """`(seconds, load average before)` per method and round; rounds are
    interleaved so that changes in the machine's load hit every method alike."""
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in checks}
    for _ in range(VERIFY_ROUNDS):
        for label, check in checks.items():
            load = os.getloadavg()[0]
            start = time.perf_counter()
            count = check(engine)
            runs[label].append((time.perf_counter() - start, load))
            assert count == VERIFY_ROWS, (label, count)
    return runs


def verify_speed() -> None:
    from flask_migrate import upgrade

    import sop_admin.views
    from sop_admin import audit, create_app
    from sop_admin.extensions import db

    def checked(result) -> int:
        assert result.ok, result.problem
        return result.count

    workers = os.cpu_count() or 1
    checks = {
        "baseline (hashes streamed by COPY)": _baseline_verify,
        "1 connection, checked in the server": lambda e: checked(audit.verify(e)),
        f"{workers} connections (verify_parallel)":
            lambda e: checked(audit.verify_parallel(e, workers)),
        "--client-hash, 1 process":
            lambda e: checked(audit.verify(e, client_hash=True)),
    }
    sop_admin.views.init_admin = lambda app: None
    with scratch("postgresql", "audit_verify") as uri:
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
        with app.app_context():
            upgrade()
            # A plain DBAPI connection, as psql would be: the rows stay
            # unsealed so that sealing is timed on its own. %% is a literal %.
            raw = db.engine.raw_connection()
            try:
                raw.cursor().execute(
                    _FILL.replace("ROWS", str(VERIFY_ROWS)).replace("%%", "%"))
                raw.commit()
            finally:
                raw.close()
            start = time.perf_counter()
            sealed = audit.seal(db.engine)
            seal_s = time.perf_counter() - start
            # What autovacuum would soon do on a live server (sealing updated
            # every row); done now so it does not run during the timings.
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE audit_entries")
            runs = _time_verify(checks, db.engine)
            db.engine.dispose()
    print(f"  postgresql seal   {sealed:,} rows in {seal_s:.1f} s = "
          f"{sealed / seal_s:,.0f} rows/s")
    print(f"  postgresql verify {VERIFY_ROWS:,} rows, median of {VERIFY_ROUNDS} "
          f"interleaved rounds, {workers} CPUs (target >= 200,000 rows/s):")
    for label, rounds in runs.items():
        seconds = statistics.median(r[0] for r in rounds)
        times = ", ".join(f"{r[0]:.2f}" for r in rounds)
        loads = ", ".join(f"{r[1]:.1f}" for r in rounds)
        print(f"    {label:38} {seconds:6.2f} s = {VERIFY_ROWS / seconds:9,.0f} rows/s"
              f"  [runs {times} s; load {loads}]", flush=True)


def main() -> None:
    if ONLY == "verify":
        if pg_reachable():
            verify_speed()
        else:
            print("  postgresql not reachable: skipped (set BENCH_POSTGRES_URL)")
        return
    print(f"audit: {N} complaints created + updated, {BATCH} per transaction, "
          f"median of {ROUNDS}")
    write_cost("sqlite")
    if pg_reachable():
        write_cost("postgresql")
        verify_speed()
    else:
        print("  postgresql not reachable: skipped (set BENCH_POSTGRES_URL)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
