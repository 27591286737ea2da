"""What a new user sees first, in a real browser."""

import pytest

from sop_admin.models import AccessLevel

pytestmark = pytest.mark.browser


def test_login_shows_indonesian_panel_and_english_switch(live_server, page, make, db):
    office = make.office(code="DPK")
    user = make.user(office, AccessLevel.ADMIN, full_name="Siti Rahma")
    db.session.commit()

    page.goto(f"{live_server}/admin/")
    assert "/login" in page.url
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    assert "Selamat datang, Siti Rahma" in page.content()

    page.click("text=English")
    page.wait_for_load_state()
    assert "Bahasa Indonesia" in page.content()

    page.click("text=Keluar" if page.locator("text=Keluar").count() else "text=Log out")
    page.wait_for_url(f"{live_server}/login")


def test_login_wrong_password_stays_on_login(live_server, page, make, db):
    user = make.user(make.office())
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "bukan-sandinya")
    page.click("button[type=submit]")
    # Wait for the answer page: content() during the navigation may be empty.
    page.wait_for_selector(".alert-danger")
    assert "salah" in page.content()
    assert page.url == f"{live_server}/login"
