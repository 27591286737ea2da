"""Settings views: the office (logo, zone, limits), positions and closure days."""

import io
from datetime import date

from sqlalchemy import select

from sop_admin.models import AccessLevel, ClosureDay, Office, Role, User

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _office_form(**extra):
    data = {"government": "Pemerintah Kota Depok", "name": "Diskominfo",
            "timezone": "Asia/Makassar", "paper_size": "F4", "opens_at": "07:30",
            "closes_at": "16:00", "forward_days": "3", "respond_days": "5",
            "close_days": "10"}
    data.update(extra)
    return data


def test_office_admin_edits_own_office_with_logo(make, db, login_as):
    office = make.office("DPK")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    page = client.get(f"/admin/office/edit/?id={office.id}").text
    assert "WITA (Asia/Makassar)" in page and 'name="code"' not in page
    response = client.post(f"/admin/office/edit/?id={office.id}", data=_office_form(
        code="HACK", logo_upload=(io.BytesIO(PNG), "logo.png")),
        content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert office.code == "DPK"
    assert office.timezone == "Asia/Makassar" and office.paper_size == "F4"
    assert office.logo == PNG and office.logo_mimetype == "image/png"
    logo = client.get(f"/admin/office/logo/?id={office.id}")
    assert logo.status_code == 200 and logo.mimetype == "image/png"


def test_office_logo_not_an_image_refused(make, db, login_as):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).post(f"/admin/office/edit/?id={office.id}",
                                data=_office_form(logo_upload=(
                                    io.BytesIO(b"<svg/>"), "logo.svg")),
                                content_type="multipart/form-data").text
    assert "PNG atau JPEG" in page
    db.session.expire_all()
    assert office.logo is None


def test_office_logo_too_large_refused(make, db, login_as):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    big = PNG + b"\x00" * (300 * 1024)  # under the test client's 500 KB spool
    page = login_as(admin).post(f"/admin/office/edit/?id={office.id}",
                                data=_office_form(logo_upload=(
                                    io.BytesIO(big), "logo.png")),
                                content_type="multipart/form-data").text
    assert "terlalu besar" in page


def test_office_day_limits_out_of_order_refused(make, db, login_as):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    page = login_as(admin).post(f"/admin/office/edit/?id={office.id}",
                                data=_office_form(respond_days="12"),
                                follow_redirects=True).text
    assert "berurutan" in page
    db.session.expire_all()
    assert office.respond_days == 5


def test_office_logo_of_other_office_not_found(make, db, login_as):
    office, other = make.office(), make.office(logo=PNG, logo_mimetype="image/png")
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    assert login_as(admin).get(f"/admin/office/logo/?id={other.id}").status_code == 404


def test_office_created_by_superadmin_only(make, db, login_as):
    home = make.office()
    admin = make.user(home, AccessLevel.ADMIN)
    root = make.user(home, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    assert login_as(admin).post("/admin/office/new/", data=_office_form(
        code="BARU")).status_code == 403
    response = login_as(root).post("/admin/office/new/", data=_office_form(
        code="BARU"))
    assert response.status_code == 302, response.text
    assert db.session.scalar(select(Office).filter_by(code="BARU")).timezone == (
        "Asia/Makassar")


def test_role_created_in_own_office_duplicate_refused(make, db, login_as):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    created = client.post("/admin/role/new/", data={"name": "Kasie IKP"})
    assert created.status_code == 302
    page = client.post("/admin/role/new/", data={"name": "Kasie IKP"},
                       follow_redirects=True).text
    assert "sudah ada" in page
    assert db.session.scalars(select(Role)).all()[0].office_id == office.id
    assert len(db.session.scalars(select(Role)).all()) == 1


def test_role_in_use_not_deleted(make, db, login_as):
    office = make.office()
    role = make.role(office, "Kasie IKP")
    admin = make.user(office, AccessLevel.ADMIN)
    holder = make.user(office, AccessLevel.STAFF)
    holder.roles.append(role)
    db.session.commit()
    page = login_as(admin).post("/admin/role/delete/", data={"id": role.id},
                                follow_redirects=True).text
    assert "masih dipakai" in page
    assert db.session.get(Role, role.id) is not None
    assert db.session.get(User, holder.id).roles == [role]


def test_closure_day_created_and_duplicate_refused(make, db, login_as):
    office = make.office()
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    data = {"day": "2026-12-24", "reason": "Rapat kerja"}
    assert client.post("/admin/closure_day/new/", data=data).status_code == 302
    page = client.post("/admin/closure_day/new/", data=data,
                       follow_redirects=True).text
    assert "sudah tercatat" in page
    day = db.session.scalar(select(ClosureDay))
    assert (day.office_id, day.day) == (office.id, date(2026, 12, 24))
    assert "24-12-2026" in client.get("/admin/closure_day/").text
