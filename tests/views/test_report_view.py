"""The "Laporan" page and the complaint "Cetak" buttons: access, office
scoping, CSRF, masking and the audit event of each print."""

import json
import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sop_admin.extensions import db as _db
from sop_admin.models import AccessLevel, AuditEntry, SopStatus

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def _events(db) -> list[dict]:
    db.session.rollback()
    rows = db.session.scalars(select(AuditEntry.new_values).where(
        AuditEntry.operation == "event").order_by(AuditEntry.id))
    return [json.loads(v) for v in rows]


@pytest.fixture
def offices(make, db):
    dpk = make.office("DPK")
    ygy = make.office("YGY")
    versions = {
        office.code: make.sop(office, number=f"001/{office.code}",
                              status=SopStatus.ACTIVE)
        for office in (dpk, ygy)
    }
    complaint = make.complaint(
        dpk, sop_version=versions["DPK"], reporter_name="Siti Rahasia",
        confidential=True, received_at=datetime(2026, 10, 5, 3, tzinfo=UTC))
    make.complaint(ygy, sop_version=versions["YGY"],
                   received_at=datetime(2026, 10, 5, 3, tzinfo=UTC))
    db.session.commit()
    return dpk, ygy, versions, complaint


def _monthly(office, version=None, month="2026-10"):
    return {"kind": "monthly", "month": month, "office": str(office.id),
            "sop": str(version.id) if version else ""}


@pytest.mark.parametrize("level", list(AccessLevel))
def test_every_level_prints_its_own_office(offices, make, db, login_as, level):
    dpk, _, versions, _ = offices
    user = make.user(dpk, level)
    db.session.commit()
    client = login_as(user)
    page = client.get("/admin/laporan/")
    assert page.status_code == 200
    assert "001/DPK" in page.text and "001/YGY" not in page.text
    response = client.post("/admin/laporan/cetak", data=_monthly(dpk, versions["DPK"]))
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/pdf"
    assert "laporan-bulanan-DPK-2026-10.pdf" in response.headers["Content-Disposition"]
    text = _text(response.data)
    assert "LAPORAN BULANAN PENGADUAN" in text and "Oktober 2026" in text
    event = _events(db)[-1]
    assert event["document"] == "laporan_bulanan" and event["office"] == "DPK"


def test_other_office_is_404_and_writes_nothing(offices, make, db, login_as):
    dpk, ygy, versions, _ = offices
    client = login_as(make.user(dpk, AccessLevel.ADMIN))
    _db.session.commit()
    assert client.post("/admin/laporan/cetak",
                       data=_monthly(ygy, versions["YGY"])).status_code == 404
    # Own office with another office's SOP: refused with a message, no PDF.
    response = client.post("/admin/laporan/cetak",
                           data=_monthly(dpk, versions["YGY"]))
    assert response.status_code == 400
    assert "SOP tidak ditemukan" in response.text
    assert _events(db) == []


def test_superadmin_chooses_any_office(offices, make, db, login_as):
    dpk, ygy, versions, _ = offices
    client = login_as(make.user(dpk, AccessLevel.ADMIN, is_superadmin=True))
    _db.session.commit()
    page = client.get("/admin/laporan/").text
    assert "001/DPK" in page and "001/YGY" in page
    response = client.post("/admin/laporan/cetak", data=_monthly(ygy))
    assert response.status_code == 200
    assert _events(db)[-1]["office"] == "YGY"


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "monthly", "month": "2026-13"}, "Bulan"),
    ({"kind": "daily", "date": "kemarin"}, "Tanggal"),
    ({"kind": "yearly"}, "Jenis laporan"),
])
def test_bad_period_is_a_clear_message(offices, make, db, login_as, data, message):
    dpk = offices[0]
    client = login_as(make.user(dpk, AccessLevel.STAFF))
    _db.session.commit()
    response = client.post("/admin/laporan/cetak",
                           data={**data, "office": str(dpk.id)})
    assert response.status_code == 400 and message in response.text
    assert _events(db) == []


