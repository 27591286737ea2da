"""Monthly report time for an office with N complaints (issue 6).

Target: under 1 s at 100 000 complaints on PostgreSQL. Worst case: all N
complaints fall in the reported month, each with three step records (two
completed, one open and overdue for every tenth complaint), so every
aggregate and both medians run over the whole month.

Rows are generated server-side with one INSERT ... SELECT per table
(generate_series / a recursive CTE), not through the ORM. On PostgreSQL the
scratch database's audit triggers are skipped while generating
(`session_replication_role = replica`, superuser only, as the test reset
does): the bench measures reading, not auditing the fixture.

Timed: the figures (`reports.build_report`, SQL only) and the whole PDF
(figures + layout), medians of ROUNDS runs. Environment: BENCH_REPORT_SIZES
(default 1000,10000,100000), BENCH_REPORT_SQLITE_MAX (10000),
BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test;
a scratch database is created beside it and dropped).
"""

import os
import statistics
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from sop_admin import create_app, reports
from sop_admin.extensions import db
from sop_admin.models import SopStatus
from sop_admin.printing.report import report_pdf
from tests.factories import Factories

from ._common import pg_reachable, scratch

SIZES = [int(n) for n in os.environ.get(
    "BENCH_REPORT_SIZES", "1000,10000,100000").split(",")]
SQLITE_MAX = int(os.environ.get("BENCH_REPORT_SQLITE_MAX", "10000"))
ROUNDS = 3
#: 1 October 2026 00:00 WIB; the month has 2 678 400 seconds.
START = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
MONTH_SECONDS = 31 * 86400
NOW = datetime(2026, 11, 28, tzinfo=UTC)

_PG_COMPLAINTS = """
INSERT INTO complaints (office_id, register_no, received_at, channel, anonymous,
    confidential, subject, description, classification, sop_version_id, status,
    reporter_email_consent, created_at, updated_at, closed_at, due_at)
SELECT :office, 'BEN/2026/' || lpad(i::text, 7, '0'),
    CAST(:start AS timestamptz) + (i % :span) * interval '1 second',
    (ARRAY['facebook','x','whatsapp','email','phone'])[1 + i % 5], false, false,
    'Keluhan ' || i, 'Uraian', 'complaint', :version,
    CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'in_progress' END, false,
    CAST(:start AS timestamptz), CAST(:start AS timestamptz),
    CASE WHEN i % 3 = 0 THEN CAST(:start AS timestamptz)
         + (i % :span + 86400 * (i % 12)) * interval '1 second' END,
    CAST(:start AS timestamptz) + (i % :span + 86400 * 10) * interval '1 second'
FROM generate_series(1, :n) AS g(i)
"""
_PG_STEPS = """
INSERT INTO complaint_steps (complaint_id, step_number, started_at, due_at,
    completed_at, note, within_standard, late_seconds, escalation_level)
SELECT c.id, s.number, c.received_at + s.offset_s * interval '1 second',
    c.received_at + (s.offset_s + s.allowed) * interval '1 second',
    CASE WHEN s.number = 2 THEN NULL
         ELSE c.received_at + (s.offset_s + (c.id * 37) % s.spread)
              * interval '1 second' END,
    '',
    CASE WHEN s.number = 2 THEN NULL ELSE (c.id * 37) % s.spread <= s.allowed END,
    CASE WHEN s.number = 2 THEN NULL
         ELSE greatest(0, (c.id * 37) % s.spread - s.allowed) END,
    0
FROM complaints c
CROSS JOIN (VALUES (1, 0, 300, 600), (3, 900, 3600, 7200), (2, 600, 300, 1))
    AS s(number, offset_s, allowed, spread)
WHERE c.office_id = :office AND (s.number <> 2 OR c.id % 10 = 0)
"""
_SQLITE_COMPLAINTS = """
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n)
INSERT INTO complaints (office_id, register_no, received_at, channel, anonymous,
    confidential, subject, description, classification, sop_version_id, status,
    reporter_email_consent, created_at, updated_at, closed_at, due_at)
SELECT :office, 'BEN/2026/' || printf('%07d', i),
    datetime(:start, '+' || (i % :span) || ' seconds') || '.000000',
    CASE i % 5 WHEN 0 THEN 'facebook' WHEN 1 THEN 'x' WHEN 2 THEN 'whatsapp'
         WHEN 3 THEN 'email' ELSE 'phone' END, 0, 0,
    'Keluhan ' || i, 'Uraian', 'complaint', :version,
    CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'in_progress' END, 0, :start, :start,
    CASE WHEN i % 3 = 0 THEN datetime(:start, '+' || (i % :span + 86400 * (i % 12))
         || ' seconds') || '.000000' END,
    datetime(:start, '+' || (i % :span + 864000) || ' seconds') || '.000000'
FROM seq
"""
_SQLITE_STEPS = """
WITH s(number, offset_s, allowed, spread) AS (
    VALUES (1, 0, 300, 600), (3, 900, 3600, 7200), (2, 600, 300, 1))
INSERT INTO complaint_steps (complaint_id, step_number, started_at, due_at,
    completed_at, note, within_standard, late_seconds, escalation_level)
SELECT c.id, s.number,
    datetime(c.received_at, '+' || s.offset_s || ' seconds') || '.000000',
    datetime(c.received_at, '+' || (s.offset_s + s.allowed) || ' seconds')
        || '.000000',
    CASE WHEN s.number = 2 THEN NULL
         ELSE datetime(c.received_at, '+' || (s.offset_s + (c.id * 37) % s.spread)
              || ' seconds') || '.000000' END,
    '',
    CASE WHEN s.number = 2 THEN NULL ELSE (c.id * 37) % s.spread <= s.allowed END,
    CASE WHEN s.number = 2 THEN NULL
         ELSE max(0, (c.id * 37) % s.spread - s.allowed) END,
    0
FROM complaints c CROSS JOIN s
WHERE c.office_id = :office AND (s.number <> 2 OR c.id % 10 = 0)
"""


