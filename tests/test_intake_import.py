"""Batch import (intake_import.py) and `flask complaint import`."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from sop_admin import tracking
from sop_admin.intake_import import ImportRefused, import_complaints
from sop_admin.models import AuditEntry, Channel, Classification, Complaint

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
HEADER = ["Kanal", "Diterima", "Pelapor", "Perihal", "Uraian", "ID unggahan",
          "Tautan unggahan asli", "Rahasia", "Klasifikasi"]


def _row(n, **kw):
    row = {"Kanal": "Instagram", "Diterima": f"2026-11-2{n % 8} 10:{n:02d}",
           "Pelapor": f"Warga {n}", "Perihal": f"Jalan rusak {n}",
           "Uraian": "Berlubang di depan pasar.", "ID unggahan": f"POST{n}",
           "Tautan unggahan asli": f"https://www.instagram.com/p/POST{n}/",
           "Rahasia": "tidak", "Klasifikasi": "Pengaduan"}
    row.update(kw)
    return [row[h] for h in HEADER]


def _csv(rows, header=HEADER, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Complaint))


@pytest.fixture
def office(make):
    return make.office("DPK")


def test_import_csv_registers_every_row_with_codes(office, db):
    report = import_complaints(office, _csv([_row(1), _row(2, Rahasia="ya")]),
                               "batch.csv", actor=None, now=NOW)
    db.session.commit()
    assert [row for row, _ in report.registered] == [2, 3]
    first, second = (r for _, r in report.registered)
    assert first.complaint.register_no == "DPK/2026/000001"
    assert first.complaint.channel == Channel.INSTAGRAM
    assert first.complaint.classification == Classification.COMPLAINT
    # 10:01 WIB is 03:01 UTC.
    assert first.complaint.received_at == datetime(2026, 11, 21, 3, 1, tzinfo=UTC)
    assert second.complaint.confidential is True
    assert tracking.matches(first.complaint, first.tracking_code)
    assert _count(db) == 2


def test_import_xlsx_with_dates_numbers_and_formulas_kept_as_text(office, db):
    rows = [_row(1, Diterima=datetime(2026, 11, 20, 8, 30), **{
        "ID unggahan": 1234567890123, "Perihal": "=HYPERLINK(\"http://x\",\"klik\")"})]
    report = import_complaints(office, _xlsx(rows), "batch.xlsx", actor=None, now=NOW)
    [(_, registration)] = report.registered
    complaint = registration.complaint
    assert complaint.subject == '=HYPERLINK("http://x","klik")'
    assert complaint.external_post_id == "1234567890123"
    assert complaint.received_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def test_import_semicolon_csv_and_english_headers(office, db):
    header = ["channel", "received_at", "reporter_name", "subject", "description",
              "external_post_id", "source_url", "confidential", "classification"]
    data = _csv([_row(3, Kanal="whatsapp", Klasifikasi="aspiration")], header, ";")
    report = import_complaints(office, data, "x.csv", actor=None, now=NOW)
    assert report.registered[0][1].complaint.channel == Channel.WHATSAPP


def test_import_bad_rows_write_nothing_and_name_row_and_field(office, db):
    rows = [_row(1), _row(2, Kanal="Telegram"), _row(3, Diterima="besok pagi"),
            _row(4, Perihal=""), _row(5, Rahasia="mungkin"),
            _row(6, Diterima="2099-01-01 10:00")]
    with pytest.raises(ImportRefused) as info:
        import_complaints(office, _csv(rows), "b.csv", actor=None, now=NOW)
    found = {(p.row, p.field) for p in info.value.report.problems}
    assert found == {(3, "channel"), (4, "received_at"), (5, "subject"),
                     (6, "confidential"), (7, "received_at")}
    assert "baris 3, channel" in str(info.value)
    db.session.rollback()
    assert _count(db) == 0


def test_import_unknown_and_missing_columns_refused(office, db):
    header = ["Kanal", "Perihal", "Uraian", "Suka"]
    with pytest.raises(ImportRefused) as info:
        import_complaints(office, _csv([["sms", "a", "b", "3"]], header), "c.csv",
                          actor=None, now=NOW)
    problems = {(p.row, p.field) for p in info.value.report.problems}
    assert problems == {(1, "Suka"), (1, "Diterima")}


def test_import_duplicates_in_file_and_against_db_refused(office, make, db):
    make.complaint(office, channel=Channel.INSTAGRAM, external_post_id="POST9")
    db.session.commit()
    rows = [_row(1), _row(2), _row(1, Perihal="lagi"), _row(9)]
    with pytest.raises(ImportRefused) as info:
        import_complaints(office, _csv(rows), "d.csv", actor=None, now=NOW)
    messages = {p.row: p.message for p in info.value.report.problems}
    assert set(messages) == {4, 5}
    assert "baris 2" in messages[4]
    assert "sudah terdaftar" in messages[5]
    db.session.rollback()
    assert _count(db) == 1


def test_import_duplicates_skipped_when_asked(office, make, db):
    make.complaint(office, channel=Channel.INSTAGRAM, external_post_id="POST9")
    rows = [_row(1), _row(1), _row(9), _row(2)]
    report = import_complaints(office, _csv(rows), "d.csv", actor=None, now=NOW,
                               skip_duplicates=True)
    assert [row for row, _ in report.registered] == [2, 5]
    assert [p.row for p in report.duplicates] == [3, 4]
    assert "2 tercatat, 2 duplikat" in report.summary()


def test_import_dry_run_writes_nothing(office, db):
    report = import_complaints(office, _csv([_row(1)]), "e.csv", actor=None,
                               now=NOW, dry_run=True)
    assert report.rows == 1 and report.registered == []
    assert _count(db) == 0


@pytest.mark.parametrize(("data", "name"), [
    (b"\xff\xfe\x00garbage", "x.csv"), (b"PK\x03\x04broken", "x.xlsx"),
    (b"", "x.csv"), (b"abc", "x.xls")])
def test_import_unreadable_file_refused(data, name, office, db):
    with pytest.raises(ImportRefused) as info:
        import_complaints(office, data, name, actor=None, now=NOW)
    assert info.value.report.problems


# --- the CLI ---------------------------------------------------------------------

def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_cli_import_good_file_prints_codes_and_summary(office, db, runner, tmp_path):
    db.session.commit()
    path = _write(tmp_path, "ok.xlsx", _xlsx([_row(1), _row(2)]))
    result = runner.invoke(args=["complaint", "import", path, "--office", "dpk"])
    assert result.exit_code == 0, result.output
    assert "DPK/2026/000001" in result.stdout and "DPK/2026/000002" in result.stdout
    assert "2 baris: 2 tercatat" in result.output
    complaint = db.session.scalars(select(Complaint).order_by(Complaint.id)).first()
    code = next(line.split(",")[2] for line in result.stdout.splitlines()
                if "DPK/2026/000001" in line)
    assert tracking.matches(complaint, code)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "complaints")).first()
    assert entry.interface == "import" and entry.actor_name.endswith("(CLI)")


def test_cli_import_codes_to_file(office, db, runner, tmp_path):
    db.session.commit()
    path = _write(tmp_path, "ok.csv", _csv([_row(1)]))
    codes = tmp_path / "codes.csv"
    result = runner.invoke(args=["complaint", "import", path, "--office", "DPK",
                                 "--codes", str(codes)])
    assert result.exit_code == 0, result.output
    assert "DPK/2026/000001" not in result.stdout
    lines = codes.read_text().splitlines()
    assert lines[0] == "row,register_no,tracking_code"
    assert lines[1].startswith("2,DPK/2026/000001,")
    assert codes.stat().st_mode & 0o777 == 0o600


def test_cli_import_bad_file_exit_1_nothing_written(office, db, runner, tmp_path):
    db.session.commit()
    path = _write(tmp_path, "bad.csv", _csv([_row(1), _row(2, Kanal="")]))
    result = runner.invoke(args=["complaint", "import", path, "--office", "DPK"])
    assert result.exit_code == 1
    assert "baris 3, channel" in result.output
    assert "Tidak ada yang diimpor" in result.output
    assert _count(db) == 0


def test_cli_import_dry_run_and_unknown_office(office, db, runner, tmp_path):
    db.session.commit()
    path = _write(tmp_path, "ok.csv", _csv([_row(1)]))
    dry = runner.invoke(args=["complaint", "import", path, "--office", "DPK",
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "nothing written" in dry.output
    assert _count(db) == 0
    unknown = runner.invoke(args=["complaint", "import", path, "--office", "ZZZ"])
    assert unknown.exit_code == 1 and "ZZZ" in unknown.output
    usage = runner.invoke(args=["complaint", "import", path])
    assert usage.exit_code == 2


def test_cli_import_skip_duplicates(office, db, runner, tmp_path):
    db.session.commit()
    path = _write(tmp_path, "dup.csv", _csv([_row(1), _row(1)]))
    refused = runner.invoke(args=["complaint", "import", path, "--office", "DPK"])
    assert refused.exit_code == 1 and "sama dengan baris 2" in refused.output
    skipped = runner.invoke(args=["complaint", "import", path, "--office", "DPK",
                                  "--skip-duplicates"])
    assert skipped.exit_code == 0, skipped.output
    assert "dilewati" in skipped.output
    assert _count(db) == 1
