"""The batch import page of the complaint list."""

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from sop_admin import tracking
from sop_admin.models import AccessLevel, AuditEntry, Complaint

from ..test_intake_import import _csv, _row, _xlsx


@pytest.fixture
def office(make):
    return make.office("DPK")


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Complaint))


def _post(client, data: bytes, name="batch.csv", **extra):
    return client.post("/admin/complaint/import/", data={
        "file": (io.BytesIO(data), name), **extra},
        content_type="multipart/form-data")


def test_list_links_to_import_for_writers_only(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    auditor = make.user(office, AccessLevel.AUDITOR)
    db.session.commit()
    assert "/admin/complaint/import/" in login_as(staff).get("/admin/complaint/").text
    client = login_as(auditor)
    assert "/admin/complaint/import/" not in client.get("/admin/complaint/").text
    assert client.get("/admin/complaint/import/").status_code == 403
    assert _post(client, _csv([_row(1)])).status_code == 403
    assert _count(db) == 0


def test_import_page_documents_columns(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = login_as(staff).get("/admin/complaint/import/").text
    for header in ("Kanal", "Diterima", "Perihal", "Uraian", "ID unggahan",
                   "external_post_id"):
        assert header in page
    assert 'name="office"' not in page


def test_import_good_xlsx_shows_codes_once(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF, full_name="Staf Impor")
    db.session.commit()
    client = login_as(staff)
    response = _post(client, _xlsx([_row(1), _row(2)]), "batch.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.text
    assert "2 baris: 2 tercatat" in page
    codes = dict(re.findall(r"<td>(DPK/2026/\d{6})</td><td><code>([0-9A-Z-]+)</code>",
                            page))
    assert set(codes) == {"DPK/2026/000001", "DPK/2026/000002"}
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    csv_text = base64.b64decode(link.group(1)).decode()
    for complaint in db.session.scalars(select(Complaint)):
        assert tracking.matches(complaint, codes[complaint.register_no])
        assert f"{complaint.register_no},{codes[complaint.register_no]}" in csv_text
        assert complaint.created_by_id == staff.id
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "complaints")).first()
    assert (entry.interface, entry.actor_name) == ("import", "Staf Impor")
    assert not any(c in client.get("/admin/complaint/").text for c in codes.values())


def test_import_bad_rows_listed_nothing_written(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = _post(login_as(staff), _csv([_row(1), _row(2, Kanal="Telegram")])).text
    assert "Tidak ada yang diimpor" in page
    assert re.search(r"<td>3</td><td>channel</td>", page)
    assert _count(db) == 0


def test_import_duplicates_refused_or_skipped(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    data = _csv([_row(1), _row(1)])
    assert "sama dengan baris 2" in _post(client, data).text
    assert _count(db) == 0
    page = _post(client, data, skip_duplicates="y").text
    assert "1 tercatat, 1 duplikat" in page
    assert _count(db) == 1


def test_import_dry_run_writes_nothing(office, make, db, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    page = _post(login_as(staff), _csv([_row(1)]), dry_run="y").text
    assert "tidak ada yang disimpan" in page
    assert _count(db) == 0


def test_superadmin_imports_into_chosen_office(office, make, db, login_as):
    other = make.office("BKS")
    root = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(root)
    assert 'name="office"' in client.get("/admin/complaint/import/").text
    _post(client, _csv([_row(1)]), office=str(other.id))
    assert db.session.scalar(select(Complaint)).register_no == "BKS/2026/000001"


def test_import_needs_csrf(office, make, db, app, login_as):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    client = login_as(staff)
    app.config["WTF_CSRF_ENABLED"] = True
    response = _post(client, _csv([_row(1)]))
    assert _count(db) == 0
    assert response.status_code == 400
