"""`flask backup create|restore` on the test's engine (SQLite or PostgreSQL)."""

import sqlite3

import pytest

from sop_admin import backup
from sop_admin.extensions import db as _db
from sop_admin.models import AccessLevel

from .conftest import PG_URL, make_test_app, postgres_scratch_database


@pytest.fixture
def scratch_uri(database_uri, tmp_path):
    """An empty database (no tables) on the same engine as the test's."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    yield from postgres_scratch_database(database_uri, "restore")


@pytest.fixture
def filled(make, db):
    office = make.office(code="DPK")
    version = make.sop(office, number="001")
    user = make.user(office, AccessLevel.STAFF)
    for n in range(5):
        make.complaint(office, subject=f"Lampu jalan mati {n}", sop_version=version,
                       created_by=user)
    db.session.commit()
    return backup.table_counts(db.engine)


def _restore(uri, file, *extra):
    target = make_test_app(uri)
    with target.app_context():
        result = target.test_cli_runner().invoke(
            args=["backup", "restore", str(file), *extra])
        counts = backup.table_counts(_db.engine)
        _db.engine.dispose()
    return result, counts


def test_backup_then_restore_into_empty_database(filled, runner, tmp_path,
                                                 scratch_uri):
    file = tmp_path / "cadangan.bak"
    made = runner.invoke(args=["backup", "create", "-o", str(file)])
    assert made.exit_code == 0, made.output
    assert "Cadangan dibuat" in made.output and file.stat().st_size > 0

    restored, counts = _restore(scratch_uri, file)
    assert restored.exit_code == 0, restored.output
    assert counts == filled
    assert filled["complaints"] == 5 and filled["audit_entries"] > 5
    assert f"{filled['audit_entries']} entri terverifikasi" in restored.output
    assert "Jejak audit OK" in restored.output


def test_restore_refuses_non_empty_database_without_force(filled, runner, tmp_path,
                                                          database_uri, make, db):
    file = tmp_path / "cadangan.bak"
    assert runner.invoke(args=["backup", "create", "-o", str(file)]).exit_code == 0
    make.office(code="BARU")  # written after the backup
    db.session.commit()
    db.session.close()
    refused, counts = _restore(database_uri, file)
    assert refused.exit_code == 2
    assert "tidak kosong" in refused.output and "--force" in refused.output
    assert counts["offices"] == filled["offices"] + 1  # untouched

    forced, counts = _restore(database_uri, file, "--force")
    assert forced.exit_code == 0, forced.output
    assert counts == filled


def test_backup_refuses_to_overwrite_a_file(runner, tmp_path):
    file = tmp_path / "ada.bak"
    file.write_text("jangan ditimpa")
    result = runner.invoke(args=["backup", "create", "-o", str(file)])
    assert result.exit_code == 2 and "sudah ada" in result.output
    assert file.read_text() == "jangan ditimpa"


def test_restore_of_a_broken_file_changes_nothing(filled, tmp_path, scratch_uri):
    file = tmp_path / "rusak.bak"
    file.write_bytes(b"bukan cadangan" * 100)
    result, counts = _restore(scratch_uri, file)
    assert result.exit_code == 2 and "GAGAL" in result.output
    assert sum(counts.values()) == 0


@pytest.mark.skipif(bool(PG_URL), reason="edits the SQLite backup file directly")
def test_restore_reports_a_tampered_audit_chain(filled, runner, tmp_path,
                                                scratch_uri):
    file = tmp_path / "cadangan.sqlite3"
    assert runner.invoke(args=["backup", "create", "-o", str(file)]).exit_code == 0
    conn = sqlite3.connect(file)
    guards = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = 'audit_entries'").fetchall()
    for (name,) in guards:  # what someone with the file could do
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("UPDATE audit_entries SET actor_name = 'orang lain' WHERE seq = 2")
    conn.commit()
    conn.close()
    result, _counts = _restore(scratch_uri, file)
    assert result.exit_code == 1
    assert "GAGAL" in result.output and "seq 2 changed" in result.output
