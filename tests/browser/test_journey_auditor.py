"""An auditor's journey: a complaint's change history, the log exported, the
chain verified; and no edit page opens for them."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from sop_admin import audit
from sop_admin.models import AccessLevel

from .journey import login, shot

pytestmark = pytest.mark.browser


def test_auditor_reads_history_exports_verifies_and_cannot_edit(
        live_server, page, make, db):
    office = make.office(code="DPK")
    version = make.sop(office, number="001", status="active")
    complaint = make.complaint(office, sop_version=version,
                               subject="Jalan berlubang di Jalan Raya Sawangan")
    other = make.complaint(make.office(code="BKS"), subject="Bukan urusan Depok")
    auditor = make.user(office, AccessLevel.AUDITOR, full_name="Hendra Auditor")
    db.session.commit()
    audit.set_reason("Judul diperjelas atas permintaan pelapor")
    complaint.subject = "Jalan berlubang dan tergenang di Jalan Raya Sawangan"
    db.session.commit()

    login(page, live_server, auditor.username)

    # The dashboard says the chain is whole; the verify page checks all of it.
    status = page.locator("#audit-status")
    expect(status).to_have_class(re.compile("alert-success"))
    expect(status).to_contain_text("Jejak audit utuh")
    shot(page, "auditor", "dashboard")
    status.locator("a:has-text('Verifikasi seluruh rantai')").click()
    page.wait_for_url(f"{live_server}/admin/audit/verify")
    expect(page.locator(".alert-success")).to_contain_text("Rantai utuh")
    shot(page, "auditor", "verify")

    # Pengaduan -> the complaint -> Riwayat: the change, old and new, with its reason.
    page.click("nav >> text=Pengaduan")
    page.wait_for_url(re.compile(r"/admin/complaint/"))
    row = page.locator("table.model-list tr", has_text=complaint.register_no)
    row.locator("a[href*='/details/']").click()
    page.wait_for_url(re.compile(r"/admin/complaint/details/"))
    page.click("a.nav-link:has-text('Riwayat')")
    page.wait_for_url(re.compile(r"/admin/audit/history/complaints/"))
    body = page.locator("body")
    expect(body).to_contain_text("Jalan berlubang di Jalan Raya Sawangan")
    expect(body).to_contain_text("Jalan berlubang dan tergenang di Jalan Raya Sawangan")
    expect(body).to_contain_text("Judul diperjelas atas permintaan pelapor")
    shot(page, "auditor", "history")

    # Jejak audit -> Ekspor CSV: this office's rows, not the other office's.
    page.goto(f"{live_server}/admin/audit/")
    with page.expect_download() as info:
        page.click("a.dropdown-toggle:has-text('Ekspor')")  # CSV or XLSX
        page.click(".dropdown-menu a:has-text('CSV')")
    with open(info.value.path(), encoding="utf-8-sig") as file:
        exported = file.read()
    rows = list(csv.reader(io.StringIO(exported)))
    assert len(rows) > 2
    assert "Jalan berlubang dan tergenang di Jalan Raya Sawangan" in exported
    assert "Bukan urusan Depok" not in exported

    # Every edit or create page is refused before any form is drawn (the
    # audit log has no edit page at all).
    for url, status in (
        (f"/admin/complaint/edit/?id={complaint.id}", 403),
        ("/admin/complaint/new/", 403),
        (f"/admin/complaint/edit/?id={other.id}", 403),
        ("/admin/user/new/", 403),
        ("/admin/role/new/", 403),
        ("/admin/sopversion/new/", 403),
        (f"/admin/sopversion/edit/?id={version.id}", 403),
        ("/admin/office/new/", 403),
        ("/admin/closure_day/new/", 403),
        ("/admin/api_token/new/", 403),
        ("/admin/audit/edit/?id=1", 404),
    ):
        response = page.goto(f"{live_server}{url}")
        assert response.status == status, url
        expect(page.locator("input[type=submit][value=Simpan]")).to_have_count(0)
        expect(page.locator("form textarea, form input[type=text]")).to_have_count(0)
