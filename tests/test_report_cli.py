"""`flask report daily|monthly` through the CLI runner."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from sop_admin.models import AuditEntry, SopStatus


@pytest.fixture
def office(make, db):
    office = make.office("DPK")
    version = make.sop(office, number="001/SOP/2026", status=SopStatus.ACTIVE)
    for day in (3, 5, 5):
        make.complaint(office, sop_version=version,
                       received_at=datetime(2026, 10, day, 3, tzinfo=UTC))
    db.session.commit()
    return office


def _events(db) -> list[dict]:
    db.session.rollback()
    rows = db.session.scalars(
        sa.select(AuditEntry.new_values).where(AuditEntry.operation == "event"))
    return [json.loads(v) for v in rows]


def test_monthly_writes_the_pdf_a_summary_and_an_audit_event(runner, db, office,
                                                             tmp_path):
    out = tmp_path / "oktober.pdf"
    result = runner.invoke(args=["report", "monthly", "--office", "dpk",
                                 "--month", "2026-10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    line = result.output.strip()
    assert len(result.output.strip().splitlines()) == 1
    assert "Oktober 2026" in line and "DPK" in line and "3 pengaduan" in line
    event = _events(db)[-1]
    assert event["document"] == "laporan_bulanan"
    assert (event["office"], event["period_first"], event["period_last"]) == (
        "DPK", "2026-10-01", "2026-10-31")


def test_daily_with_sop_number(runner, db, office, tmp_path):
    out = tmp_path / "harian.pdf"
    result = runner.invoke(args=["report", "daily", "--office", "DPK", "--date",
                                 "2026-10-05", "--sop", "001/SOP/2026", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert "5 Oktober 2026" in result.output and "2 pengaduan" in result.output
    assert _events(db)[-1]["document"] == "laporan_harian"


@pytest.mark.parametrize(("args", "message"), [
    (["monthly", "--office", "NOPE", "--month", "2026-10"], 'kode "NOPE" tidak ada'),
    (["monthly", "--office", "DPK", "--month", "2026-13"], 'Bulan "2026-13"'),
    (["monthly", "--office", "DPK", "--month", "Oktober"], "TTTT-BB"),
    (["daily", "--office", "DPK", "--date", "2026-02-30"], 'Tanggal "2026-02-30"'),
    (["monthly", "--office", "DPK", "--month", "2026-10", "--sop", "999/X"],
     "tidak ditemukan"),
])
def test_clear_errors_and_no_file(runner, db, office, tmp_path, args, message):
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["report", *args, "-o", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()
    assert _events(db) == []


def test_sop_of_another_office_is_refused(runner, db, office, make, tmp_path):
    other = make.sop(make.office("YGY"), number="777/YGY", status=SopStatus.ACTIVE)
    db.session.commit()
    result = runner.invoke(args=["report", "monthly", "--office", "DPK", "--month",
                                 "2026-10", "--sop", str(other.id), "-o",
                                 str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "tidak ditemukan" in result.output


def test_office_without_sop(runner, db, make, tmp_path):
    make.office("KSG")
    db.session.commit()
    result = runner.invoke(args=["report", "monthly", "--office", "KSG", "--month",
                                 "2026-10", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "SOP tidak ditemukan" in result.output
