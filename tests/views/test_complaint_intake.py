"""Intake by the panel form: time set back, future refused, the tracking code
shown once, a new code replacing the old."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sop_admin import tracking
from sop_admin.models import AccessLevel, AuditEntry, Complaint, utcnow

CODE_RE = re.compile(r'class="tracking-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<')


@pytest.fixture
def office(make):
    return make.office("PGD")


def _form(**kw):
    return {"received_at": "2026-11-02T10:15", "channel": "instagram",
            "classification": "complaint", "subject": "Jalan berlubang",
            "description": "Di depan pasar.", "sop_version": "__None", **kw}


def test_form_has_every_intake_field(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).get("/admin/complaint/new/").text
    for name in ("received_at", "channel", "classification", "anonymous",
                 "confidential", "reporter_name", "reporter_contact",
                 "reporter_address", "reporter_identity_no", "reporter_email",
                 "reporter_email_consent", "subject", "description",
                 "subject_party", "expectation", "lapor_tracking_id",
                 "city_system_id", "source_url", "external_post_id",
                 "evidence_upload"):
        assert f'name="{name}"' in page, name


def test_form_received_at_set_back_is_kept(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    earlier = (utcnow() - timedelta(days=3)).astimezone(
        tracking_zone := __import__("zoneinfo").ZoneInfo("Asia/Jakarta"))
    response = login_as(staff).post("/admin/complaint/new/", data=_form(
        received_at=earlier.strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 302, response.text
    complaint = db.session.scalar(select(Complaint))
    assert complaint.received_at == earlier.replace(second=0, microsecond=0,
                                                    tzinfo=tracking_zone)
    assert complaint.created_at > complaint.received_at + timedelta(days=2)


def test_form_received_in_future_refused_under_its_field(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).post("/admin/complaint/new/", data=_form(
        received_at="2099-01-01T10:00")).text
    assert "masa depan" in page
    assert db.session.scalar(select(Complaint)) is None


def test_form_code_shown_once_and_matches(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    page = client.post("/admin/complaint/new/", data=_form(
        reporter_email="siti@example.id", reporter_email_consent="y"),
        follow_redirects=True).text
    [code] = CODE_RE.findall(page)
    complaint = db.session.scalar(select(Complaint))
    assert complaint.reporter_email == "siti@example.id"
    assert complaint.reporter_email_consent is True
    assert tracking.matches(complaint, code)
    # Never again: not on the list, not on the details page.
    assert code not in client.get("/admin/complaint/").text
    details = client.get(f"/admin/complaint/details/?id={complaint.id}").text
    assert code not in details and "Terbitkan kode lacak baru" in details


def test_form_same_post_twice_refused(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    post = _form(external_post_id="C1xYz", source_url="https://instagram.com/p/C1xYz")
    assert client.post("/admin/complaint/new/", data=post).status_code == 302
    page = client.post("/admin/complaint/new/", data=post).text
    assert "sudah tercatat sebagai PGD/2026/000001" in page
    assert len(db.session.scalars(select(Complaint)).all()) == 1


def test_reissue_invalidates_old_code_and_is_audited(office, make, db, login_as):
    complaint = make.complaint(office)
    old = tracking.issue(complaint)
    staff = make.user(office, AccessLevel.STAFF, full_name="Staf Satu")
    db.session.commit()
    page = login_as(staff).post("/admin/complaint/tracking-code/", data={
        "id": complaint.id, "reason": "pelapor kehilangan kode"},
        follow_redirects=True).text
    [new] = CODE_RE.findall(page)
    db.session.expire_all()
    assert tracking.matches(complaint, new)
    assert not tracking.matches(complaint, old)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "complaints", AuditEntry.operation == "update",
        AuditEntry.interface == "web")).one()
    assert entry.actor_name == "Staf Satu"
    assert entry.reason == "Kode lacak baru diterbitkan: pelapor kehilangan kode"
    assert "tracking_code_hash" in entry.new_values
    assert new not in entry.new_values


@pytest.mark.parametrize("level", [AccessLevel.RECORDS_OFFICER, AccessLevel.AUDITOR])
def test_reissue_forbidden_to_readers(level, office, make, db, login_as):
    complaint = make.complaint(office)
    user = make.user(office, level)
    db.session.commit()
    client = login_as(user)
    assert "Terbitkan kode lacak baru" not in client.get(
        f"/admin/complaint/details/?id={complaint.id}").text
    response = client.post("/admin/complaint/tracking-code/",
                           data={"id": complaint.id})
    assert response.status_code == 403
    db.session.expire_all()
    assert complaint.tracking_code_hash is None


def test_reissue_other_office_is_404(office, make, db, login_as):
    complaint = make.complaint(office)
    outsider = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    response = login_as(outsider).post("/admin/complaint/tracking-code/",
                                       data={"id": complaint.id})
    assert response.status_code == 404


def test_reissue_needs_csrf(office, make, db, app, login_as):
    complaint = make.complaint(office)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/admin/complaint/tracking-code/",
                           data={"id": complaint.id})
    assert response.status_code == 400
    db.session.expire_all()
    assert complaint.tracking_code_hash is None


def test_received_at_default_is_now(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).get("/admin/complaint/new/").text
    value = re.search(r'name="received_at"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="received_at"', page)
    shown = datetime.strptime(value.group(1), "%Y-%m-%dT%H:%M")
    local_now = datetime.now(UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Jakarta")).replace(tzinfo=None)
    assert abs(local_now - shown) < timedelta(minutes=2)


def test_confidential_reporter_email_masked_for_staff(office, make, db, login_as):
    complaint = make.complaint(office, confidential=True, reporter_name="Budi",
                               reporter_email="budi@example.id")
    staff = make.user(office, AccessLevel.STAFF)
    officer = make.user(office, AccessLevel.RECORDS_OFFICER)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(staff)
    for url in ("/admin/complaint/", f"/admin/complaint/details/?id={complaint.id}",
                f"/admin/complaint/edit/?id={complaint.id}"):
        assert "budi@example.id" not in client.get(url).text, url
    client = login_as(officer)
    assert "budi@example.id" not in client.get("/admin/complaint/export/csv/").text
    assert "budi@example.id" in login_as(admin).get(
        f"/admin/complaint/details/?id={complaint.id}").text


def test_edit_refuses_bad_reporter_email(office, make, db, login_as):
    complaint = make.complaint(office)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).post(f"/admin/complaint/edit/?id={complaint.id}", data=_form(
        reporter_email="bukan surel"), follow_redirects=True).text
    assert "bukan alamat surel" in page
    db.session.expire_all()
    assert complaint.reporter_email is None


def _pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_reporter_copy_of_the_form_carries_the_code_just_issued(
        office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    page = client.post("/admin/complaint/new/", data=_form(),
                       follow_redirects=True).text
    [code] = CODE_RE.findall(page)
    complaint = db.session.scalar(select(Complaint))
    action = f"/admin/laporan/pengaduan/{complaint.id}/formulir"
    assert f'action="{action}"' in page
    printed = client.post(action, data={"tracking_code": code})
    assert printed.status_code == 200
    text = _pdf_text(printed.data)
    assert "Kode Lacak" in text and code in text and "/lacak" in text
    # Without the code (the usual Cetak button) the form has no code line.
    assert "Kode Lacak" not in _pdf_text(client.get(action).data)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.operation == "event").order_by(AuditEntry.id.desc())).first()
    assert entry is not None and "tracking_code_printed" in (entry.new_values or "")


def test_reporter_copy_refuses_a_code_that_is_not_the_complaints(
        office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    complaint = make.complaint(office)
    tracking.issue(complaint)
    db.session.commit()
    response = login_as(staff).post(
        f"/admin/laporan/pengaduan/{complaint.id}/formulir",
        data={"tracking_code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 400
