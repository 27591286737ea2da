"""Complaint list, search, filters and dashboard at 1k / 10k / 100k complaints.

Pages are rendered through the Flask test client on PostgreSQL, logged in as
the admin of one of five offices (so 1/5 of the rows are theirs): the list
with filters off (the plain first page) and on (status Diproses + Terlambat
= Ya), a search by register number and by a word of the text, and the
dashboard (Beranda). Rows are
generated server-side by INSERT ... SELECT generate_series, one scratch
database per size; the generation runs with session_replication_role =
replica, which skips the audit triggers for those inserts only (the page
requests themselves run with auditing on). Median of ROUNDS rounds of
PER_ROUND requests each, after a warm-up; every round times every size in
turn, so the shared machine's slow spells fall on all sizes alike. The
ratio largest / smallest size should be <= 1.5 for every page.

Everything is measured twice: first as generated (ANALYZE only; the test
cluster runs without autovacuum, so no page of the table is marked
all-visible and every index read also reads the table), then after VACUUM
ANALYZE, the state autovacuum keeps a production table in (index-only
scans possible). Same rows both times.

Environment: BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test; a scratch database is
created beside it and dropped), BENCH_LIST_ROUNDS (5), BENCH_LIST_PER_ROUND
(10), BENCH_LIST_SIZES ("1000,10000,100000").
"""

import os
import statistics
import time
from contextlib import ExitStack

import sqlalchemy as sa

from ._common import scratch

ROUNDS = int(os.environ.get("BENCH_LIST_ROUNDS", "5"))
PER_ROUND = int(os.environ.get("BENCH_LIST_PER_ROUND", "10"))
SIZES = [int(n) for n in
         os.environ.get("BENCH_LIST_SIZES", "1000,10000,100000").split(",")]
OFFICES = 5
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway scratch database
TARGET = 1.5

GENERATE = """
INSERT INTO complaints (office_id, register_no, received_at, channel, subject,
    description, reporter_name, status, classification, anonymous, confidential,
    reporter_email_consent, current_step_number, step_due_at, due_at, closed_at,
    created_at, updated_at)
SELECT o.ids[1 + g % CAST(:offices AS integer)],
       o.codes[1 + g % CAST(:offices AS integer)] || '/2026/' || lpad(g::text, 7, '0'),
       t.received,
       (ARRAY['facebook','x','instagram','youtube','whatsapp','sms','phone',
              'email','website','lapor','walk_in'])[1 + g % 11],
       'Pengaduan nomor ' || g,
       'Jalan berlubang di depan pasar, laporan nomor ' || g,
       'Pelapor ' || g,
       (ARRAY['new','in_progress','closed'])[1 + g % 3],
       (ARRAY['aspiration','complaint','information_request'])[1 + g % 3],
       false, g % 10 = 0, false,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 2 END,
       CASE WHEN g % 3 = 1 THEN t.received + (g / 3 % 7) * interval '1 day' END,
       t.received + interval '5 days',
       CASE WHEN g % 3 = 2 THEN t.received + interval '2 days' END,
       t.received, t.received
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g,
     LATERAL (SELECT now() - interval '3 days' - g * interval '47 seconds'
                      AS received) AS t,
     (SELECT array_agg(id ORDER BY id) AS ids, array_agg(code ORDER BY id) AS codes
        FROM offices) AS o
"""


def _generate(db, first: int, last: int) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(sa.text(GENERATE), {"first": first, "last": last,
                                         "offices": OFFICES})
        conn.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('complaints', 'id'), "
            "(SELECT max(id) FROM complaints))"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE complaints")


def _round(client, url: str, marker: str) -> float:
    """Mean time of PER_ROUND requests."""
    started = time.perf_counter()
    for _ in range(PER_ROUND):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert marker in response.text, response.text[-3000:]
    return (time.perf_counter() - started) / PER_ROUND


