"""The Proses page (/admin/proses/<id>): reading, acting, disposisi, reopening."""

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sop_admin import sopfile, sops, workflow
from sop_admin.extensions import db as _db
from sop_admin.models import (
    AccessLevel,
    AuditEntry,
    Complaint,
    ComplaintStep,
    Disposition,
    Evidence,
    Role,
    utcnow,
)

from ..conftest import make_test_app

SOPS = Path(sops.__file__).parent / "demo" / "sops"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
ADMIN_MEDSOS = "Admin Media Sosial"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def depok(make, db):
    """The Depok SOP, its users by level, and a complaint started an hour ago."""
    now = utcnow()
    version = sops.import_document(sopfile.load(SOPS / "depok.yaml"),
                                   activate=True, now=now)
    office = version.office
    medsos = db.session.scalar(select(Role).filter_by(office_id=office.id,
                                                      name=ADMIN_MEDSOS))
    users = {
        "holder": make.user(office, roles=[medsos], full_name="Rina Medsos"),
        "clerk": make.user(office, full_name="Joko Staf"),
        "admin": make.user(office, AccessLevel.ADMIN),
        "records": make.user(office, AccessLevel.RECORDS_OFFICER, roles=[medsos]),
        "auditor": make.user(office, AccessLevel.AUDITOR, roles=[medsos]),
        "stranger": make.user(make.office("BKS"), AccessLevel.ADMIN),
    }
    complaint = make.complaint(office, sop_version=version,
                               received_at=now - timedelta(hours=1),
                               subject="Lampu jalan mati")
    workflow.start(complaint, actor=users["holder"], now=now)
    # Step 1 (the public's lane, "5 menit") done: now at step 2 of Admin Medsos.
    workflow.advance(complaint, actor=users["clerk"], now=now)
    db.session.commit()
    return complaint, users


def url(complaint, action: str = "") -> str:
    return f"/admin/proses/{complaint.id}" + (f"/{action}" if action else "")


def at_step(db, complaint) -> int:
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id).current_step_number


def act(client, complaint, expected: int, **data):
    return client.post(url(complaint, "act"), data={"expected_step": str(expected),
                                                    **data},
                       content_type="multipart/form-data", follow_redirects=True)


def test_process_page_shows_flow_current_step_role_and_deadlines(depok, login_as):
    complaint, users = depok
    page = login_as(users["holder"]).get(url(complaint)).text
    assert "Lampu jalan mati" in page
    assert re.search(r'<tr id="step-2" class="sop-step-current', page)
    assert 'id="step-17"' in page and "SOP layanan pengaduan selesai" in page
    # A decision without Waktu says which step's time it is held to.
    row = page[page.index('id="step-6"'):page.index('id="step-7"')]
    assert "10 menit, seperti langkah 5" in row
    current = page[page.index("process-current"):page.index("process-act")]
    assert ADMIN_MEDSOS in current and "10 menit" in current
    assert "Media sosial Pemkot Depok" in current  # Kelengkapan
    due = workflow.open_record(complaint).due_at.astimezone(WIB)
    assert f"{due:%d-%m-%Y %H:%M} WIB (10 menit)" in current
    assert "Batas waktu pengaduan" in page
    # The step done shows who did it and whether it was on time.
    assert "Joko Staf" in page
    assert 'class="card card-body mb-3 process-act"' in page


def test_process_page_flags_an_overdue_step(depok, login_as, db):
    complaint, users = depok
    record = db.session.scalar(select(ComplaintStep).filter_by(
        complaint_id=complaint.id, completed_at=None))
    record.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = login_as(users["holder"]).get(url(complaint)).text
    assert 'class="card mb-3 border-danger process-current"' in page
    assert "terlambat" in page


def test_process_page_of_another_office_is_404(depok, login_as):
    complaint, users = depok
    client = login_as(users["stranger"])
    assert client.get(url(complaint)).status_code == 404
    assert client.post(url(complaint, "act"), data={"expected_step": "2"}
                       ).status_code == 404
    assert client.post(url(complaint, "forward"), data={}).status_code == 404


def test_process_page_of_a_complaint_without_sop_sends_to_its_details(
    depok, login_as, make, db
):
    complaint, users = depok
    bare = make.complaint(complaint.office)
    db.session.commit()
    client = login_as(users["holder"])
    response = client.get(url(bare))
    assert response.status_code == 302
    assert f"/admin/complaint/details/?id={bare.id}" in response.location
    page = client.post(url(bare, "act"), data={"expected_step": ""},
                       follow_redirects=True).text
    assert "belum terhubung dengan SOP" in page


def test_process_page_needs_login(depok, client):
    complaint, _users = depok
    response = client.get(url(complaint))
    assert response.status_code == 302 and "/login" in response.location


