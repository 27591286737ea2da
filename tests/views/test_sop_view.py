"""The SOP screens: drafts edited through the form, transitions, access."""

import pytest
from sqlalchemy import func, select

from sop_admin.models import (
    AccessLevel,
    ListName,
    SopStatus,
    SopVersion,
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
