"""The SOP screens: drafts edited through the form, transitions, access."""

import re

import pytest
from sqlalchemy import func, select

from sop_admin.models import (
    AccessLevel,
    AuditEntry,
    ListName,
    Role,
    SopStatus,
    SopStep,
    SopVersion,
    StepKind,
)

URL = "/admin/sopversion"


def _form(**overrides) -> dict:
    """A valid submit: three lanes (one new role), five steps, two lists."""
    data = {
        "number": "045/SOP/2026",
        "name": "SOP Penanganan Pengaduan Media Sosial",
        "unit_government": "Pemerintah Kota Depok",
        "unit_office": "Dinas Komunikasi dan Informatika",
        "approver_position": "Kepala Dinas",
        "approver_name": "Dr. Sidik",
        "approver_nip": "1967 0124 1986 0210 00",
        "legal_basis-0-text": "UU 25/2009 tentang Pelayanan Publik",
        "qualifications-0-text": "Petugas memiliki kemampuan",
        "qualifications-0-sub_points": "Memahami TI\nMenulis singkat",
        "lanes-0-role_name": "Masyarakat",
        "lanes-1-role_name": "Admin Media Sosial",
        "lanes-2-role_name": "Operator Perangkat Daerah",
    }
    steps = [
        (1, "Menerima pengaduan", "Admin Media Sosial", "start", "5 menit", "", "", ""),
        (2, "Apakah dapat dijawab?", "Admin Media Sosial", "decision", "", "",
         "3", "4"),
        (3, "Menjawab", "Admin Media Sosial", "process", "1 jam", "5", "", ""),
        (4, "Meneruskan ke operator", "Operator Perangkat Daerah", "process",
         "1 x 24 jam", "", "", ""),
        (5, "Selesai", "Masyarakat", "end", "", "", "", ""),
    ]
    for i, (n, act, lane, kind, time, nxt, yes, no) in enumerate(steps):
        data.update({
            f"steps-{i}-number": str(n), f"steps-{i}-activity": act,
            f"steps-{i}-lane": lane, f"steps-{i}-kind": kind,
            f"steps-{i}-time_text": time, f"steps-{i}-next_number": nxt,
            f"steps-{i}-if_yes": yes, f"steps-{i}-if_no": no,
        })
    data.update(overrides)
    return data


def _count(db, model=SopVersion) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def office(make):
    return make.office()


@pytest.fixture
def admin(make, office, db):
    user = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    return user


