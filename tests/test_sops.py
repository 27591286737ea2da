"""The SOP service: import/export of the five seeds, the version life cycle."""

import copy
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

import sop_admin
from sop_admin import sopfile, sops
from sop_admin.errors import InvalidSopFile, SopAdminError, SopNotEditable
from sop_admin.models import (
    AccessLevel,
    Office,
    Role,
    Sop,
    SopListItem,
    SopStatus,
    SopStep,
    SopVersion,
    TimeUnit,
)

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
SEEDS = sorted((Path(sop_admin.__file__).parent / "demo" / "sops").glob("*.yaml"))
TABLES = (Office, Role, Sop, SopVersion, SopStep, SopListItem)


def _counts(db) -> dict:
    count = sa.select(sa.func.count())
    return {m.__tablename__: db.session.scalar(count.select_from(m)) for m in TABLES}


def _seed(name: str) -> Path:
    return next(p for p in SEEDS if p.stem == name)


def test_seeds_five_files_present():
    assert [p.stem for p in SEEDS] == [
        "bekasi", "depok", "jakarta", "jawa-tengah", "yogyakarta"]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_import_export_seed_round_trip_gives_equal_document(db, path):
    [version] = sops.import_files([path], now=NOW)
    db.session.commit()
    db.session.expire_all()
    exported = sopfile.dumps(sops.export_document(db.session.get(SopVersion,
                                                                  version.id)))
    assert sopfile.loads(exported) == sopfile.load(path)
    assert sops.problems(version) == []


def test_import_seed_with_activate_is_active_and_valid(db):
    versions = sops.import_files(SEEDS, activate=True, now=NOW)
    db.session.commit()
    assert [v.status for v in versions] == [SopStatus.ACTIVE] * 5
    assert len({v.office_id for v in versions}) == 5
    assert all(v.activated_at == NOW for v in versions)


def test_import_document_creates_office_roles_and_parsed_times(db):
    version = sops.import_document(sopfile.load(_seed("depok")), now=NOW)
    office = version.office
    assert office.code == "DKI-DEP"
    assert office.division == "Bidang Informasi dan Komunikasi Publik"
    assert [lane.name for lane in version.lanes][:2] == [
        "Masyarakat/Pelapor", "Admin Media Sosial"]
    assert {r.name for r in office.roles} >= {"Koordinator Call Center"}
    step = version.step(15)
    assert (step.time_text, step.time_amount, step.time_unit) == (
        "1 jam", 1, TimeUnit.HOUR)
    assert version.status == SopStatus.DRAFT and version.version_no == 1


def test_import_document_same_unit_reuses_office_and_sop(db):
    first = sops.import_document(sopfile.load(_seed("jakarta")), now=NOW)
    second = sops.import_document(sopfile.load(_seed("jakarta")), now=NOW)
    assert second.office_id == first.office_id
    assert second.sop_id == first.sop_id
    assert second.version_no == 2
    roles = db.session.scalars(sa.select(Role).where(
        Role.office_id == first.office_id)).all()
    assert len(roles) == 3


def test_import_document_empty_number_matches_sop_by_name(db):
    first = sops.import_document(sopfile.load(_seed("bekasi")), now=NOW)
    document = sopfile.load(_seed("bekasi"))
    document.name = "SOP Lain"
    other = sops.import_document(document, now=NOW)
    again = sops.import_document(sopfile.load(_seed("bekasi")), now=NOW)
    assert other.sop_id != first.sop_id
    assert again.sop_id == first.sop_id


def test_import_document_given_office_used_and_roles_made_there(db, make):
    office = make.office("KOMINFO")
    version = sops.import_document(sopfile.load(_seed("yogyakarta")), office=office,
                                   now=NOW)
    assert version.office_id == office.id
    assert version.unit_government == "Pemerintah Kota Yogyakarta"
    assert {r.name for r in office.roles} == {"Pelapor", "Admin Medsos", "Admin Pusat"}


