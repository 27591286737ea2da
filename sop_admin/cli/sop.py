"""`flask sop import|export`: SOP files (sop-admin/1 YAML) in and out of the database.

Other commands of the group (`flask sop pdf`) attach themselves to `sop_group`.
"""

from pathlib import Path

import click
from sqlalchemy import func

from .. import sopfile, sops
from ..errors import InvalidSopFile, SopAdminError
from ..extensions import db
from ..models import Office, utcnow


@click.group("sop")
def sop_group():
    """SOP: impor dan ekspor berkas YAML / import and export SOP files."""


def find_office(code: str | None) -> Office | None:
    """The office with this code (any case); None when no code is given."""
    if not code:
        return None
    office = db.session.scalar(
        db.select(Office).where(func.upper(Office.code) == code.strip().upper())
    )
    if office is None:
        raise click.ClickException(
            f'Unit kerja dengan kode "{code}" tidak ada / no office with code "{code}"'
        )
    return office


@sop_group.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--office", "office_code", metavar="CODE",
              help="Kode unit kerja tujuan / office code (default: from the file).")
@click.option("--activate", is_flag=True,
              help="Langsung aktifkan versi baru / make the new versions active.")
def import_command(files: tuple[Path, ...], office_code: str | None, activate: bool):
    """Impor berkas SOP, semua atau tidak sama sekali / import SOP files, all or none.

    Every file is checked first; on any problem nothing is written and every
    problem is printed with its file, step and field.
    """
    office = find_office(office_code)
    try:
        versions = sops.import_files(files, office=office, activate=activate,
                                     now=utcnow())
    except SopAdminError as exc:
        db.session.rollback()
        problems = exc.problems if isinstance(exc, InvalidSopFile) else [str(exc)]
        for problem in problems:
            click.echo(problem, err=True)
        count = len(problems)
        click.echo(f"Tidak ada yang diimpor ({count} masalah) / nothing imported "
                   f"({count} problem{'s' if count != 1 else ''})", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    for path, version in zip(files, versions, strict=True):
        click.echo(f"{path}: {version.office.code} "
                   f'"{version.sop.number or version.name}" v{version.version_no} '
                   f"({version.status.value})")
    click.echo(f"{len(versions)} berkas diimpor / files imported")


@sop_group.command("export")
@click.argument("number_or_id")
@click.option("--office", "office_code", metavar="CODE",
              help="Kode unit kerja bila nomor SOP dipakai beberapa unit / office "
                   "code when several offices use the number.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Tulis ke berkas ini (default: stdout) / write to this file.")
def export_command(number_or_id: str, office_code: str | None, output: Path | None):
    """Ekspor satu versi SOP sebagai YAML / export an SOP version as YAML.

    NUMBER_OR_ID is an SOP number (its active, else latest, version) or a
    version id.
    """
    try:
        version = sops.find_version(number_or_id, office=find_office(office_code))
    except SopAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    text = sopfile.dumps(sops.export_document(version))
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"{output}: v{version.version_no} ({version.status.value})", err=True)