def test_sop_create_with_lanes_and_steps_saves_draft(login_as, admin, db):
    client = login_as(admin)
    response = client.post(f"{URL}/new/", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    version = db.session.scalars(select(SopVersion)).one()
    assert version.status == SopStatus.DRAFT
    assert version.sop.number == "045/SOP/2026"
    assert version.approver_nip == "196701241986021000"
    assert [lane.name for lane in version.lanes] == [
        "Masyarakat", "Admin Media Sosial", "Operator Perangkat Daerah"]
    assert [s.number for s in version.steps] == [1, 2, 3, 4, 5]
    step4 = version.step(4)
    assert step4.lane.name == "Operator Perangkat Daerah"
    assert step4.time_amount == 24 and step4.time_unit.value == "hour"
    quals = version.items_of(ListName.QUALIFICATIONS)
    assert [c.text for c in quals[0].children] == ["Memahami TI", "Menulis singkat"]


def test_sop_create_reuses_a_role_the_office_already_has(login_as, admin, make,
                                                         office, db):
    """A new version's lanes find the office's roles (its office_id is not
    set until the first flush, so the lookup must go through the office)."""
    role = make.role(office, "Admin Media Sosial")
    db.session.commit()
    response = login_as(admin).post(f"{URL}/new/", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    version = db.session.scalars(select(SopVersion)).one()
    assert version.lanes[1].role_id == role.id
    assert _count(db, Role) == 3


def test_sop_pages_render_for_admin(login_as, admin, make, office, db):
    version = make.sop(office, number="001")
    db.session.commit()
    client = login_as(admin)
    for url in (f"{URL}/", f"{URL}/new/", f"{URL}/edit/?id={version.id}",
                f"{URL}/details/?id={version.id}", f"{URL}/?search=001",
                f"{URL}/?flt0_0=draft"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"{URL}/edit/?id={version.id}").get_data(as_text=True)
    assert 'value="Menerima pengaduan"' in page or "Menerima pengaduan" in page
    details = client.get(f"{URL}/details/?id={version.id}").get_data(as_text=True)
    assert "Aktifkan" in details and "sop-decision" in details


def _problems(response) -> str:
    """The problem list shown above the form."""
    page = response.get_data(as_text=True)
    start = page.find('id="sop-problems"')
    assert start != -1, "no problem list on the page"
    return page[start:page.find("</div>", start)]


def test_sop_create_step_lane_not_in_lanes_names_step_and_field(login_as, admin, db):
    client = login_as(admin)
    response = client.post(f"{URL}/new/", data=_form(**{"steps-3-lane": "Sekretaris"}))
    assert response.status_code == 200
    problems = _problems(response)
    assert "langkah 4 / step 4, lane" in problems and "Sekretaris" in problems
    assert _count(db) == 0


def test_sop_create_bad_time_text_quotes_it_and_saves_nothing(login_as, admin, db):
    client = login_as(admin)
    response = client.post(f"{URL}/new/",
                           data=_form(**{"steps-2-time_text": "secepatnya"}))
    assert response.status_code == 200
    problems = _problems(response)
    assert "langkah 3 / step 3, time" in problems and "secepatnya" in problems
    assert _count(db) == 0


def test_sop_create_unreachable_step_rolls_back(login_as, admin, db):
    client = login_as(admin)
    # Step 3 jumps straight to the end, so nothing leads to step 4.
    data = _form(**{"steps-1-if_no": "3", "steps-2-next_number": "5"})
    response = client.post(f"{URL}/new/", data=data)
    assert response.status_code == 200
    assert "langkah 4 / step 4, number" in _problems(response)
    assert _count(db) == 0
    assert db.session.scalar(
        select(func.count()).select_from(Role).where(
            Role.name == "Operator Perangkat Daerah")) == 0


def test_sop_edit_invalid_step_leaves_draft_unchanged(login_as, admin, make, office,
                                                      db):
    version = make.sop(office)
    db.session.commit()
    client = login_as(admin)
    client.post(f"{URL}/edit/?id={version.id}", data=_form())
    db.session.expire_all()
    before = [(s.number, s.activity, s.lane.name) for s in version.steps]
    assert len(before) == 5
    data = _form(**{"steps-0-activity": "Diubah", "steps-4-kind": "process"})
    response = client.post(f"{URL}/edit/?id={version.id}", data=data)
    assert response.status_code == 200
    assert "end" in _problems(response)
    db.session.expire_all()
    assert [(s.number, s.activity, s.lane.name) for s in version.steps] == before


def test_sop_edit_renumbers_and_drops_steps_in_place(login_as, admin, make, office,
                                                     db):
    version = make.sop(office)
    db.session.commit()
    client = login_as(admin)
    data = {k: v for k, v in _form().items() if not k.startswith("steps-")}
    data.update({
        "steps-0-number": "1", "steps-0-activity": "Mulai", "steps-0-kind": "start",
        "steps-0-lane": "masyarakat",  # lanes match ignoring case
        "steps-1-number": "2", "steps-1-activity": "Selesai", "steps-1-kind": "end",
        "steps-1-lane": "Admin Media Sosial",
    })
    response = client.post(f"{URL}/edit/?id={version.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert [(s.number, s.lane.name) for s in version.steps] == [
        (1, "Masyarakat"), (2, "Admin Media Sosial")]
    assert _count(db, SopStep) == 2


def test_sop_edit_active_version_redirects_to_details(login_as, admin, make, office,
                                                      db):
    version = make.sop(office, status="active")
    db.session.commit()
    client = login_as(admin)
    url = f"{URL}/edit/?id={version.id}"
    assert f"/details/?id={version.id}" in client.get(url).location
    response = client.post(url, data=_form(name="Diubah"))
    assert f"/details/?id={version.id}" in response.location
    db.session.expire_all()
    assert version.name == "SOP Penanganan Pengaduan"


def test_sop_revise_needs_reason_then_opens_new_draft(login_as, admin, make, office,
                                                      db):
    version = make.sop(office, status="active")
    db.session.commit()
    client = login_as(admin)
    response = client.post(f"{URL}/revise/{version.id}", data={"reason": "  "})
    assert f"/details/?id={version.id}" in response.location
    assert _count(db) == 1
    response = client.post(f"{URL}/revise/{version.id}",
                           data={"reason": "Waktu layanan berubah"})
    draft = db.session.scalars(
        select(SopVersion).where(SopVersion.version_no == 2)).one()
    assert f"/edit/?id={draft.id}" in response.location
    assert draft.status == SopStatus.DRAFT
    assert draft.history[-1].change == "Waktu layanan berubah"
    reasons = db.session.scalars(select(AuditEntry.reason).where(
        AuditEntry.table_name == "sop_versions", AuditEntry.operation == "insert"))
    assert "Waktu layanan berubah" in set(reasons)
    assert client.get(response.location).status_code == 200


def test_sop_activate_draft_retires_previous(login_as, admin, make, office, db):
    version = make.sop(office, status="active")
    db.session.commit()
    client = login_as(admin)
    client.post(f"{URL}/revise/{version.id}", data={"reason": "Pembaruan"})
    draft = db.session.scalars(
        select(SopVersion).where(SopVersion.version_no == 2)).one()
    response = client.post(f"{URL}/activate/{draft.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert (version.status, draft.status) == (SopStatus.RETIRED, SopStatus.ACTIVE)
    client.post(f"{URL}/retire/{draft.id}")
    db.session.expire_all()
    assert draft.status == SopStatus.RETIRED


def test_sop_activate_invalid_draft_flashes_problems(login_as, admin, make, office,
                                                     db):
    version = make.sop(office)
    version.steps[-1].kind = StepKind.PROCESS  # no end step left
    db.session.commit()
    client = login_as(admin)
    response = client.post(f"{URL}/activate/{version.id}", follow_redirects=True)
    assert "end" in response.get_data(as_text=True)
    db.session.expire_all()
    assert version.status == SopStatus.DRAFT


def test_sop_of_other_office_is_not_found(login_as, admin, make, db):
    other = make.sop(make.office(), status="active")
    db.session.commit()
    client = login_as(admin)
    assert client.get(f"{URL}/details/?id={other.id}").status_code == 404
    assert client.get(f"{URL}/edit/?id={other.id}").status_code == 404
    for action in ("revise", "activate", "retire"):
        response = client.post(f"{URL}/{action}/{other.id}", data={"reason": "x"})
        assert response.status_code == 404, action
    assert _count(db) == 1


@pytest.mark.parametrize("level", [AccessLevel.STAFF, AccessLevel.RECORDS_OFFICER,
                                   AccessLevel.AUDITOR])
def test_sop_non_admin_reads_but_cannot_change(login_as, make, office, db, level):
    version = make.sop(office, status="active")
    draft = make.sop(office)
    user = make.user(office, level)
    db.session.commit()
    client = login_as(user)
    details = client.get(f"{URL}/details/?id={version.id}")
    assert details.status_code == 200
    assert "/revise/" not in details.get_data(as_text=True)
    assert client.get(f"{URL}/edit/?id={draft.id}").status_code == 403
    assert client.post(f"{URL}/new/", data=_form()).status_code == 403
    assert client.post(f"{URL}/revise/{version.id}",
                       data={"reason": "x"}).status_code == 403
    assert client.post(f"{URL}/activate/{draft.id}").status_code == 403
    assert client.post(f"{URL}/retire/{version.id}").status_code == 403
    db.session.expire_all()
    assert (version.status, draft.status) == (SopStatus.ACTIVE, SopStatus.DRAFT)
    assert _count(db) == 2


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match[1]


def test_sop_transitions_refuse_missing_csrf_token(app, login_as, admin, make,
                                                  office, db):
    version = make.sop(office, status="active")
    db.session.commit()
    client = login_as(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    details = client.get(f"{URL}/details/?id={version.id}").get_data(as_text=True)
    assert client.post(f"{URL}/revise/{version.id}",
                       data={"reason": "Tanpa token"}).status_code == 400
    assert client.post(f"{URL}/retire/{version.id}").status_code == 400
    assert _count(db) == 1
    data = {"reason": "Dengan token", "csrf_token": _token(details)}
    response = client.post(f"{URL}/revise/{version.id}", data=data)
    assert response.status_code == 302 and "/edit/" in response.location
    assert _count(db) == 2


def test_sop_print_returns_pdf_for_reader_and_404_elsewhere(login_as, make, office,
                                                             db):
    version = make.sop(office, number="045/SOP", status="active")
    other = make.sop(make.office(), status="active")
    user = make.user(office, AccessLevel.RECORDS_OFFICER)
    db.session.commit()
    client = login_as(user)
    details = client.get(f"{URL}/details/?id={version.id}").get_data(as_text=True)
    assert f"{URL}/print/{version.id}" in details
    response = client.get(f"{URL}/print/{version.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "SOP-045_SOP-v1.pdf" in response.headers["Content-Disposition"]
    assert client.get(f"{URL}/print/{other.id}").status_code == 404
    printed = db.session.scalars(select(AuditEntry).where(
        AuditEntry.operation == "event", AuditEntry.new_values.contains('"pdf"'))).all()
    assert [(e.table_name, e.row_key) for e in printed] == [
        ("sop_versions", str(version.id))]


def test_sop_create_duplicate_step_number_and_lane_named(login_as, admin, make,
                                                         office, db):
    make.role(office, "Admin Media Sosial")
    db.session.commit()
    client = login_as(admin)
    data = _form(**{"steps-4-number": "4", "lanes-2-role_name": "admin media sosial"})
    response = client.post(f"{URL}/new/", data=data)
    problems = _problems(response)
    assert "langkah 4 / step 4, number" in problems
    assert 'lanes[3]' in problems and "admin media sosial" in problems
    page = client.get(f"{URL}/new/").get_data(as_text=True)
    assert '<option value="Admin Media Sosial">' in page  # offered as a lane
    assert _count(db) == 0


def test_sop_export_csv_for_auditor(login_as, make, office, db):
    make.sop(office, number="=1+1", status="active")
    user = make.user(office, AccessLevel.AUDITOR)
    db.session.commit()
    response = login_as(user).get(f"{URL}/export/csv/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "'=1+1" in text and "Aktif" in text


def test_sop_create_office_choice_only_for_superadmin(login_as, admin, make, db):
    other = make.office()
    boss = make.user(make.office(), AccessLevel.ADMIN, is_superadmin=True)
    db.session.commit()
    client = login_as(admin)
    response = client.post(f"{URL}/new/", data=_form(office_id=str(other.id)))
    assert response.status_code == 200 and _count(db) == 0
    client = login_as(boss)
    response = client.post(f"{URL}/new/", data=_form(office_id=str(other.id)))
    assert response.status_code == 302
    version = db.session.scalars(select(SopVersion)).one()
    assert version.office_id == version.sop.office_id == other.id
    assert {lane.role.office_id for lane in version.lanes} == {other.id}
