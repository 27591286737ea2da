"""Auditor screens: read-only log, office scope, history diffs, exports, status."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from sop_admin import audit
from sop_admin.models import AccessLevel, AuditEntry, ComplaintStatus, Role


@pytest.fixture
def office(make, db):
    office = make.office(code="DKI")
    db.session.commit()
    return office


def _auditor(make, db, office):
    user = make.user(office, AccessLevel.AUDITOR, full_name="Auditor Kota")
    db.session.commit()
    return user


def test_audit_view_lists_only_own_office(make, db, login_as, office):
    other = make.office(code="BDG")
    make.role(office, "Jabatan Sendiri")
    make.role(other, "Jabatan Lain")
    db.session.commit()
    page = login_as(_auditor(make, db, office)).get("/admin/audit/?search=")
    assert page.status_code == 200
    own = db.session.scalar(sa.select(Role.id).where(Role.office_id == office.id))
    foreign = db.session.scalar(sa.select(AuditEntry.id).where(
        AuditEntry.office_id == other.id))
    assert f"/admin/audit/history/roles/{own}" in page.get_data(as_text=True)
    assert login_as(_auditor(make, db, office)).get(
        f"/admin/audit/details/?id={foreign}").status_code == 404


@pytest.mark.parametrize("level", [AccessLevel.STAFF, AccessLevel.RECORDS_OFFICER])
def test_audit_view_refused_below_auditor(make, db, login_as, office, level):
    user = make.user(office, level)
    db.session.commit()
    assert login_as(user).get("/admin/audit/").status_code == 403


@pytest.mark.parametrize(("method", "url"), [
    ("get", "/admin/audit/new/"), ("post", "/admin/audit/new/"),
    ("get", "/admin/audit/edit/?id=1"), ("post", "/admin/audit/delete/"),
])
def test_audit_view_has_no_write_routes(make, db, login_as, office, method, url):
    admin = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(admin)
    assert getattr(client, method)(url).status_code == 404
    response = client.post("/admin/audit/action/", data={"action": "delete",
                                                         "rowid": ["1"]})
    assert response.status_code == 403


def test_audit_history_shows_readable_diff_in_wib(make, db, login_as, office):
    complaint = make.complaint(office, subject="<b>Jalan</b> rusak")
    db.session.commit()
    complaint.status = ComplaintStatus.IN_PROGRESS
    complaint.confidential = True
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.table_name == "complaints").order_by(AuditEntry.id)).all()[-1]
    assert entry.at.tzinfo == UTC
    assert abs(entry.at - datetime.now(UTC)) < timedelta(minutes=5)
    page = login_as(_auditor(make, db, office)).get(
        f"/admin/audit/history/complaints/{complaint.id}").get_data(as_text=True)
    # Stored values read as the screens say them: status labels, ya/tidak
    # for flags on both engines, labels for key and time columns.
    assert "Baru" in page and "Diproses" in page and "→" in page
    assert "in_progress" not in page
    assert "tidak" in page and "ya" in page
    assert "Office Id" not in page and "Created At" not in page
    assert "&lt;b&gt;Jalan&lt;/b&gt;" in page and "<b>Jalan</b>" not in page
    wib = (entry.at + timedelta(hours=7)).strftime("%d-%m-%Y %H:%M")
    assert f"{wib}" in page and "WIB" in page


def test_audit_history_includes_child_rows(make, db, login_as, office):
    version = make.sop(office)
    db.session.commit()
    version.steps[0].activity = "Mencatat pengaduan"
    db.session.commit()
    page = login_as(_auditor(make, db, office)).get(
        f"/admin/audit/history/sop_versions/{version.id}").get_data(as_text=True)
    assert "sop_steps" in page and "Mencatat pengaduan" in page


def test_audit_mass_delete_recorded_with_web_actor(make, db, login_as, office):
    admin = make.user(office, AccessLevel.ADMIN, full_name="Admin Kantor")
    roles = [make.role(office, f"Hapus {i}") for i in range(2)]
    db.session.commit()
    ids = [str(r.id) for r in roles]
    response = login_as(admin).post("/admin/role/action/",
                                    data={"action": "delete", "rowid": ids})
    assert response.status_code == 302
    deleted = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.table_name == "roles", AuditEntry.operation == "delete")).all()
    assert sorted(e.row_key for e in deleted) == sorted(ids)
    assert {(e.actor_name, e.interface) for e in deleted} == {("Admin Kantor", "web")}
    assert all(e.client_ip and e.request_id and e.seq for e in deleted)


def test_audit_export_csv_neutralises_formulas_and_is_recorded(
        make, db, login_as, office):
    token = audit.set_context("cli", actor_name="=HYPERLINK(\"http://x\")")
    try:
        make.role(office, "Formula")
        db.session.commit()
    finally:
        audit.reset_context(token)
    response = login_as(_auditor(make, db, office)).get("/admin/audit/export/csv/")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    event = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.operation == "event")).one()
    assert event.actor_name == "Auditor Kota" and '"format":"csv"' in event.new_values


def test_audit_export_xlsx(make, db, login_as, office):
    response = login_as(_auditor(make, db, office)).get("/admin/audit/export/xlsx/")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"


def test_audit_activity_keeps_deactivated_users_name(make, db, login_as, office):
    staff = make.user(office, AccessLevel.STAFF, full_name="Dewi Lestari")
    db.session.commit()
    token = audit.set_context("web", actor=staff)
    try:
        make.role(office, "Dibuat Dewi")
        db.session.commit()
    finally:
        audit.reset_context(token)
    staff.active = False
    db.session.commit()
    page = login_as(_auditor(make, db, office)).get(
        f"/admin/audit/activity/{staff.id}").get_data(as_text=True)
    assert "Dewi Lestari" in page and "nonaktif" in page and "roles" in page


def test_audit_dashboard_shows_chain_status(make, db, login_as, office):
    client = login_as(_auditor(make, db, office))
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="audit-status"' in page and "alert-success" in page
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_seal_only")
        conn.exec_driver_sql("UPDATE audit_entries SET reason = 'x' WHERE seq = 1")
    page = client.get("/admin/").get_data(as_text=True)
    assert "alert-danger" in page and "seq 1" in page
    verify = client.get("/admin/audit/verify").get_data(as_text=True)
    assert "changed" in verify


def test_audit_dashboard_status_hidden_from_staff(make, db, login_as, office):
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    assert 'id="audit-status"' not in login_as(staff).get("/admin/").get_data(
        as_text=True)


def test_audit_history_tab_on_record_details(make, db, login_as, office):
    admin = make.user(office, AccessLevel.ADMIN)
    role = make.role(office, "Dengan Riwayat")
    db.session.commit()
    page = login_as(admin).get(f"/admin/role/details/?id={role.id}")
    assert f"/admin/audit/history/roles/{role.id}" in page.get_data(as_text=True)


def test_reporter_identity_masked_for_auditor_shown_to_admin(
        make, db, login_as, office):
    """Auditors read a complaint's history without the reporter's identity."""
    complaint = make.complaint(office, confidential=True, reporter_name="Budi Rahasia",
                               reporter_contact="0812-555")
    db.session.commit()
    complaint.reporter_name = "Budi Rahasia Baru"
    db.session.commit()
    history = f"/admin/audit/history/complaints/{complaint.id}"
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.table_name == "complaints")).first()

    auditor = login_as(_auditor(make, db, office))
    for url in (history, f"/admin/audit/details/?id={entry.id}",
                "/admin/audit/export/csv/"):
        response = auditor.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "Budi Rahasia" not in text and "0812-555" not in text, url
    assert "rahasia)" in auditor.get(history).get_data(as_text=True)

    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    assert "Budi Rahasia Baru" in login_as(admin).get(history).get_data(as_text=True)