def test_process_holder_acts_with_note_and_attachments(depok, login_as, db):
    complaint, users = depok
    page = act(login_as(users["holder"]), complaint, 2, note="Sudah diverifikasi",
               attachments=[(io.BytesIO(PNG), "bukti.png"),
                            (io.BytesIO(b"%PDF-1.4 x"), "surat.pdf")]).text
    assert "sekarang langkah 3" in page
    assert at_step(db, complaint) == 3
    record = db.session.scalar(select(ComplaintStep).filter_by(
        complaint_id=complaint.id, step_number=2))
    assert record.actor_id == users["holder"].id
    assert record.note == "Sudah diverifikasi"
    files = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    assert [(f.filename, f.complaint_step_id) for f in files] == [
        ("bukti.png", record.id), ("surat.pdf", record.id)]
    assert "bukti.png" in page


def test_process_admin_acts_without_the_role(depok, login_as, db):
    complaint, users = depok
    act(login_as(users["admin"]), complaint, 2)
    assert at_step(db, complaint) == 3


@pytest.mark.parametrize("who", ["clerk", "records", "auditor"])
def test_process_others_are_refused_and_told_who_must_act(depok, login_as, db, who):
    complaint, users = depok
    client = login_as(users[who])
    page = client.get(url(complaint)).text
    assert "process-act" not in page and "process-forward" not in page
    assert f"pemegang jabatan {ADMIN_MEDSOS}" in page
    if who != "clerk":
        assert "Anda hanya dapat melihat" in page
    response = act(client, complaint, 2)
    if who == "clerk":  # staff: the step is another jabatan's, said so
        assert f"milik jabatan {ADMIN_MEDSOS}" in response.text
    else:  # records officers and auditors never write: refused outright
        assert response.status_code == 403
    assert at_step(db, complaint) == 2


def test_process_decision_buttons_pick_the_branch(depok, login_as, db):
    complaint, users = depok
    client = login_as(users["holder"])
    act(client, complaint, 2)
    act(client, complaint, 3)
    page = client.get(url(complaint)).text
    assert 'name="answer" value="ya"' in page and 'name="answer" value="tidak"' in page
    page = act(client, complaint, 4).text  # no button pressed
    assert "pilih Ya atau Tidak" in page
    act(client, complaint, 4, answer="tidak")
    assert at_step(db, complaint) == 5


def test_process_stale_form_is_refused_not_moved_twice(depok, login_as, db):
    complaint, users = depok
    client = login_as(users["holder"])
    act(client, complaint, 2)
    page = act(client, complaint, 2).text  # the same page submitted again
    assert "sudah diproses oleh orang lain" in page
    assert at_step(db, complaint) == 3
    assert db.session.scalar(select(func.count(ComplaintStep.id)).filter_by(
        complaint_id=complaint.id)) == 3


@pytest.mark.parametrize(("files", "message"), [
    ([(io.BytesIO(b"MZ\x90\x00"), "virus.exe")], "PNG, JPEG atau PDF"),
    ([(io.BytesIO(b"%PDF-" + b"0" * (5 * 1024 * 1024)), "besar.pdf")],
     "terlalu besar"),
    ([(io.BytesIO(PNG), f"{n}.png") for n in range(6)], "Paling banyak 5"),
])
def test_process_attachment_limits_refuse_and_move_nothing(depok, login_as, db,
                                                           files, message):
    complaint, users = depok
    page = act(login_as(users["holder"]), complaint, 2, attachments=files).text
    assert message in page
    assert at_step(db, complaint) == 2
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def _close(db, complaint, users):
    for answer in (None, None, True, None, None, None, None):
        workflow.advance(complaint, actor=users["admin"], now=utcnow(),
                         answer=answer)
    assert complaint.is_closed
    db.session.commit()


def test_process_reaching_the_end_closes_and_closed_cannot_be_acted_on(
    depok, login_as, db
):
    complaint, users = depok
    client = login_as(users["admin"])
    for step, answer in ((2, None), (3, None), (4, "ya"), (13, None), (14, None),
                         (15, None)):
        act(client, complaint, step, **({"answer": answer} if answer else {}))
    page = act(client, complaint, 16).text
    assert "pengaduan ditutup" in page
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).is_closed
    assert "process-act" not in page and "process-reopen" in page
    page = act(client, complaint, 17).text
    assert "sudah ditutup" in page


def test_process_reopen_needs_a_reason(depok, login_as, db):
    complaint, users = depok
    _close(db, complaint, users)
    client = login_as(users["clerk"])
    page = client.post(url(complaint, "reopen"), data={"reason": "  "},
                       follow_redirects=True).text
    assert "Alasan membuka kembali wajib diisi" in page
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).is_closed
    page = client.post(url(complaint, "reopen"), data={"reason": "Pelapor keberatan"},
                       follow_redirects=True).text
    assert "dibuka kembali" in page
    db.session.expire_all()
    assert not db.session.get(Complaint, complaint.id).is_closed
    entry = db.session.scalar(select(AuditEntry).filter_by(
        table_name="complaints", operation="update").order_by(AuditEntry.id.desc()))
    assert entry.reason == "Pelapor keberatan"


