"""`flask complaint import FILE --office CODE`: a batch of complaints from CSV/XLSX.

All or nothing: every row is checked first and nothing is written if any row
is wrong (exit 1, each problem on stderr with its row and field). The
tracking codes of the registered complaints are shown once: written to
`--codes FILE` (CSV: row, register_no, tracking_code), else printed.
"""

import getpass
import os
import sys
from pathlib import Path

import click

from .. import audit
from ..extensions import db
from ..intake_import import ImportRefused, codes_csv, import_complaints
from ..models import utcnow
from .sop import find_office


@click.group("complaint")
def complaint_group():
    """Pengaduan: impor berkas / complaints: batch import."""


def _progressbar(items, label: str):
    return click.progressbar(items, label=label, file=sys.stderr)


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


@complaint_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--office", "office_code", metavar="CODE", required=True,
              help="Kode unit kerja / office code.")
@click.option("--dry-run", is_flag=True,
              help="Hanya periksa, tidak menulis / check only, write nothing.")
@click.option("--skip-duplicates", is_flag=True,
              help="Lewati unggahan yang sudah terdaftar / skip posts already "
                   "registered (default: refuse the file).")
@click.option("--codes", "codes_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Tulis kode lacak ke CSV ini / write the tracking codes to "
                   "this CSV (default: print them).")
def import_command(file: Path, office_code: str, dry_run: bool,
                   skip_duplicates: bool, codes_path: Path | None):
    """Impor pengaduan dari CSV/XLSX, semua atau tidak sama sekali / import
    complaints from CSV or XLSX, all or nothing."""
    office = find_office(office_code)
    token = audit.set_context("import", actor_name=f"{_operator()} (CLI)")
    try:
        report = import_complaints(
            office, file.read_bytes(), file.name, actor=None, now=utcnow(),
            skip_duplicates=skip_duplicates, dry_run=dry_run, progress=_progressbar)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except ImportRefused as exc:
        db.session.rollback()
        for problem in exc.report.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Tidak ada yang diimpor / nothing imported. "
                   f"{exc.report.summary()}", err=True)
        raise SystemExit(1) from exc
    except BaseException:
        db.session.rollback()
        raise
    finally:
        audit.reset_context(token)
    for skipped in report.duplicates:
        click.echo(f"{skipped} (dilewati / skipped)", err=True)
    if report.registered:
        text = codes_csv(report)
        if codes_path is None:
            click.echo(text, nl=False)
        else:
            codes_path.write_text(text, encoding="utf-8")
            codes_path.chmod(0o600)
            click.echo(f"Kode lacak / tracking codes: {codes_path}", err=True)
    prefix = "Pemeriksaan saja, tidak ada yang ditulis / dry run, nothing written. " \
        if dry_run else ""
    click.echo(prefix + report.summary(), err=True)
