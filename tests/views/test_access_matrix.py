"""Who may do what, by URL, in the settings and complaint views.

Every access level is tried on every view and every operation, on a record
of the user's own office and one of another office: forbidden is 403 (not a
redirect), another office's record is 404, and the list never shows it.
"""

from datetime import date

import pytest

from sop_admin.models import AccessLevel, ClosureDay

A, S, R, U = (AccessLevel.ADMIN, AccessLevel.STAFF, AccessLevel.RECORDS_OFFICER,
              AccessLevel.AUDITOR)
READERS = {A, R, U}

#: view endpoint -> levels allowed for each operation (None: nobody, not even
#: a superadmin; an empty set: superadmins only).
MATRIX = {
    "complaint": dict(read={A, S, R, U}, create={A, S}, edit={A, S}, delete={A},
                      export=READERS),
    "office": dict(read=READERS, create=set(), edit={A}, delete=None, export=None),
    "role": dict(read=READERS, create={A}, edit={A}, delete={A}, export=READERS),
    "user": dict(read=READERS, create={A}, edit={A}, delete=None, export=READERS),
    "closure_day": dict(read=READERS, create={A}, edit={A}, delete={A},
                        export=READERS),
}
LEVELS = [A, S, R, U, "superadmin"]


def _records(make, db, office):
    """One record per view in `office`, keyed by view endpoint."""
    closure = ClosureDay(office=office, day=date(2026, 12, 24), reason="Rapat kerja")
    db.session.add(closure)
    return {
        "complaint": make.complaint(office),
        "office": office,
        "role": make.role(office, "Kasie IKP"),
        "user": make.user(office, AccessLevel.STAFF),
        "closure_day": closure,
    }


def _may(levels, level) -> bool:
    if levels is None:
        return False
    return level == "superadmin" or level in levels


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("view", sorted(MATRIX))
def test_access_matrix_by_url(view, level, make, db, login_as):
    own, other = make.office(), make.office()
    mine, theirs = _records(make, db, own), _records(make, db, other)
    if level == "superadmin":
        user = make.user(own, AccessLevel.ADMIN, is_superadmin=True)
    else:
        user = make.user(own, level)
    db.session.commit()
    own_id, other_id = mine[view].id, theirs[view].id
    rules = MATRIX[view]
    client = login_as(user)
    base = f"/admin/{view}"
    reads = _may(rules["read"], level)

    def expect(permission, own_office=True):
        if not reads or not _may(rules[permission], level):
            return 403
        if own_office or level == "superadmin":
            return 200
        return 404

    listing = client.get(f"{base}/")
    assert listing.status_code == (200 if reads else 403)
    assert client.get(f"{base}/details/?id={own_id}").status_code == expect("read")
    assert client.get(f"{base}/details/?id={other_id}").status_code == expect(
        "read", own_office=False)
    assert client.get(f"{base}/edit/?id={own_id}").status_code == expect("edit")
    assert client.get(f"{base}/edit/?id={other_id}").status_code == expect(
        "edit", own_office=False)
    assert client.get(f"{base}/new/").status_code == expect("create")
    assert client.get(f"{base}/export/csv/").status_code == expect("export")

    other_delete = client.post(f"{base}/delete/", data={"id": other_id})
    own_delete = client.post(f"{base}/delete/", data={"id": own_id})
    deleted = expect("delete")
    if deleted == 200:
        assert own_delete.status_code == 302
        assert other_delete.status_code == (302 if level == "superadmin" else 404)
    else:
        assert own_delete.status_code == other_delete.status_code == 403
    action = client.post(f"{base}/action/",
                         data={"action": "delete", "rowid": [own_id, other_id]})
    assert action.status_code == (403 if deleted == 403 or not reads else 302)


@pytest.mark.parametrize("view", sorted(MATRIX))
def test_list_other_office_records_not_shown(view, make, db, login_as):
    own, other = make.office(), make.office()
    mine, theirs = _records(make, db, own), _records(make, db, other)
    admin = make.user(own, AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).get(f"/admin/{view}/").get_data(as_text=True)
    assert f"id={mine[view].id}&" in page
    assert f"id={theirs[view].id}&" not in page


def test_anonymous_redirected_to_login_with_next(client):
    response = client.get("/admin/complaint/?search=x")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "complaint" in response.headers["Location"]
