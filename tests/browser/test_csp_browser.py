"""Every panel page works under the Content-Security-Policy (no console errors).

The pages are derived from the Admin object, so a view merged later is
visited too: its list, create form, and the details and edit pages of its
first record. A superadmin sees every view and every button.
"""

from datetime import date

import pytest

from sop_admin.models import AccessLevel, ClosureDay

pytestmark = pytest.mark.browser


def _panel_urls(app, complaint_id: int) -> list[str]:
    admin = app.extensions["admin"][0]
    urls = ["/admin/"]
    for view in admin._views:
        if getattr(view, "model", None) is None:
            continue
        base = view.url
        urls.append(f"{base}/")
        if view.create_levels is not None:  # rows of a complaint: added from it
            parent = (f"?complaint_id={complaint_id}"
                      if hasattr(view.model, "complaint_id") else "")
            urls.append(f"{base}/new/{parent}")
    return urls


def _login(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")


def _record_links(page) -> list[str]:
    """The first row's details and edit links of a list page."""
    links = []
    for kind in ("details", "edit"):
        link = page.locator(f"td.list-buttons-column a[href*='/{kind}/']").first
        if link.count():
            links.append(link.get_attribute("href"))
    return links


def _watch(page) -> list[str]:
    """Collect CSP violations and script errors as the pages load."""
    problems = []
    page.on("console", lambda msg: problems.append(f"{page.url}: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    return problems


def test_panel_pages_raise_no_csp_violation(live_server, page, app, make, db):
    office = make.office(code="DPK")
    make.sop(office, number="001")
    complaint = make.complaint(office)
    db.session.add(ClosureDay(office=office, day=date(2026, 12, 24), reason="Rapat"))
    admin = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    problems = _watch(page)

    _login(page, live_server, admin.username)
    visited = []
    urls = _panel_urls(app, complaint.id)
    for url in urls:
        response = page.goto(f"{live_server}{url}")
        assert response.status == 200, url
        assert "content-security-policy" in response.headers
        visited.append(url)
        for link in _record_links(page):
            assert page.goto(f"{live_server}{link}").status == 200, link
            visited.append(link)
    assert len(visited) > len(urls)
    assert problems == [], "\n".join(problems)


def test_row_delete_confirmation_and_action_menu_run_under_csp(
        live_server, page, make, db):
    """The two inline handlers allowed by hash still work (and only they)."""
    office = make.office(code="DPK")
    role = make.role(office, "Kasie IKP")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    problems, dialogs = _watch(page), []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message),
                                      dialog.dismiss()))
    _login(page, live_server, admin.username)

    page.goto(f"{live_server}/admin/role/")
    page.click("form[action$='/delete/'] button")
    assert dialogs == ["Apakah Anda yakin akan menghapus data ini?"]

    page.check(f"input.action-checkbox[value='{role.id}']")
    page.click("text=Untuk yang dipilih")
    page.click(".dropdown-menu >> text=Hapus")
    assert len(dialogs) == 2  # the action's confirmation ran too
    assert problems == [], "\n".join(problems)
