"""Managing users: hashed passwords, NIP checks, office-limited roles, no delete."""

from sqlalchemy import select

from sop_admin.models import AccessLevel, User


def _form(**extra):
    data = {"username": "siti.a", "full_name": "Siti Aminah", "nip": "",
            "email": "", "phone": "", "access_level": "staff", "active": "y",
            "new_password": "rahasia-123"}
    data.update(extra)
    return data


def test_user_create_hashes_password_in_own_office(make, db, login_as):
    office = make.office()
    role = make.role(office, "Kasie IKP")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    response = login_as(admin).post("/admin/user/new/",
                                    data=_form(roles=[str(role.id)]))
    assert response.status_code == 302, response.text
    user = db.session.scalar(select(User).filter_by(username="siti.a"))
    assert user.office_id == office.id
    assert user.access_level == AccessLevel.STAFF
    assert [r.name for r in user.roles] == ["Kasie IKP"]
    assert user.password_hash.startswith("$argon2")
    assert user.check_password("rahasia-123")


def test_user_edit_form_never_shows_password(make, db, login_as):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(admin).get(f"/admin/user/edit/?id={staff.id}").text
    assert staff.password_hash not in page
    assert "password_hash" not in page
    assert 'name="new_password"' in page
    assert 'name="is_superadmin"' not in page


def test_user_edit_without_password_keeps_it(make, db, login_as):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    staff = make.user(office, AccessLevel.STAFF, username="budi")
    db.session.commit()
    old_hash = staff.password_hash
    response = login_as(admin).post(f"/admin/user/edit/?id={staff.id}", data=_form(
        username="budi", full_name="Budi S", new_password="",
        access_level="records_officer", is_superadmin="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert staff.full_name == "Budi S"
    assert staff.access_level == AccessLevel.RECORDS_OFFICER
    assert staff.password_hash == old_hash
    assert not staff.is_superadmin  # field not offered to office admins


def test_user_create_without_password_refused(make, db, login_as):
    admin = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).post("/admin/user/new/", data=_form(new_password=""),
                                follow_redirects=True).text
    assert "Kata sandi wajib diisi" in page
    assert db.session.scalar(select(User).filter_by(username="siti.a")) is None


def test_user_nip_invalid_shows_message_valid_normalised(make, db, login_as):
    admin = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    page = client.post("/admin/user/new/", data=_form(nip="1980 0101")).text
    assert "NIP harus 18 digit angka" in page
    assert db.session.scalar(select(User).filter_by(username="siti.a")) is None
    client.post("/admin/user/new/", data=_form(nip="19800101 200501 1 001"))
    user = db.session.scalar(select(User).filter_by(username="siti.a"))
    assert user.nip == "198001012005011001"


def test_user_roles_of_other_office_not_attached(make, db, login_as):
    office, other = make.office(), make.office()
    foreign = make.role(other, "Kasie Lain")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    assert "Kasie Lain" not in client.get("/admin/user/new/").text
    client.post("/admin/user/new/", data=_form(roles=[str(foreign.id)]))
    # Flask-Admin drops ids outside the field's (office-scoped) query.
    user = db.session.scalar(select(User).filter_by(username="siti.a"))
    assert user is None or user.roles == []


def test_user_cannot_be_deleted_even_by_superadmin(make, db, login_as):
    office = make.office()
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(root)
    assert client.post("/admin/user/delete/", data={"id": staff.id}).status_code == 403
    assert client.post("/admin/user/action/", data={
        "action": "delete", "rowid": staff.id}).status_code == 403
    assert 'action="/admin/user/delete/"' not in client.get("/admin/user/").text
    assert db.session.get(User, staff.id) is not None


def test_user_deactivated_cannot_log_in(make, db, login_as, client):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    response = login_as(admin).post("/admin/user/action/", data={
        "action": "deactivate", "rowid": [staff.id, admin.id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert not staff.active
    assert admin.active  # never one's own account
    client.post("/logout")
    refused = client.post("/login", data={"username": staff.username,
                                          "password": "password-123"})
    assert refused.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_user_deactivate_action_limited_to_own_office(make, db, login_as):
    office, other = make.office(), make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    foreign = make.user(other, AccessLevel.STAFF)
    db.session.commit()
    login_as(admin).post("/admin/user/action/", data={
        "action": "deactivate", "rowid": foreign.id})
    db.session.expire_all()
    assert foreign.active


def test_user_deactivated_session_ends(make, db, login_as):
    office = make.office()
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    assert client.get("/admin/complaint/").status_code == 200
    staff.active = False
    db.session.commit()
    assert client.get("/admin/complaint/").status_code == 302
