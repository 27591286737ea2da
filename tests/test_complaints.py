"""Register numbers and complaint registration (complaints.py)."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from sop_admin import tracking
from sop_admin.complaints import (
    DuplicateComplaint,
    InvalidComplaint,
    assign_register_no,
    register_complaint,
)
from sop_admin.models import Channel, Classification, Complaint, RegisterCounter

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _fields(**kw):
    return {
        "channel": Channel.WHATSAPP,
        "received_at": NOW - timedelta(hours=2),
        "subject": "Lampu jalan mati",
        "description": "Lampu jalan di Jl. Margonda mati sejak seminggu.",
        **kw,
    }


def test_assign_register_no_counts_per_office_and_year(make, db):
    depok, bekasi = make.office("DPK"), make.office("BKS")
    numbers = [assign_register_no(depok, NOW) for _ in range(3)]
    numbers.append(assign_register_no(bekasi, NOW))
    assert numbers == [
        "DPK/2026/000001", "DPK/2026/000002", "DPK/2026/000003", "BKS/2026/000001",
    ]


def test_assign_register_no_new_year_restarts_at_one(make, db):
    office = make.office("DPK")
    last_year = datetime(2025, 12, 31, 3, 0, tzinfo=UTC)
    assert assign_register_no(office, last_year) == "DPK/2025/000001"
    assert assign_register_no(office, NOW) == "DPK/2026/000001"
    assert assign_register_no(office, last_year) == "DPK/2025/000002"
    assert assign_register_no(office, NOW) == "DPK/2026/000002"


def test_assign_register_no_year_follows_office_time_zone(make, db):
    papua = make.office("JPR", timezone="Asia/Jayapura")
    jakarta = make.office("JKT", timezone="Asia/Jakarta")
    evening = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # 1 Jan 05:00 WIT
    assert assign_register_no(papua, evening) == "JPR/2027/000001"
    late = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 WIB, 01:30 WIT
    assert assign_register_no(jakarta, late) == "JKT/2026/000001"
    assert assign_register_no(papua, late) == "JPR/2027/000002"


def test_assign_register_no_rolled_back_number_is_reused(make, db):
    office = make.office("DPK")
    db.session.commit()
    assert assign_register_no(office, NOW) == "DPK/2026/000001"
    db.session.rollback()
    assert assign_register_no(office, NOW) == "DPK/2026/000001"


def test_assign_register_no_concurrent_threads_no_duplicates_no_gaps(app, make, db):
    office = make.office("DPK")
    db.session.commit()
    office_id = office.id
    threads_count, per_thread = 6, 5
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                mine = []
                for _ in range(per_thread):
                    own = db.session.get(type(office), office_id)
                    mine.append(assign_register_no(own, NOW))
                    time.sleep(0.01)  # hold the counter lock so others queue on it
                    db.session.commit()
                db.session.remove()
                with lock:
                    results.extend(mine)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    expected = [f"DPK/2026/{n:06d}" for n in range(1, threads_count * per_thread + 1)]
    assert sorted(results) == expected
    counter = db.session.get(RegisterCounter, (office_id, 2026))
    db.session.refresh(counter)
    assert counter.last_value == threads_count * per_thread


def test_register_complaint_valid_gets_number_sop_and_actor(make, db):
    office = make.office("DPK")
    make.sop(office, status="draft", name="SOP Draf Pengaduan")
    active = make.sop(office, status="active")
    actor = make.user(office)
    registration = register_complaint(
        office, actor=actor, now=NOW, **_fields(classification="aspiration")
    )
    complaint = registration.complaint
    assert complaint.id is not None
    assert complaint.register_no == "DPK/2026/000001"
    assert complaint.sop_version == active
    assert complaint.created_by == actor
    assert complaint.classification == Classification.ASPIRATION
    assert tracking.matches(complaint, registration.tracking_code)


def test_register_complaint_without_active_sop_has_none(make, db):
    office = make.office("DPK")
    make.sop(office, status="draft")
    complaint = register_complaint(office, actor=None, now=NOW, **_fields()).complaint
    assert complaint.sop_version is None


def test_register_complaint_channel_given_as_text_is_accepted(make, db):
    complaint = register_complaint(
        make.office("DPK"), actor=None, now=NOW, **_fields(channel="lapor")
    ).complaint
    assert complaint.channel == Channel.LAPOR


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_at": NOW + timedelta(minutes=1)}, "received_at"),
        ({"received_at": datetime(2026, 11, 1, 8, 0)}, "received_at"),
        ({"subject": "   "}, "subject"),
        ({"description": ""}, "description"),
        ({"channel": None}, "channel"),
        ({"channel": "telegram"}, "channel"),
        ({"classification": "gossip"}, "classification"),
        ({"anonymous": True, "reporter_name": "Budi"}, "reporter_name"),
        ({"status": "closed"}, "status"),
        ({"reporter_email": "budi(at)mail"}, "reporter_email"),
        ({"reporter_email_consent": True}, "reporter_email_consent"),
        ({"anonymous": True, "reporter_email": "b@x.id"}, "reporter_email"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"subject": "x" * 301}, "subject"),
        ({"external_post_id": 12345}, "external_post_id"),
        ({"confidential": "ya"}, "confidential"),
    ],
)
def test_register_complaint_bad_field_is_refused_and_takes_no_number(
    make, db, change, field
):
    office = make.office("DPK")
    with pytest.raises(InvalidComplaint) as info:
        register_complaint(office, actor=None, now=NOW, **_fields(**change))
    assert any(p.startswith(f"{field}:") for p in info.value.problems)
    assert field in info.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0
    assert db.session.scalar(sa.select(RegisterCounter)) is None


def test_register_complaint_anonymous_without_identity_is_accepted(make, db):
    complaint = register_complaint(
        make.office("DPK"), actor=None, now=NOW,
        **_fields(anonymous=True, reporter_name="", reporter_contact=None),
    ).complaint
    assert complaint.anonymous is True


def test_register_complaint_foreign_sop_version_is_refused(make, db):
    office, other = make.office("DPK"), make.office("BKS")
    foreign = make.sop(other, status="active")
    with pytest.raises(InvalidComplaint, match="sop_version"):
        register_complaint(
            office, actor=None, now=NOW, **_fields(sop_version=foreign)
        )


def test_register_complaint_same_post_twice_is_refused(make, db):
    office = make.office("DPK")
    post = {"channel": Channel.INSTAGRAM, "external_post_id": "C1xYz",
            "source_url": "https://www.instagram.com/p/C1xYz/"}
    first = register_complaint(office, actor=None, now=NOW, **_fields(**post))
    with pytest.raises(DuplicateComplaint) as info:
        register_complaint(office, actor=None, now=NOW, **_fields(**post))
    assert info.value.existing == first.complaint
    # Same id on another channel, or in another office, is another post.
    register_complaint(office, actor=None, now=NOW,
                       **_fields(**{**post, "channel": Channel.FACEBOOK}))
    register_complaint(make.office("BKS"), actor=None, now=NOW, **_fields(**post))


def test_register_complaint_same_link_without_post_id_is_refused(make, db):
    office = make.office("DPK")
    link = {"channel": Channel.X, "source_url": "https://x.com/a/status/1"}
    register_complaint(office, actor=None, now=NOW, **_fields(**link))
    with pytest.raises(DuplicateComplaint):
        register_complaint(office, actor=None, now=NOW, **_fields(**link))


def test_register_complaint_concurrent_same_post_registered_once(app, make, db):
    office = make.office("DPK")
    db.session.commit()
    office_id = office.id
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker():
        with app.app_context():
            barrier.wait()
            own = db.session.get(type(office), office_id)
            try:
                register_complaint(own, actor=None, now=NOW, **_fields(
                    channel=Channel.INSTAGRAM, external_post_id="SAMEPOST"))
                time.sleep(0.05)  # hold the counter lock so the others queue
                db.session.commit()
                outcome = "registered"
            except DuplicateComplaint:
                db.session.rollback()
                outcome = "duplicate"
            except BaseException as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                outcome = repr(exc)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["duplicate"] * (threads_count - 1) + ["registered"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1
