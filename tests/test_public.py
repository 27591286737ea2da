"""/lacak and GET /api/v1/track: what a reporter sees with number and code."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sop_admin import replies, sops, tracking, workflow
from sop_admin.models import (
    AccessLevel,
    Channel,
    Disposition,
    Evidence,
    SopLane,
    SopVersion,
)
from sop_admin.public import status as public_status
from sop_admin.public.labels import derived_label, stage_label

from .views.test_sop_view import _form

RECEIVED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
SECRETS = (
    "Budi Santoso Rahasia", "0812-9999-1234", "Jl. Melati Rahasia 7",
    "3276012345670001", "budi.rahasia@example.id", "catatan internal sangat rahasia",
    "Rina Petugas Dinas", "bukti-ktp-budi.png", "pesan disposisi internal",
    "tanggapan sementara tidak final",
)


@pytest.fixture
def office(make):
    return make.office("DPK", phone="(021) 777-1234", email="pengaduan@depok.go.id",
                       address="Jl. Margonda Raya 54, Depok")


@pytest.fixture
def officer(make, office):
    user = make.user(office, AccessLevel.ADMIN, full_name="Rina Petugas Dinas")
    return user


@pytest.fixture
def case(make, db, office, officer):
    """A confidential complaint with every kind of private detail, started."""
    version = make.sop(office, status="active")
    complaint = make.complaint(
        office, sop_version=version, received_at=RECEIVED, confidential=True,
        reporter_name=SECRETS[0], reporter_contact=SECRETS[1],
        reporter_address=SECRETS[2], reporter_identity_no=SECRETS[3],
        reporter_email=SECRETS[4], reporter_email_consent=True)
    complaint.evidence.append(Evidence(filename=SECRETS[7], mimetype="image/png",
                                       size=3, data=b"png"))
    code = tracking.issue(complaint)
    workflow.start(complaint, actor=officer, now=RECEIVED + timedelta(minutes=2))
    workflow.advance(complaint, actor=officer, now=RECEIVED + timedelta(minutes=4),
                     note=SECRETS[5])
    db.session.add(Disposition(complaint=complaint, created_by=officer,
                               to_unit="Dinas PUPR", message=SECRETS[8]))
    replies.record(complaint, text=SECRETS[9], channel=Channel.WHATSAPP,
                   actor=officer, now=RECEIVED + timedelta(minutes=5))
    db.session.commit()
    return complaint, code


def _close(db, complaint, officer, answer="Jalan sudah diperbaiki pada 5 November."):
    replies.record(complaint, text=answer, channel=Channel.WHATSAPP, actor=officer,
                   now=RECEIVED + timedelta(hours=1), final=True)
    workflow.advance(complaint, actor=officer, answer=True,
                     now=RECEIVED + timedelta(hours=2))
    workflow.advance(complaint, actor=officer, now=RECEIVED + timedelta(hours=3))
    db.session.commit()
    assert complaint.is_closed


def test_track_json_gives_status_stages_and_office_contact(client, case):
    complaint, code = case
    response = client.get("/api/v1/track",
                          query_string={"register_no": complaint.register_no,
                                        "code": code})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"register_no", "received_at", "classification", "status",
                         "stage", "stages", "final_answer", "office"}
    assert body["register_no"] == complaint.register_no
    assert body["received_at"] == "2026-11-02T10:00:00+07:00"
    assert body["classification"] == "Pengaduan"
    assert body["status"] == "diproses"
    assert body["stage"] == "Sedang ditelaah"
    assert body["stages"] == [
        {"label": "Diterima", "reached_at": "2026-11-02T10:00:00+07:00"},
        {"label": "Sedang ditelaah", "reached_at": "2026-11-02T10:04:00+07:00"},
    ]
    assert body["final_answer"] is None
    assert body["office"] == {"name": complaint.office.name,
                              "phone": "(021) 777-1234",
                              "email": "pengaduan@depok.go.id",
                              "address": "Jl. Margonda Raya 54, Depok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_lacak_page_shows_the_same_without_script(client, case):
    complaint, code = case
    response = client.get("/lacak", query_string={"register_no": complaint.register_no,
                                                  "code": code.lower()})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sedang ditelaah" in html and "2 November 2026 10.04 WIB" in html
    assert "(021) 777-1234" in html and "Jl. Margonda Raya 54" in html
    assert "<script" not in html and "bootstrap" not in html
    assert "css/public.css" in html


def test_nothing_confidential_leaks_to_the_public(client, db, case, officer):
    complaint, code = case
    _close(db, complaint, officer)
    query = {"register_no": complaint.register_no, "code": code}
    html = client.get("/lacak", query_string=query).get_data(as_text=True)
    json_text = client.get("/api/v1/track", query_string=query).get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in html, secret
        assert secret not in json_text, secret
    assert "Jalan sudah diperbaiki" in html and "Jalan sudah diperbaiki" in json_text


def test_closed_complaint_shows_final_answer_and_selesai(client, db, case, officer):
    complaint, code = case
    _close(db, complaint, officer)
    body = client.get("/api/v1/track", query_string={
        "register_no": complaint.register_no, "code": code}).get_json()
    assert body["status"] == "selesai" and body["stage"] == "Selesai"
    assert body["final_answer"] == "Jalan sudah diperbaiki pada 5 November."
    assert [s["label"] for s in body["stages"]] == [
        "Diterima", "Sedang ditelaah", "Selesai"]
    assert body["stages"][-1]["reached_at"] == "2026-11-02T13:00:00+07:00"


def test_wrong_number_and_wrong_code_answer_identically(client, case):
    complaint, code = case
    other = "DPK/2026/999999"
    answers = []
    for path in ("/lacak", "/api/v1/track"):
        wrong_code = client.get(path, query_string={
            "register_no": complaint.register_no, "code": "AAAA-BBBB-CCCC"})
        wrong_number = client.get(path, query_string={"register_no": other,
                                                      "code": code})
        assert wrong_code.status_code == wrong_number.status_code == 404
        assert wrong_code.get_data() == wrong_number.get_data()
        answers.append(wrong_code)
    assert "tidak ditemukan" in answers[0].get_data(as_text=True)
    assert answers[1].get_json() == {
        "error": "tidak ditemukan",
        "message": "Nomor register atau kode lacak tidak ditemukan."}


def test_lookup_hashes_the_code_even_for_an_unknown_number(monkeypatch, app, case):
    """Same work on both failure paths: one SHA-256 each (comparable timing)."""
    complaint, code = case
    calls = []
    real = tracking.code_hash
    monkeypatch.setattr(tracking, "code_hash",
                        lambda number, typed: calls.append(number) or real(number,
                                                                           typed))
    assert public_status.find("DPK/2026/999999", code) is None
    assert public_status.find(complaint.register_no, "AAAA-BBBB-CCCC") is None
    assert public_status.find(complaint.register_no, code) == complaint
    assert calls == ["DPK/2026/999999", complaint.register_no, complaint.register_no]


def test_reissued_code_replaces_the_old_one(client, db, case):
    complaint, old = case
    new = tracking.issue(complaint)
    db.session.commit()
    for typed, expected in ((old, 404), (new, 200)):
        response = client.get("/api/v1/track", query_string={
            "register_no": complaint.register_no, "code": typed})
        assert response.status_code == expected


def test_missing_fields_are_asked_for_not_looked_up(client, case):
    complaint, _code = case
    page = client.get("/lacak", query_string={"register_no": complaint.register_no,
                                              "code": ""})
    assert page.status_code == 400
    assert "Isi nomor register dan kode lacak" in page.get_data(as_text=True)
    api = client.get("/api/v1/track", query_string={"register_no": "X"})
    assert api.status_code == 400


def test_mail_link_prefills_the_register_number(client, case):
    complaint, _code = case
    page = client.get("/lacak", query_string={"register_no": complaint.register_no})
    assert page.status_code == 200
    assert f'value="{complaint.register_no}"' in page.get_data(as_text=True)


def test_lookups_are_rate_limited_per_address_across_page_and_api(app, client, case):
    complaint, code = case
    app.config["LACAK_RATE_LIMIT"] = "3/minute"
    query = {"register_no": complaint.register_no, "code": code}
    for _ in range(5):  # the empty form does not count
        assert client.get("/lacak").status_code == 200
    assert client.get("/lacak", query_string=query).status_code == 200
    assert client.get("/api/v1/track", query_string=query).status_code == 200
    assert client.get("/lacak", query_string=query).status_code == 200
    page = client.get("/lacak", query_string=query)
    assert page.status_code == 429
    assert "Terlalu banyak percobaan" in page.get_data(as_text=True)
    api = client.get("/api/v1/track", query_string=query)
    assert api.status_code == 429
    assert api.get_json()["error"] == "terlalu banyak permintaan"
    other = client.get("/api/v1/track", query_string=query,
                       environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_stage_labels_are_derived_or_taken_from_the_sop(make, db, office):
    version = make.sop(office)
    public_lane, admin_lane = version.lanes
    unit_lane = SopLane(role=make.role(office, "Operator Perangkat Daerah"))
    start, decision, process, end = version.steps
    assert derived_label(start) == "Diterima"
    assert derived_label(decision) == "Sedang ditelaah"
    assert derived_label(end) == "Selesai"
    assert derived_label(process) == "Sedang ditelaah"
    process.lane = unit_lane
    assert derived_label(process) == "Diteruskan ke perangkat daerah"
    process.lane, process.activity = admin_lane, "Meneruskan ke Dinas PUPR"
    assert derived_label(process) == "Diteruskan ke perangkat daerah"
    process.lane, process.activity = public_lane, "Pelapor menerima jawaban"
    assert derived_label(process) == "Tanggapan disampaikan kepada pelapor"
    process.public_label = "Jawaban sedang disiapkan"
    assert stage_label(process) == "Jawaban sedang disiapkan"


def test_public_label_is_edited_in_the_sop_form_and_kept_on_revision(
        login_as, make, db, office):
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    response = client.post("/admin/sopversion/new/", data=_form(**{
        "steps-3-public_label": "  Diteruskan ke Dinas terkait  "}))
    assert response.status_code == 302, response.get_data(as_text=True)
    version = db.session.scalars(select(SopVersion)).one()
    assert version.step(4).public_label == "Diteruskan ke Dinas terkait"
    assert version.step(3).public_label is None
    page = client.get(f"/admin/sopversion/edit/?id={version.id}")
    assert 'value="Diteruskan ke Dinas terkait"' in page.get_data(as_text=True)
    sops.activate(version, now=RECEIVED)
    draft = sops.revise(version, actor=admin, reason="Perubahan jabatan",
                        now=RECEIVED)
    assert draft.step(4).public_label == "Diteruskan ke Dinas terkait"
