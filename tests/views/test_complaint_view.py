"""The complaint register view: create, search, filters, export, masking, cost."""

import io
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sop_admin.models import AccessLevel, Channel, Complaint, ComplaintStatus


@pytest.fixture
def office(make):
    return make.office("PGD")


def _rows(page: str) -> list[str]:
    return re.findall(r"PGD/\d{4}/\d{6}", page)


def test_complaint_create_assigns_register_no_and_local_time(office, make, db,
                                                            login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    response = login_as(staff).post("/admin/complaint/new/", data={
        "received_at": "2026-11-02T10:15", "channel": "whatsapp",
        "classification": "complaint", "subject": "Lampu jalan mati",
        "description": "Sejak seminggu.", "sop_version": "__None",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    complaint = db.session.scalar(select(Complaint))
    assert complaint.register_no == "PGD/2026/000001"
    assert complaint.office_id == office.id
    assert complaint.created_by_id == staff.id
    assert complaint.channel == Channel.WHATSAPP
    assert complaint.status == ComplaintStatus.NEW
    # 10:15 WIB is 03:15 UTC.
    assert complaint.received_at == datetime(2026, 11, 2, 3, 15, tzinfo=UTC)


def test_complaint_create_in_future_refused(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    response = login_as(staff).post("/admin/complaint/new/", data={
        "received_at": "2099-01-01T10:00", "channel": "sms",
        "classification": "complaint", "subject": "x", "description": "y",
        "sop_version": "__None",
    }, follow_redirects=True)
    assert "masa depan" in response.get_data(as_text=True)
    assert db.session.scalar(select(Complaint)) is None


def test_complaint_form_leaves_out_workflow_fields(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).get("/admin/complaint/new/").get_data(as_text=True)
    for name in ("status", "current_step_number", "due_at", "step_due_at",
                 "register_no", "office"):
        assert f'name="{name}"' not in page
    assert 'name="subject"' in page


def test_complaint_post_of_workflow_field_ignored(office, make, db, login_as):
    complaint = make.complaint(office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    login_as(admin).post(f"/admin/complaint/edit/?id={complaint.id}", data={
        "received_at": "2026-11-02T10:00", "channel": "facebook",
        "classification": "complaint", "subject": "Baru", "description": "d",
        "sop_version": "__None", "status": "closed", "office": "999",
    })
    db.session.expire_all()
    assert complaint.subject == "Baru"
    assert complaint.status == ComplaintStatus.NEW
    assert complaint.office_id == office.id


def test_complaint_search_register_no_is_exact(office, make, db, login_as,
                                               count_queries):
    wanted = make.complaint(office, register_no="PGD/2026/000042")
    make.complaint(office, register_no="PGD/2026/000420",
                   subject="Menanyakan PGD/2026/000042")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    with count_queries() as statements:
        page = client.get("/admin/complaint/?search=pgd/2026/000042").get_data(
            as_text=True)
    assert _rows(page) == [wanted.register_no]
    listing = [s for s in statements if "FROM complaints" in s]
    assert listing and not any("LIKE" in s.upper() for s in listing)


def test_complaint_search_free_text_matches_subject_and_reporter(office, make, db,
                                                                 login_as):
    road = make.complaint(office, subject="Got mampet")
    named = make.complaint(office, subject="Lain", reporter_name="Siti Aminah")
    make.complaint(office, subject="Sampah")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    assert _rows(client.get("/admin/complaint/?search=mampet").text) == [
        road.register_no]
    assert _rows(client.get("/admin/complaint/?search=aminah").text) == [
        named.register_no]


def test_complaint_filters_channel_and_local_date_range(office, make, db,
                                                        login_as):
    # 20:00 UTC on 1 Nov is 03:00 WIB on 2 Nov.
    late = make.complaint(office, channel=Channel.SMS,
                          received_at=datetime(2026, 11, 1, 20, 0, tzinfo=UTC))
    early = make.complaint(office, channel=Channel.EMAIL,
                           received_at=datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    assert _rows(client.get("/admin/complaint/?flt0_0=sms").text) == [
        late.register_no]
    nov2 = client.get("/admin/complaint/?flt0_3=2026-11-02+to+2026-11-02").text
    assert _rows(nov2) == [late.register_no]
    nov1 = client.get("/admin/complaint/?flt0_3=2026-11-01+to+2026-11-01").text
    assert _rows(nov1) == [early.register_no]


def test_complaint_status_filter(office, make, db, login_as):
    closed = make.complaint(office, status=ComplaintStatus.CLOSED)
    make.complaint(office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).get("/admin/complaint/?flt0_1=closed").text
    assert _rows(page) == [closed.register_no]


def test_complaint_office_filter_only_offered_to_superadmin(office, make, db,
                                                           login_as):
    admin = make.user(office, AccessLevel.ADMIN)
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    def filter_groups(user):
        page = login_as(user).get("/admin/complaint/").text
        data = re.search(r'id="filter-groups-data"[^>]*>(.*?)</div>', page).group(1)
        return json.loads(data)

    assert "Instansi" not in filter_groups(admin)
    assert "Kanal" in filter_groups(admin)
    offices = filter_groups(root)["Instansi"][0]["options"]
    assert [str(office.id), f"PGD – {office.name}"] in offices


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1"])
def test_complaint_export_neutralises_formulas(value, office, make, db, login_as):
    make.complaint(office, subject=value)
    officer = make.user(office, AccessLevel.RECORDS_OFFICER)
    db.session.commit()
    csv_text = login_as(officer).get("/admin/complaint/export/csv/").text
    assert f"'{value}" in csv_text
    assert f",{value}," not in csv_text


def test_complaint_export_xlsx(office, make, db, login_as):
    make.complaint(office, subject="=HYPERLINK(\"http://x\")")
    auditor = make.user(office, AccessLevel.AUDITOR)
    db.session.commit()
    response = login_as(auditor).get("/admin/complaint/export/xlsx/")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"


def _confidential(make, office):
    return make.complaint(office, confidential=True, reporter_name="Budi Santoso",
                          reporter_contact="0812-000", subject="Pungli loket")


@pytest.mark.parametrize("level", [AccessLevel.STAFF, AccessLevel.RECORDS_OFFICER,
                                   AccessLevel.AUDITOR])
def test_confidential_reporter_masked_for_non_admins(level, office, make, db,
                                                     login_as):
    complaint = _confidential(make, office)
    user = make.user(office, level)
    db.session.commit()
    client = login_as(user)
    pages = [client.get("/admin/complaint/").text,
             client.get(f"/admin/complaint/details/?id={complaint.id}").text]
    if level != AccessLevel.STAFF:
        pages.append(client.get("/admin/complaint/export/csv/").text)
    for page in pages:
        assert "Budi" not in page and "0812-000" not in page
        assert "rahasia" in page
    if level == AccessLevel.STAFF:
        edit = client.get(f"/admin/complaint/edit/?id={complaint.id}").text
        assert "Budi" not in edit and "0812-000" not in edit
    assert "Pungli" in pages[0]
    assert _rows(client.get("/admin/complaint/?search=budi").text) == []


def test_confidential_reporter_shown_to_office_admin(office, make, db, login_as):
    complaint = _confidential(make, office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    assert "Budi Santoso" in client.get(
        f"/admin/complaint/details/?id={complaint.id}").text
    assert "Budi Santoso" in client.get("/admin/complaint/export/csv/").text


def test_confidential_edit_by_staff_keeps_identity(office, make, db, login_as):
    complaint = _confidential(make, office)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    response = login_as(staff).post(f"/admin/complaint/edit/?id={complaint.id}",
                                    data={
        "received_at": "2026-11-02T10:00", "channel": "facebook",
        "classification": "complaint", "subject": "Pungli loket 2",
        "description": "d", "sop_version": "__None", "reporter_name": "",
        "confidential": "",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert complaint.subject == "Pungli loket 2"
    assert complaint.reporter_name == "Budi Santoso"
    assert complaint.confidential


def test_complaint_deep_page_capped(office, make, db, login_as):
    make.complaint(office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    response = login_as(admin).get("/admin/complaint/?page=5000")
    assert response.status_code == 200
    assert "terlalu jauh" in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_complaint_list_queries_do_not_grow_with_rows(rows, office, make, db,
                                                      login_as, count_queries):
    other = make.office()
    for i in range(rows):
        make.complaint(office if i % 2 else other)
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(root)
    client.get("/admin/complaint/")  # warm-up: first-request work is not per page
    with count_queries() as statements:
        page = client.get("/admin/complaint/").text
    assert page.count('name="rowid"') == min(rows, 20)
    assert len(statements) <= 4, statements
    assert not any("count(" in s.lower() for s in statements)


def _new_complaint_form(upload):
    return {"received_at": "2026-11-02T10:15", "channel": "email",
            "classification": "complaint", "subject": "Bukti terlampir",
            "description": "Lihat lampiran.", "sop_version": "__None",
            "evidence_upload": upload}


def test_complaint_evidence_uploaded_and_downloaded_in_scope(office, make, db,
                                                            login_as):
    staff = make.user(office, AccessLevel.STAFF)
    outsider = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(staff)
    pdf = b"%PDF-1.4\n" + b"x" * 100
    response = client.post("/admin/complaint/new/", data=_new_complaint_form(
        (io.BytesIO(pdf), "surat pelapor.pdf")), content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    complaint = db.session.scalar(select(Complaint))
    [evidence] = complaint.evidence
    assert (evidence.filename, evidence.mimetype, evidence.size) == (
        "surat_pelapor.pdf", "application/pdf", len(pdf))
    assert "surat_pelapor.pdf" in client.get(
        f"/admin/complaint/details/?id={complaint.id}").text
    download = client.get(f"/admin/complaint/evidence/?id={evidence.id}")
    assert download.status_code == 200 and download.data == pdf
    assert "attachment" in download.headers["Content-Disposition"]
    other = login_as(outsider).get(f"/admin/complaint/evidence/?id={evidence.id}")
    assert other.status_code == 404


def test_complaint_evidence_of_wrong_type_refused(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).post("/admin/complaint/new/", data=_new_complaint_form(
        (io.BytesIO(b"MZ\x90\x00"), "bukti.pdf")),
        content_type="multipart/form-data").text
    assert "PNG, JPEG atau PDF" in page
    assert db.session.scalar(select(Complaint)) is None


def test_complaint_superadmin_chooses_office(office, make, db, login_as):
    other = make.office("BKS", timezone="Asia/Makassar")
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(root)
    assert 'name="office"' in client.get("/admin/complaint/new/").text
    data = _new_complaint_form(None)
    del data["evidence_upload"]
    response = client.post("/admin/complaint/new/", data={**data,
                                                          "office": str(other.id)})
    assert response.status_code == 302, response.text
    complaint = db.session.scalar(select(Complaint))
    assert complaint.office_id == other.id
    assert complaint.register_no == "BKS/2026/000001"


def test_complaint_list_in_english(office, make, db, login_as):
    make.complaint(office)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    client.get("/lang/en")
    assert client.get("/admin/complaint/").status_code == 200
    assert client.get("/admin/user/new/").status_code == 200


def test_complaint_export_is_an_audit_event_with_its_filter(office, make, db, login_as):
    from sop_admin.models import AuditEntry

    make.complaint(office)
    officer = make.user(office, AccessLevel.RECORDS_OFFICER, full_name="Petugas Arsip")
    db.session.commit()
    response = login_as(officer).get("/admin/complaint/export/csv/?search=jalan")
    assert response.status_code == 200
    event = db.session.scalars(select(AuditEntry).where(
        AuditEntry.operation == "event", AuditEntry.table_name == "complaints")).one()
    assert event.actor_name == "Petugas Arsip"
    assert '"format":"csv"' in event.new_values and "jalan" in event.new_values


def test_forbidden_export_writes_no_event(office, make, db, login_as):
    from sop_admin.models import AuditEntry

    staff_elsewhere = make.user(make.office(), AccessLevel.STAFF)
    db.session.commit()
    login_as(staff_elsewhere).get("/admin/audit/export/csv/")
    assert not db.session.scalars(select(AuditEntry).where(
        AuditEntry.operation == "event")).all()