def _filtered_url(app) -> str:
    view = next(v for v in app.extensions["admin"][0]._views
                if v.endpoint == "complaint")
    with app.test_request_context():
        overdue = view.overdue_url()
    status = next(i for i, f in enumerate(view._filters) if str(f.name) == "Status")
    return f"{overdue}&flt1_{view.get_filter_arg(status, view._filters[status])}" \
           "=in_progress"


def _site(uri: str, size: int):
    """A migrated scratch database with `size` complaints, and a client
    logged in as the admin of the first office."""
    from flask_migrate import upgrade

    from sop_admin import create_app
    from sop_admin.extensions import db
    from sop_admin.models import AccessLevel, Office, User, hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        offices = [Office(code=f"B{i}", government="Pemerintah Kota Bench",
                          name=f"Dinas {i}") for i in range(OFFICES)]
        db.session.add_all(offices)
        db.session.flush()
        db.session.add(User(username="bench.admin", full_name="Admin Bench",
                            office=offices[0], access_level=AccessLevel.ADMIN,
                            password_hash=hash_password(PASSWORD)))
        db.session.commit()
        _generate(db, 1, size)
        db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"username": "bench.admin",
                                           "password": PASSWORD})
    assert response.status_code == 302, response.text
    return app, client


def _vacuum(app) -> None:
    from sop_admin.extensions import db

    with app.app_context(), db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE complaints")


def _measure(sites: dict, pages: dict, state: str) -> dict[tuple[str, int], float]:
    """Median per (page, size) of ROUNDS rounds, each round over every size."""
    for _, client in sites.values():
        for url, _marker in pages.values():
            client.get(url)  # warm-up (templates, plan cache)
    rounds = {(label, size): [] for label in pages for size in sites}
    for _ in range(ROUNDS):
        for size, (_, client) in sites.items():
            for label, (url, marker) in pages.items():
                rounds[label, size].append(_round(client, url, marker))
    results = {key: statistics.median(times) for key, times in rounds.items()}
    for size in sites:
        for label in pages:
            print(f"  {state}: {size:>7} complaints, {label:<13}: "
                  f"{results[label, size] * 1000:7.1f} ms", flush=True)
    return results


def run(stack: ExitStack) -> dict[str, dict[tuple[str, int], float]]:
    from sop_admin.extensions import db

    sites = {size: _site(stack.enter_context(scratch("postgresql", f"list{size}")),
                         size)
             for size in SIZES}
    app = sites[SIZES[0]][0]
    #: page -> (URL, text the answer must hold)
    pages = {
        "filters off": ("/admin/complaint/", "/2026/"),
        "filters on": (_filtered_url(app), "/2026/"),
        "search number": ("/admin/complaint/?search=B0/2026/0000500",
                          "B0/2026/0000500"),
        "search text": ("/admin/complaint/?search=berlubang", "/2026/"),
        "dashboard": ("/admin/", "Terlambat"),
    }
    results = {"as generated": _measure(sites, pages, "as generated")}
    for site_app, _ in sites.values():
        _vacuum(site_app)
    results["vacuumed"] = _measure(sites, pages, "vacuumed")
    for site_app, _ in sites.values():
        with site_app.app_context():
            db.engine.dispose()
    return results


def main() -> None:
    print("Complaint list, search, dashboard (test client, admin of 1 of 5 "
          "offices), PostgreSQL;"
          f" median of {ROUNDS} rounds of {PER_ROUND} requests.")
    print("  rows generated with session_replication_role = replica: audit "
          "triggers skipped for the generation only.")
    try:
        with ExitStack() as stack:
            states = run(stack)
    except sa.exc.OperationalError as exc:
        print(f"  skipped: PostgreSQL not reachable ({exc.__class__.__name__})")
        return
    low, high = SIZES[0], SIZES[-1]
    for state, results in states.items():
        for label in sorted({label for label, _ in results}):
            ratio = results[label, high] / results[label, low]
            verdict = "ok" if ratio <= TARGET else "OVER TARGET"
            print(f"  {state}: {label}: {high}/{low} = {ratio:.2f}x "
                  f"(target <= {TARGET}) {verdict}")
