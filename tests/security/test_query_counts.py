"""No N+1: a view's list and details pages run as many queries for 1 row as
for many (every view of the Admin object, superadmin seeing every column)."""


from flask_admin.contrib.sqla import ModelView

from sop_admin.models import AccessLevel, Office

from .seed import records_of, seed_office

MORE = 3  # seed_office can be called 4 times per office


def _counts(app, client, db, office, count_queries) -> dict[str, int]:
    counts = {}
    for view in app.extensions["admin"][0]._views:
        if not isinstance(view, ModelView):
            continue
        record_id = records_of(view.model, office).id
        for page in (f"{view.url}/", f"{view.url}/details/?id={record_id}"):
            db.session.remove()  # an empty identity map, as in a new request
            with count_queries() as statements:
                assert client.get(page).status_code == 200, page
            counts[page.split("?")[0]] = len(statements)
    return counts


def test_list_and_details_queries_do_not_grow_with_rows(app, make, db, login_as,
                                                         count_queries):
    office = make.office(code="OWN")
    seed_office(make, office)
    admin = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(admin)
    client.get("/admin/")  # first-request work (translations, caches) out of the way
    few = _counts(app, client, db, office, count_queries)
    office = db.session.get(Office, office.id)
    for n in range(2, 2 + MORE):  # more rows, in this office and in others
        seed_office(make, office, text=f"Teks {n}", n=n)
        seed_office(make, make.office(code=f"LAIN{n}"), text=f"Lain {n}")
    db.session.commit()
    many = _counts(app, client, db, db.session.get(Office, office.id),
                   count_queries)
    grown = {page: (few[page], many[page]) for page in few if many[page] > few[page]}
    assert grown == {}, f"queries per page grew with rows (N+1): {grown}"
    assert max(few.values()) <= 15