def test_process_reopen_refused_to_readers(depok, login_as, db):
    complaint, users = depok
    _close(db, complaint, users)
    client = login_as(users["auditor"])
    assert "process-reopen" not in client.get(url(complaint)).text
    client.post(url(complaint, "reopen"), data={"reason": "Coba"})
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).is_closed


def test_process_start_button_for_a_new_complaint(depok, login_as, make, db):
    complaint, users = depok
    fresh = make.complaint(complaint.office, sop_version=complaint.sop_version,
                           received_at=datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
    db.session.commit()
    client = login_as(users["clerk"])
    assert "Mulai penanganan" in client.get(url(fresh)).text
    page = client.post(url(fresh, "start"), follow_redirects=True).text
    assert "Penanganan pengaduan dimulai" in page
    assert at_step(db, fresh) == 1


def test_process_forward_to_a_unit_shows_whatsapp_mail_and_phone_links(
    depok, login_as, db
):
    complaint, users = depok
    client = login_as(users["holder"])
    page = client.post(url(complaint, "forward"), data={
        "target": "unit", "unit": "Dinas PUPR", "name": "Budi",
        "phone": "0812-1111-2222", "email": "pupr@depok.go.id",
        "message": "Mohon dicek",
    }, follow_redirects=True).text
    assert "Disposisi dicatat" in page
    assert "https://wa.me/6281211112222?text=Disposisi%20pengaduan%20" in page
    assert complaint.register_no.replace("/", "%2F") in page
    assert "mailto:pupr@depok.go.id?subject=" in page
    assert 'href="tel:+6281211112222"' in page
    disposition = db.session.scalar(select(Disposition))
    assert disposition.due_at is not None  # from step 2's "10 menit"


def test_process_forward_with_an_unreadable_number_shows_a_note(depok, login_as, db):
    complaint, users = depok
    client = login_as(users["holder"])
    page = client.post(url(complaint, "forward"), data={
        "target": "unit", "unit": "Kedutaan", "phone": "+1 415 555 0100",
        "due_at": "2030-01-01T10:00",
    }, follow_redirects=True).text
    assert "wa.me" not in page and "tidak dikenali sebagai nomor Indonesia" in page
    disposition = db.session.scalar(select(Disposition))
    assert disposition.due_at == datetime(2030, 1, 1, 3, 0, tzinfo=UTC)


def test_process_forward_to_a_role_and_bad_input(depok, login_as, db):
    complaint, users = depok
    client = login_as(users["holder"])
    operator = db.session.scalar(select(Role).filter_by(
        office_id=complaint.office_id, name="Operator Perangkat Daerah"))
    page = client.post(url(complaint, "forward"), data={
        "target": "unit", "unit": "PUPR"}, follow_redirects=True).text
    assert "telepon atau surel" in page
    page = client.post(url(complaint, "forward"), data={
        "target": "role", "role": str(operator.id)}, follow_redirects=True).text
    assert "Disposisi dicatat" in page
    assert "Belum ada pegawai aktif yang memegang jabatan ini" in page
    assert db.session.scalar(select(Disposition)).to_role_id == operator.id


def test_process_forward_refused_to_readers(depok, login_as, db):
    complaint, users = depok
    login_as(users["records"]).post(url(complaint, "forward"), data={
        "target": "unit", "unit": "PUPR", "phone": "0812 1111 2222"})
    assert db.session.scalar(select(func.count(Disposition.id))) == 0


def test_complaint_list_and_details_link_to_the_process_page(depok, login_as):
    complaint, users = depok
    client = login_as(users["auditor"])
    assert url(complaint) in client.get("/admin/complaint/").text
    details = client.get(f"/admin/complaint/details/?id={complaint.id}").text
    assert url(complaint) in details


@pytest.fixture
def csrf_client(depok, database_uri):
    """A client of an app with CSRF on, and the depok case as plain values
    (read before the second app's context is pushed)."""
    complaint, users = depok
    values = complaint.id, users["holder"].username
    csrf_app = make_test_app(database_uri, WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        yield (csrf_app.test_client(), *values)
        _db.session.remove()
        _db.engine.dispose()


def test_process_posts_need_the_csrf_token(csrf_client):
    client, complaint_id, username = csrf_client
    token_re = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    login = client.get("/login").text
    client.post("/login", data={"username": username, "password": "password-123",
                                "csrf_token": token_re.search(login).group(1)})
    page_url = f"/admin/proses/{complaint_id}"
    page = client.get(page_url).text

    def step() -> int:
        _db.session.expire_all()
        return _db.session.get(Complaint, complaint_id).current_step_number

    for action in ("act", "forward"):
        response = client.post(f"{page_url}/{action}", data={
            "expected_step": "2", "target": "unit", "unit": "X", "phone": "0812"})
        assert response.status_code == 400
    assert step() == 2
    token = token_re.search(page).group(1)
    response = client.post(f"{page_url}/act", data={
        "expected_step": "2", "csrf_token": token})
    assert response.status_code == 302
    assert step() == 3
