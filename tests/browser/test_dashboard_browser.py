"""The dashboard's charts draw in a real browser under script-src 'self'."""

from datetime import timedelta

import pytest

from sop_admin.models import (
    AccessLevel,
    ComplaintStatus,
    ComplaintStep,
    SopStatus,
    utcnow,
)

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'"


def test_dashboard_charts_draw_without_inline_script(live_server, page, make, db):
    office = make.office(code="DPK")
    version = make.sop(office, status=SopStatus.ACTIVE)
    now = utcnow()
    complaint = make.complaint(office, sop_version=version, received_at=now,
                               status=ComplaintStatus.CLOSED, closed_at=now)
    db.session.add(ComplaintStep(complaint_id=complaint.id, step_number=1,
                                 started_at=now - timedelta(minutes=30),
                                 completed_at=now))
    user = make.user(office, AccessLevel.ADMIN)
    db.session.commit()

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={
            **response.headers, "content-security-policy": CSP})

    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "favicon" not in msg.text else None)
    page.route(f"{live_server}/admin/", with_csp)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    page.goto(f"{live_server}/admin/")  # a redirect's target is not routed
    page.wait_for_function("typeof Chart !== 'undefined'")
    drawn = page.evaluate("""() => [...document.querySelectorAll('canvas[data-chart]')]
        .map(c => [c.dataset.chart, Chart.getChart(c) !== undefined])""")
    assert dict(drawn) == {"channel": True, "status": True, "classification": True,
                           "steps": True}
    assert errors == []  # a CSP violation is logged as a console error