def test_daily_report(offices, make, db, login_as):
    dpk = offices[0]
    client = login_as(make.user(dpk, AccessLevel.RECORDS_OFFICER))
    _db.session.commit()
    response = client.post("/admin/laporan/cetak", data={
        "kind": "daily", "date": "2026-10-05", "office": str(dpk.id)})
    assert response.status_code == 200
    text = _text(response.data)
    assert "LAPORAN HARIAN PENGADUAN" in text and "5 Oktober 2026" in text
    assert re.search(r"Pengaduan diterima 1\b", text)


def test_anonymous_visitor_goes_to_login(client):
    assert client.get("/admin/laporan/").status_code == 302
    assert client.get("/admin/laporan/pengaduan/formulir-kosong").status_code == 302


@pytest.fixture
def admin(offices, make, db):
    user = make.user(offices[0], AccessLevel.ADMIN)
    db.session.commit()
    # Plain values: the CSRF app's context must not refresh these objects.
    return user.username, {"kind": "monthly", "month": "2026-10",
                           "office": str(offices[0].id)}


def test_post_without_csrf_token_is_refused(admin, csrf_client):
    username, form = admin
    login = csrf_client.get("/login").text
    csrf_client.post("/login", data={"username": username,
                                     "password": "password-123",
                                     "csrf_token": TOKEN_RE.search(login).group(1)})
    page = csrf_client.get("/admin/laporan/").text
    assert TOKEN_RE.search(page), "the report form carries the token"
    refused = csrf_client.post("/admin/laporan/cetak", data=form)
    assert refused.status_code == 400
    accepted = csrf_client.post("/admin/laporan/cetak", data={
        **form, "csrf_token": TOKEN_RE.search(page).group(1)})
    assert accepted.status_code == 200
    assert accepted.mimetype == "application/pdf"


# -- complaint "Cetak" buttons ---------------------------------------------------


def test_complaint_page_has_print_buttons(offices, make, db, login_as):
    complaint = offices[3]
    client = login_as(make.user(offices[0], AccessLevel.RECORDS_OFFICER))
    _db.session.commit()
    page = client.get(f"/admin/complaint/details/?id={complaint.id}").text
    for path in (f"/admin/laporan/pengaduan/{complaint.id}/formulir",
                 f"/admin/laporan/pengaduan/{complaint.id}/riwayat",
                 "/admin/laporan/pengaduan/formulir-kosong"):
        assert path in page


@pytest.mark.parametrize(("level", "revealed"), [
    (AccessLevel.ADMIN, True), (AccessLevel.STAFF, False),
    (AccessLevel.RECORDS_OFFICER, False), (AccessLevel.AUDITOR, False),
])
def test_confidential_reporter_masked_unless_admin(offices, make, db, login_as,
                                                   level, revealed):
    complaint = offices[3]
    client = login_as(make.user(offices[0], level))
    _db.session.commit()
    for kind, document in (("formulir", "formulir_pengaduan"),
                           ("riwayat", "riwayat_pengaduan")):
        response = client.get(f"/admin/laporan/pengaduan/{complaint.id}/{kind}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert ("Siti Rahasia" in _text(response.data)) is revealed, kind
        event = _events(db)[-1]
        assert event["document"] == document
        assert event["identity_revealed"] is revealed


def test_complaint_of_another_office_is_404(offices, make, db, login_as):
    complaint = offices[3]
    client = login_as(make.user(offices[1], AccessLevel.ADMIN))
    _db.session.commit()
    for kind in ("formulir", "riwayat"):
        assert client.get(
            f"/admin/laporan/pengaduan/{complaint.id}/{kind}").status_code == 404
    assert _events(db) == []


def test_blank_form(offices, make, db, login_as):
    client = login_as(make.user(offices[0], AccessLevel.STAFF))
    _db.session.commit()
    response = client.get("/admin/laporan/pengaduan/formulir-kosong")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert _events(db)[-1]["document"] == "formulir_pengaduan_kosong"
