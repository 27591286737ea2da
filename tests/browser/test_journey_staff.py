"""A staff member's journey: register a complaint, walk it through its SOP on
the Proses page, forward it, answer the decision both ways, close it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sop_admin.models import Complaint, ComplaintStatus, Role

from .journey import login, shot

pytestmark = pytest.mark.browser

SUBJECT = "Lampu penerangan jalan mati di Jalan Margonda"


def _done(page, message: str) -> None:
    expect(page.locator(".alert-success")).to_contain_text(message)


def test_staff_registers_processes_forwards_and_closes(live_server, page, make, db):
    office = make.office(code="DPK")
    # start(1, Admin Media Sosial) -> decision(2): Ya -> 3 -> end(4), Tidak -> end(4)
    make.sop(office, number="001", status="active")
    medsos = db.session.scalar(select(Role).filter_by(office_id=office.id,
                                                      name="Admin Media Sosial"))
    staff = make.user(office, roles=[medsos], full_name="Rina Medsos")
    kasie = make.role(office, "Kasie Pengaduan")
    make.user(office, roles=[kasie], full_name="Budi Santoso", phone="0812-3456-7890")
    db.session.commit()

    login(page, live_server, staff.username)

    # Pengaduan -> Buat: the tracking code is shown once, after saving.
    page.click("nav >> text=Pengaduan")
    page.wait_for_url(re.compile(r"/admin/complaint/"))
    page.goto(f"{live_server}/admin/complaint/new/")
    page.fill("#reporter_name", "Ahmad Fauzi")
    page.fill("#reporter_contact", "0813-1111-2222")
    page.fill("#subject", SUBJECT)
    page.fill("#description", "Sudah tiga malam lampu di depan nomor 12 mati.")
    page.click("input[type=submit][value=Simpan]")
    code = page.locator(".tracking-code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    shot(page, "staff", "registered")
    db.session.rollback()  # see what the server committed
    complaint = db.session.scalar(select(Complaint).filter_by(subject=SUBJECT))
    assert complaint.tracking_code_hash

    # Its details: the code is not shown again; Proses opens the handling page.
    page.goto(f"{live_server}/admin/complaint/details/?id={complaint.id}")
    expect(page.locator("body")).to_contain_text(complaint.register_no)
    expect(page.locator(".tracking-code")).to_have_count(0)
    page.click("a.complaint-process-link")
    page.wait_for_url(f"{live_server}/admin/proses/{complaint.id}")
    if page.locator("button:has-text('Mulai penanganan')").count():
        page.click("button:has-text('Mulai penanganan')")
        _done(page, "Penanganan pengaduan dimulai.")
    expect(page.locator("#step-1")).to_have_class(re.compile("sop-step-current"))

    page.fill("#note", "Pengaduan diterima dari Facebook.")
    page.click("button:has-text('Selesaikan langkah 1')")
    _done(page, "sekarang langkah 2")
    expect(page.locator("#step-2")).to_have_class(re.compile("sop-step-current"))

    # Disposisikan to the Kasie: a WhatsApp link to the holder's number.
    page.select_option("#role", label="Kasie Pengaduan")
    page.fill("#message", "Mohon dicek ke lokasi.")
    page.click("button:has-text('Disposisikan')")
    _done(page, "Disposisi dicatat.")
    card = page.locator(".process-disposition")
    expect(card).to_contain_text("Kasie Pengaduan")
    expect(card).to_contain_text("Budi Santoso")
    link = card.locator("a:has-text('WhatsApp')")
    assert link.get_attribute("href").startswith("https://wa.me/62812")
    shot(page, "staff", "proses")

    # The decision answered "Ya": step 3, then the end step closes it.
    page.click("button[name=answer][value=ya]")
    _done(page, "sekarang langkah 3")
    page.click("button:has-text('Selesaikan langkah 3')")
    _done(page, "pengaduan ditutup")
    expect(page.locator(".process-status")).to_contain_text("Selesai")

    # Reopened, the decision answered "Tidak": straight to the end step.
    page.fill("#reason", "Pelapor menyatakan lampu masih mati.")
    page.click("button:has-text('Buka kembali')")
    _done(page, "Pengaduan dibuka kembali.")
    page.click("button:has-text('Selesaikan langkah 1')")
    _done(page, "sekarang langkah 2")
    page.click("button[name=answer][value=tidak]")
    _done(page, "pengaduan ditutup")
    expect(page.locator(".process-status")).to_contain_text("Selesai")
    shot(page, "staff", "closed")

    history = page.locator(".process-history tbody tr")
    answers = [history.nth(i).locator("td").nth(5).inner_text()
               for i in range(history.count())]
    assert "Ya" in answers and "Tidak" in answers
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).status == ComplaintStatus.CLOSED
