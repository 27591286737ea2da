"""/lacak on a phone-sized screen, as a reporter uses it."""

import pytest

from sop_admin import tracking

pytestmark = pytest.mark.browser


def test_lacak_fits_a_phone_and_shows_the_stage(live_server, page, make, db):
    office = make.office(code="DPK", phone="(021) 777-1234")
    complaint = make.complaint(office, register_no="DPK/2026/000042")
    code = tracking.issue(complaint)
    db.session.commit()

    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(f"{live_server}/lacak?register_no=DPK%2F2026%2F000042")
    assert page.input_value("#register_no") == "DPK/2026/000042"
    page.fill("#code", code.lower().replace("-", " "))
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".stage").inner_text() == "Diterima"
    assert "(021) 777-1234" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # no sideways scrolling

    page.fill("#register_no", "DPK/2026/000042")
    page.fill("#code", "AAAA-BBBB-CCCC")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "tidak ditemukan" in page.locator(".problem").inner_text()
