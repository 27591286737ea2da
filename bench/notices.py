"""Outbox delivery throughput and /lacak latency (issue 9), on PostgreSQL.

1. Outbox: BENCH_OUTBOX_N pending messages (default 500) delivered by
   `send_pending` (claim, send, record: two commits per mail, audit
   triggers on) to a local aiosmtpd server. Target >= 50 mails/s.
2. /lacak: BENCH_LACAK_N complaints (default 100 000), each with three
   steps, generated server-side with INSERT ... SELECT generate_series (audit
   triggers skipped for the load only, as the scratch database's superuser).
   Then BENCH_LACAK_REQUESTS (default 300) lookups of random complaints
   through the test client, for the page, the JSON and a wrong code: median
   and 95th percentile. Target < 30 ms median.

BENCH_POSTGRES_URL names the server (default the local test server); a
scratch database is created beside it and dropped.
"""

import os
import random
import socket
import statistics
import time

import sqlalchemy as sa

from ._common import pg_reachable, scratch

OUTBOX_N = int(os.environ.get("BENCH_OUTBOX_N", "500"))
LACAK_N = int(os.environ.get("BENCH_LACAK_N", "100000"))
REQUESTS = int(os.environ.get("BENCH_LACAK_REQUESTS", "300"))
#: Every generated complaint gets this code (its hash differs per number).
CODE = "BENC-HMAR-K000"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd
        self.count += 1
        return "250 OK"


def _office(db):
    from sop_admin.models import Office

    office = Office(code="BEN", government="Pemerintah Kota Bench",
                    name="Dinas Bench", phone="021-000", email="bench@example.id")
    db.session.add(office)
    db.session.commit()
    return office


def outbox_throughput(app, db) -> None:
    from aiosmtpd.controller import Controller

    from sop_admin.models import utcnow
    from sop_admin.notices.sender import MailSettings, send_pending

    office = _office(db)
    db.session.execute(sa.text(
        "INSERT INTO outbox_messages (office_id, kind, recipient, subject, body_text,"
        " body_html, status, attempts, next_attempt_at, message_id, created_at)"
        " SELECT :office, 'disposition', 'unit' || i || '@example.id',"
        " 'Disposisi ' || i, repeat('Isi pemberitahuan. ', 40),"
        " '<p>' || repeat('Isi pemberitahuan. ', 40) || '</p>', 'pending', 0, now(),"
        " '<bench' || i || '@example.id>', now()"
        " FROM generate_series(1, :n) AS i"), {"office": office.id, "n": OUTBOX_N})
    db.session.commit()
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        settings = MailSettings(host="127.0.0.1", port=controller.port,
                                sender="bench@example.id")
        start = time.perf_counter()
        result = send_pending(db.session, settings, now=utcnow)
        elapsed = time.perf_counter() - start
    finally:
        controller.stop()
    assert result.sent == OUTBOX_N == sink.count, (result, sink.count)
    rate = OUTBOX_N / elapsed
    verdict = "ok" if rate >= 50 else "BELOW TARGET"
    print(f"  outbox: {OUTBOX_N} mails in {elapsed:.2f} s = {rate:.0f} mails/s "
          f"(target >= 50: {verdict})")


def _generate_complaints(db, office_id: int, version_id: int) -> None:
    db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(sa.text(
        "INSERT INTO complaints (office_id, register_no, received_at, channel,"
        " subject, description, classification, status, current_step_number,"
        " reporter_name, reporter_email_consent, anonymous, confidential,"
        " sop_version_id, tracking_code_hash, created_at, updated_at)"
        " SELECT :office, r.no, now() - make_interval(mins => i), 'whatsapp',"
        " 'Pengaduan ' || i, 'Uraian ' || i, 'complaint', 'in_progress', 3,"
        " 'Pelapor ' || i, false, false, false, :version,"
        " encode(sha256(convert_to(r.no || ':' || :code, 'UTF8')), 'hex'),"
        " now(), now()"
        " FROM generate_series(1, :n) AS i,"
        " LATERAL (SELECT 'BEN/2026/' || lpad(i::text, 6, '0') AS no) AS r"),
        {"office": office_id, "version": version_id, "n": LACAK_N,
         "code": CODE.replace("-", "")})
    db.session.execute(sa.text(
        "INSERT INTO complaint_steps (complaint_id, step_number, started_at,"
        " completed_at, note, escalation_level)"
        " SELECT c.id, s.n, c.received_at + make_interval(mins => s.n),"
        " CASE WHEN s.n < 3 THEN c.received_at + make_interval(mins => s.n + 1) END,"
        " 'catatan', 0"
        " FROM complaints c, generate_series(1, 3) AS s(n)"))
    db.session.commit()
    db.session.execute(sa.text("ANALYZE complaints"))
    db.session.execute(sa.text("ANALYZE complaint_steps"))
    db.session.commit()


def _timed(client, path: str, query: dict, expect: int) -> float:
    start = time.perf_counter()
    response = client.get(path, query_string=query)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == expect, (path, response.status_code)
    return elapsed


def lacak_latency(app, db) -> None:
    from sop_admin.models import Office, Role, Sop, SopLane, SopStep, SopVersion

    office = db.session.scalar(sa.select(Office)) or _office(db)
    role = Role(office=office, name="Admin Media Sosial")
    sop = Sop(office=office, number="1")
    version = SopVersion(sop=sop, office=office, name="SOP Pengaduan",
                         status="active")
    lane = SopLane(role=role, sort_order=0)
    version.lanes = [lane]
    version.steps = [SopStep(number=1, activity="Menerima", lane=lane, kind="start"),
                     SopStep(number=2, activity="Menelaah", lane=lane),
                     SopStep(number=3, activity="Meneruskan ke OPD", lane=lane),
                     SopStep(number=4, activity="Selesai", lane=lane, kind="end")]
    db.session.add(version)
    db.session.commit()
    start = time.perf_counter()
    _generate_complaints(db, office.id, version.id)
    print(f"  lacak: {LACAK_N:,} complaints and {3 * LACAK_N:,} steps generated "
          f"in {time.perf_counter() - start:.1f} s")
    client = app.test_client()
    numbers = [f"BEN/2026/{random.randint(1, LACAK_N):06d}" for _ in range(REQUESTS)]
    for number in numbers[:20]:  # warm up caches and the connection pool
        _timed(client, "/lacak", {"register_no": number, "code": CODE}, 200)
    cases = {
        "/lacak page": ("/lacak", CODE, 200),
        "/api/v1/track": ("/api/v1/track", CODE, 200),
        "/api/v1/track wrong code": ("/api/v1/track", "AAAA-BBBB-CCCC", 404),
    }
    for label, (path, code, expect) in cases.items():
        times = sorted(_timed(client, path, {"register_no": n, "code": code}, expect)
                       for n in numbers)
        median = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        verdict = "ok" if median < 30 else "ABOVE TARGET"
        print(f"  {label}: median {median:.1f} ms, p95 {p95:.1f} ms over "
              f"{len(times)} requests (target < 30 ms median: {verdict})")


def main() -> None:
    if not pg_reachable():
        print("  postgresql not reachable: skipped (set BENCH_POSTGRES_URL)")
        return
    from flask_migrate import upgrade

    from sop_admin import create_app
    from sop_admin.extensions import db

    with scratch("postgresql", "notices") as uri:
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True,
                          "LACAK_RATE_LIMIT": "1000000/minute"})
        with app.app_context():
            upgrade()
            outbox_throughput(app, db)
            lacak_latency(app, db)
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