def test_office_code_rule_examples(db, make):
    assert sops.office_code("Pemerintah Kota Yogyakarta",
                            "Dinas Komunikasi Informatika dan Persandian") == "DKIP-YOG"
    assert sops.office_code(
        "Pemerintah Provinsi Jawa Tengah",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak (DP3AP2KB)") == "DP3AP2KB-JT"
    assert sops.office_code("Pemerintah Provinsi Daerah Khusus Ibukota Jakarta",
                            "Dinas Kebudayaan") == "DK-DKI"
    make.office("DK-DJ")
    assert sops.office_code("Pemerintah Provinsi DKI Jakarta",
                            "Dinas Kebudayaan") == "DK-DJ2"


def test_import_files_one_broken_file_writes_nothing(db, tmp_path):
    data = yaml.safe_load(_seed("depok").read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    broken["steps"][3]["if_no"] = 99
    bad = tmp_path / "rusak.yaml"
    bad.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    before = _counts(db)
    with pytest.raises(InvalidSopFile) as caught:
        sops.import_files([_seed("jakarta"), bad, _seed("bekasi")], activate=True,
                          now=NOW)
    assert _counts(db) == before  # nothing added, not even before a rollback
    problems = caught.value.problems
    assert all(p.startswith(f"{bad}: ") for p in problems)
    assert any("step 4, if_no" in p and "step 99 does not exist" in p
               for p in problems)


def test_import_document_broken_in_code_refused_before_writing(db):
    document = sopfile.load(_seed("jakarta"))
    document.steps[1].lane = "Kasie"
    before = _counts(db)
    with pytest.raises(InvalidSopFile, match="step 2, lane"):
        sops.import_document(document, now=NOW)
    assert _counts(db) == before


def test_find_version_by_number_prefers_active(db):
    first = sops.import_document(sopfile.load(_seed("jakarta")), activate=True,
                                 now=NOW)
    sops.import_document(sopfile.load(_seed("jakarta")), now=NOW)
    assert sops.find_version("1762 / - 073.71") is first
    assert sops.find_version(first.id) is first
    assert sops.find_version(str(first.id)) is first


def test_find_version_without_active_gives_latest(db):
    sops.import_document(sopfile.load(_seed("jakarta")), now=NOW)
    latest = sops.import_document(sopfile.load(_seed("jakarta")), now=NOW)
    assert sops.find_version("1762 / - 073.71") is latest


def test_find_version_number_in_two_offices_needs_office(db, make):
    other = make.office("LAIN")
    sops.import_document(sopfile.load(_seed("jakarta")), now=NOW)
    mine = sops.import_document(sopfile.load(_seed("jakarta")), office=other, now=NOW)
    with pytest.raises(SopAdminError, match="several offices"):
        sops.find_version("1762 / - 073.71")
    assert sops.find_version("1762 / - 073.71", office=other) is mine


def test_find_version_unknown_raises(db):
    with pytest.raises(SopAdminError, match="no SOP numbered"):
        sops.find_version("X/1")
    with pytest.raises(SopAdminError, match="not found"):
        sops.find_version(404)


def test_problems_on_database_version_match_file_rules(db, make):
    version = make.sop(make.office())
    assert sops.problems(version) == []
    version.step(2).if_no = 9
    version.step(3).time_text = "secepatnya"
    found = sops.problems(version)
    assert any("step 2, if_no" in p and "step 9 does not exist" in p for p in found)
    assert any("step 3, time" in p and '"secepatnya"' in p for p in found)


def test_problems_step_lane_of_other_version_reported(db, make):
    office = make.office()
    version, other = make.sop(office), make.sop(office, name="Lain")
    version.step(3).lane = other.lanes[0]
    assert any("step 3, lane" in p for p in sops.problems(version))


def test_activate_retires_previous_active(db):
    first = sops.import_document(sopfile.load(_seed("depok")), activate=True, now=NOW)
    second = sops.import_document(sopfile.load(_seed("depok")), now=NOW)
    later = datetime(2026, 12, 1, tzinfo=UTC)
    sops.activate(second, now=later)
    db.session.commit()
    assert (first.status, first.retired_at) == (SopStatus.RETIRED, later)
    assert (second.status, second.activated_at) == (SopStatus.ACTIVE, later)
    active = db.session.scalars(sa.select(SopVersion).where(
        SopVersion.sop_id == first.sop_id, SopVersion.status == SopStatus.ACTIVE))
    assert [v.id for v in active] == [second.id]


def test_activate_version_with_problems_refused(db, make):
    version = make.sop(make.office())
    version.step(2).if_yes = None
    with pytest.raises(SopAdminError, match="step 2, if_yes"):
        sops.activate(version, now=NOW)
    assert version.status == SopStatus.DRAFT


def test_activate_non_draft_refused(db):
    version = sops.import_document(sopfile.load(_seed("bekasi")), activate=True,
                                   now=NOW)
    with pytest.raises(SopAdminError, match="only a draft"):
        sops.activate(version, now=NOW)


def test_second_active_version_refused_by_database(db):
    first = sops.import_document(sopfile.load(_seed("bekasi")), activate=True,
                                 now=NOW)
    second = sops.import_document(sopfile.load(_seed("bekasi")), now=NOW)
    db.session.commit()
    second.status = SopStatus.ACTIVE
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert first.status == SopStatus.ACTIVE


def test_retire_active_then_again_refused(db):
    version = sops.import_document(sopfile.load(_seed("bekasi")), activate=True,
                                   now=NOW)
    sops.retire(version, now=NOW)
    assert (version.status, version.retired_at) == (SopStatus.RETIRED, NOW)
    with pytest.raises(SopAdminError, match="already retired"):
        sops.retire(version, now=NOW)


def test_revise_active_copies_into_new_draft(db, make):
    active = sops.import_document(sopfile.load(_seed("jakarta")), activate=True,
                                  now=NOW)
    db.session.commit()
    actor = make.user(active.office, AccessLevel.ADMIN, full_name="Retno Ayati")
    draft = sops.revise(active, actor=actor, reason="Revisi waktu layanan",
                        now=datetime(2026, 11, 28, 20, 0, tzinfo=UTC))
    db.session.commit()
    assert (draft.status, draft.version_no, draft.sop_id) == (
        SopStatus.DRAFT, 2, active.sop_id)
    assert active.status == SopStatus.ACTIVE
    old, new = sops.export_document(active), sops.export_document(draft)
    assert new.history[-1].change == "Revisi waktu layanan"
    assert new.history[-1].date == date(2026, 11, 29)  # 03:00 WIB next day
    assert new.history[-1].note == "Retno Ayati"
    new.history.pop()
    assert new == old
    assert {s.id for s in draft.steps}.isdisjoint({s.id for s in active.steps})
    assert [lane.role_id for lane in draft.lanes] == [
        lane.role_id for lane in active.lanes]


def test_revise_then_activate_keeps_old_readable(db):
    active = sops.import_document(sopfile.load(_seed("yogyakarta")), activate=True,
                                  now=NOW)
    draft = sops.revise(active, actor=None, reason="Tambah langkah", now=NOW)
    draft.step(1).activity = "Pelapor menyampaikan aduan"
    sops.activate(draft, now=NOW)
    db.session.commit()
    assert active.status == SopStatus.RETIRED
    assert active.step(1).activity.startswith("Pelapor menyampaikan aduan melalui")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revise_without_reason_refused(db, reason):
    active = sops.import_document(sopfile.load(_seed("bekasi")), activate=True,
                                  now=NOW)
    with pytest.raises(SopAdminError, match="reason"):
        sops.revise(active, actor=None, reason=reason, now=NOW)


def test_revise_draft_refused(db):
    draft = sops.import_document(sopfile.load(_seed("bekasi")), now=NOW)
    with pytest.raises(SopAdminError, match="only the active"):
        sops.revise(draft, actor=None, reason="x", now=NOW)


def test_ensure_editable_refuses_active_and_retired(db):
    version = sops.import_document(sopfile.load(_seed("bekasi")), now=NOW)
    sops.ensure_editable(version)
    sops.activate(version, now=NOW)
    with pytest.raises(SopNotEditable):
        sops.ensure_editable(version)
    sops.retire(version, now=NOW)
    with pytest.raises(SopNotEditable):
        sops.ensure_editable(version)
