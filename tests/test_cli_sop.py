"""`flask sop import|export` through the CLI runner."""

from pathlib import Path

import sqlalchemy as sa
import yaml

import sop_admin
from sop_admin import sopfile
from sop_admin.models import Office, Role, Sop, SopStatus, SopStep, SopVersion

SEEDS = Path(sop_admin.__file__).parent / "demo" / "sops"
TABLES = (Office, Role, Sop, SopVersion, SopStep)


def _counts(db) -> dict:
    count = sa.select(sa.func.count())
    return {m.__tablename__: db.session.scalar(count.select_from(m)) for m in TABLES}


def _broken_copy(tmp_path: Path) -> Path:
    data = yaml.safe_load((SEEDS / "jakarta.yaml").read_text(encoding="utf-8"))
    data["steps"][2]["lane"] = "Kasie"
    data["steps"][0]["warna"] = "merah"
    path = tmp_path / "rusak.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def test_cli_import_seeds_prints_line_per_file_and_summary(runner, db):
    files = [str(SEEDS / "depok.yaml"), str(SEEDS / "bekasi.yaml")]
    result = runner.invoke(args=["sop", "import", *files, "--activate"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{files[0]}: DKI-DEP ") and "(active)" in lines[0]
    assert lines[1].startswith(f"{files[1]}: DKISP-BEK ")
    assert lines[2] == "2 berkas diimpor / files imported"
    db.session.rollback()  # committed by the command: visible from a new transaction
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SopVersion)) == 2


def test_cli_import_into_given_office(runner, db, make):
    office = make.office("KOMINFO")
    db.session.commit()
    result = runner.invoke(args=["sop", "import", str(SEEDS / "jakarta.yaml"),
                                 "--office", "kominfo"])
    assert result.exit_code == 0, result.output
    version = db.session.scalar(sa.select(SopVersion))
    assert version.office_id == office.id
    assert version.status == SopStatus.DRAFT


def test_cli_import_unknown_office_code_fails(runner, db):
    result = runner.invoke(args=["sop", "import", str(SEEDS / "jakarta.yaml"),
                                 "--office", "TIDAKADA"])
    assert result.exit_code != 0
    assert "TIDAKADA" in result.output
    assert _counts(db)["sops"] == 0


def test_cli_import_broken_file_exits_nonzero_and_writes_nothing(runner, db,
                                                                 tmp_path):
    bad = _broken_copy(tmp_path)
    before = _counts(db)
    result = runner.invoke(args=["sop", "import", str(SEEDS / "depok.yaml"),
                                 str(bad), str(SEEDS / "bekasi.yaml")])
    assert result.exit_code == 1
    errors = result.stderr
    assert f"{bad}: langkah 3 / step 3, lane:" in errors
    assert f'{bad}: langkah 1 / step 1: kunci tidak dikenal "warna"' in errors
    assert "nothing imported (2 problems)" in errors
    assert result.stdout == ""
    db.session.rollback()
    assert _counts(db) == before


def test_cli_export_to_stdout_reads_back_as_the_file(runner, db):
    runner.invoke(args=["sop", "import", str(SEEDS / "jawa-tengah.yaml")])
    result = runner.invoke(args=["sop", "export", "276/SOP/KBKIE/2024"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("format: sop-admin/1\n")
    assert sopfile.loads(result.stdout) == sopfile.load(SEEDS / "jawa-tengah.yaml")


def test_cli_export_by_id_to_file(runner, db, tmp_path):
    runner.invoke(args=["sop", "import", str(SEEDS / "bekasi.yaml")])
    version_id = db.session.scalar(sa.select(SopVersion.id))
    target = tmp_path / "keluar.yaml"
    result = runner.invoke(args=["sop", "export", str(version_id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sopfile.load(target) == sopfile.load(SEEDS / "bekasi.yaml")


def test_cli_export_unknown_number_fails(runner, db):
    result = runner.invoke(args=["sop", "export", "X/404"])
    assert result.exit_code == 1
    assert 'no SOP numbered "X/404"' in result.output
