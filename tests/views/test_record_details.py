"""The shared details page: fields, and a Riwayat tab only when offered."""

from sop_admin.models import AccessLevel


def test_details_shows_fields_and_history_tab_when_offered(app, make, db, login_as,
                                                           monkeypatch):
    office = make.office()
    role = make.role(office, "Kasie IKP")
    auditor = make.user(office, AccessLevel.AUDITOR)
    db.session.commit()
    client = login_as(auditor)
    monkeypatch.setitem(app.jinja_env.globals, "history_url",
                        lambda model: f"/riwayat/{model.id}")
    page = client.get(f"/admin/role/details/?id={role.id}").text
    assert "Kasie IKP" in page and "Nama jabatan" in page
    assert f'href="/riwayat/{role.id}"' in page and "Riwayat" in page
    monkeypatch.setitem(app.jinja_env.globals, "history_url", lambda model: None)
    assert "Riwayat" not in client.get(f"/admin/role/details/?id={role.id}").text
