"""An office admin's journey: a role, an SOP drafted in the form, activated, revised."""

import re

import pytest
from playwright.sync_api import expect

from sop_admin.models import AccessLevel

from .journey import login, shot

pytestmark = pytest.mark.browser

NAME = "SOP Penanganan Pengaduan Media Sosial"
STEPS = [  # number, activity, lane, kind, time, next, if yes, if no
    ("1", "Menerima pengaduan melalui media sosial", "Masyarakat", "start",
     "", "", "", ""),
    ("2", "Menelaah: apakah dapat dijawab langsung?", "Pengelola Pengaduan",
     "decision", "1 jam", "", "3", "4"),
    ("3", "Menjawab pengaduan", "Pengelola Pengaduan", "process", "1 hari kerja", "4",
     "", ""),
    ("4", "Pengaduan selesai", "Masyarakat", "end", "", "", "", ""),
]


def _add_row(page, field: str) -> str:
    """Click the form's "add" button of an inline list; return the new row's prefix."""
    before = page.locator(f"[name^='{field}-'][name$='-{_KEY[field]}']").count()
    page.click(f"#{field}-button")
    row = page.locator(f"[name^='{field}-'][name$='-{_KEY[field]}']")
    expect(row).to_have_count(before + 1)
    name = row.nth(before).get_attribute("name")
    return name.removesuffix(_KEY[field])


_KEY = {"lanes": "role_name", "steps": "activity"}


def test_admin_creates_role_and_sop_activates_and_revises(live_server, page, make, db):
    office = make.office(code="DPK")
    admin = make.user(office, AccessLevel.ADMIN, full_name="Siti Rahma")
    db.session.commit()

    login(page, live_server, admin.username)
    shot(page, "admin", "dashboard")

    # Pengaturan -> Jabatan -> Buat
    page.click("a.dropdown-toggle:has-text('Pengaturan')")
    page.click(".dropdown-menu >> text=Jabatan")
    page.wait_for_url(re.compile(r"/admin/role/"))
    page.goto(f"{live_server}/admin/role/new/")
    page.fill("#name", "Pengelola Pengaduan")
    page.fill("#description", "Menelaah dan menjawab pengaduan")
    page.click("input[type=submit][value=Simpan]")
    page.wait_for_url(re.compile(r"/admin/role/(\?.*)?$"))
    expect(page.locator("table.model-list")).to_contain_text("Pengelola Pengaduan")

    # SOP -> Buat: lanes, steps and a decision typed into the draft form.
    page.goto(f"{live_server}/admin/sopversion/new/")
    page.fill("#number", "800/017/DKI")
    page.fill("#name", NAME)
    for lane in ("Masyarakat", "Pengelola Pengaduan"):
        prefix = _add_row(page, "lanes")
        page.fill(f"[name='{prefix}role_name']", lane)
    for number, activity, lane, kind, time, nxt, yes, no in STEPS:
        prefix = _add_row(page, "steps")
        page.fill(f"[name='{prefix}number']", number)
        page.fill(f"[name='{prefix}activity']", activity)
        page.fill(f"[name='{prefix}lane']", lane)
        page.select_option(f"[name='{prefix}kind']", kind)
        for field, value in (("time_text", time), ("next_number", nxt),
                             ("if_yes", yes), ("if_no", no)):
            if value:
                page.fill(f"[name='{prefix}{field}']", value)
    shot(page, "admin", "sop-form")
    page.click("input[type=submit][value=Simpan]")
    page.wait_for_url(re.compile(r"/admin/sopversion/(\?.*)?$"))
    expect(page.locator("#sop-problems")).to_have_count(0)
    expect(page.locator("table.model-list")).to_contain_text(NAME)

    # Its page: the flow as entered, then Aktifkan.
    page.click("td.list-buttons-column a[href*='/details/']")
    page.wait_for_url(re.compile(r"/admin/sopversion/details/"))
    expect(page.locator("body")).to_contain_text(STEPS[1][1])
    page.click("button:has-text('Aktifkan')")
    expect(page.locator(".alert-success")).to_contain_text("Versi diaktifkan.")
    shot(page, "admin", "sop-active")
    active_url = page.url

    # Revisi with a reason: a new draft opens for editing.
    reason = "Penyesuaian Perwal Nomor 12 Tahun 2026"
    page.fill("#reason", reason)
    page.click("button:has-text('Revisi')")
    page.wait_for_url(re.compile(r"/admin/sopversion/edit/"))
    expect(page.locator(".alert-success")).to_contain_text("Konsep revisi dibuat")
    assert page.input_value("#name") == NAME
    draft_id = re.search(r"[?&]id=(\d+)", page.url).group(1)
    assert f"id={draft_id}" not in active_url

    # The draft is in the list next to the active version, and its history
    # carries the reason.
    page.goto(f"{live_server}/admin/sopversion/details/?id={draft_id}")
    expect(page.locator("body")).to_contain_text("Konsep")
    page.click("a.nav-link:has-text('Riwayat')")
    page.wait_for_url(re.compile(r"/admin/audit/history/"))
    expect(page.locator("body")).to_contain_text(reason)
    shot(page, "admin", "revision-history")
