"""A records officer's journey (arsip): print the SOP, a complaint's form and
a monthly report; every download is a real PDF with the expected text."""

import io
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from sop_admin import workflow
from sop_admin.models import AccessLevel

from .journey import login, shot

pytestmark = pytest.mark.browser


def _pdf_text(data: bytes) -> str:
    """The text of a PDF, after checking it is one and has pages."""
    assert data.startswith(b"%PDF"), data[:40]
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def _downloaded(page, click) -> tuple[str, bytes]:
    """What clicking `click` makes the browser download: (file name, bytes)."""
    with page.expect_download() as info:
        page.click(click)
    download = info.value
    with open(download.path(), "rb") as file:
        return download.suggested_filename, file.read()


def test_records_officer_prints_sop_form_and_monthly_report(live_server, page,
                                                            make, db):
    office = make.office(code="DPK", name="Dinas Komunikasi dan Informatika")
    version = make.sop(office, number="045/SOP/2026", status="active",
                       name="SOP Penanganan Pengaduan Media Sosial")
    officer = make.user(office, AccessLevel.RECORDS_OFFICER, full_name="Dewi Arsip")
    received = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    complaint = make.complaint(office, sop_version=version, received_at=received,
                               subject="Trotoar rusak di Jalan Nusantara",
                               reporter_name="Ahmad Fauzi")
    workflow.start(complaint, actor=make.user(office), now=received)
    db.session.commit()

    login(page, live_server, officer.username)

    # The SOP page's Cetak: the SOP document.
    page.goto(f"{live_server}/admin/sopversion/details/?id={version.id}")
    expect(page.locator("body")).to_contain_text(version.name)
    expect(page.locator("button:has-text('Aktifkan')")).to_have_count(0)  # read only
    shot(page, "records", "sop")
    href = page.locator("a.btn:has-text('Cetak')").get_attribute("href")
    response = page.request.get(f"{live_server}{href}")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.body())
    assert "SOP Penanganan Pengaduan Media Sosial" in text
    assert "045/SOP/2026" in text

    # The complaint page's Cetak formulir pengaduan.
    page.goto(f"{live_server}/admin/complaint/details/?id={complaint.id}")
    expect(page.locator(".complaint-prints")).to_be_visible()
    shot(page, "records", "complaint")
    name, data = _downloaded(page, "a:has-text('Cetak formulir pengaduan')")
    assert name.endswith(".pdf")
    text = _pdf_text(data)
    assert complaint.register_no in text
    assert "Trotoar rusak di Jalan Nusantara" in text

    # Laporan: the monthly report of November 2026.
    page.click("nav >> text=Laporan")
    page.wait_for_url(f"{live_server}/admin/laporan/")
    page.check("#kind-monthly")
    page.fill("#month", "2026-11")
    shot(page, "records", "laporan")
    name, data = _downloaded(page, "button:has-text('Unduh PDF')")
    assert re.fullmatch(r"laporan-bulanan-DPK-2026-11\.pdf", name), name
    text = _pdf_text(data)
    assert "LAPORAN BULANAN PENGADUAN" in text
    assert "DINAS KOMUNIKASI DAN INFORMATIKA" in text
    assert "Bulan: November 2026" in text
    assert "Pengaduan diterima 1" in text