def _generate(kind: str, office, version, n: int) -> None:
    params = {"office": office.id, "version": version.id, "n": n,
              "span": MONTH_SECONDS, "start": START.strftime("%Y-%m-%d %H:%M:%S")}
    if kind == "postgresql":
        params["start"] = START.isoformat()
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        db.session.execute(sa.text(_PG_COMPLAINTS), params)
        db.session.execute(sa.text(_PG_STEPS), {"office": office.id})
    else:
        db.session.execute(sa.text(_SQLITE_COMPLAINTS), params)
        db.session.execute(sa.text(_SQLITE_STEPS), {"office": office.id})
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def _median_ms(fn) -> float:
    fn()  # warm-up
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _run(kind: str, n: int) -> tuple[float, float, int]:
    with scratch(kind, "report") as uri:
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench",
                          "TESTING": True})
        with app.app_context():
            upgrade()
            make = Factories(db)
            office = make.office("BEN", timezone="Asia/Jakarta")
            version = make.sop(office, number="B-1", status=SopStatus.ACTIVE)
            db.session.commit()
            _generate(kind, office, version, n)
            period = reports.monthly_period(2026, 10, office)

            def figures():
                db.session.expire_all()
                return reports.build_report(office, version, period, NOW)

            received = figures().received
            sql_ms = _median_ms(figures)
            pdf_ms = _median_ms(lambda: report_pdf(figures()))
            db.session.remove()
            db.engine.dispose()
    return sql_ms, pdf_ms, received


def main() -> None:
    kinds = ["sqlite"] + (["postgresql"] if pg_reachable() else [])
    for kind in kinds:
        for n in SIZES:
            if kind == "sqlite" and n > SQLITE_MAX:
                continue
            sql_ms, pdf_ms, received = _run(kind, n)
            assert received == n, (received, n)
            print(f"report: monthly {kind:10} {n:>7} complaints: figures "
                  f"{sql_ms:8.1f} ms, figures + PDF {pdf_ms:8.1f} ms", flush=True)
    print("report: target monthly report at 100 000 complaints on PostgreSQL < 1 s")


if __name__ == "__main__":
    main()
