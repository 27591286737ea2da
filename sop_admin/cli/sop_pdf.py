"""`flask sop pdf NUMBER_OR_ID -o FILE`: print an SOP version to PDF.

The print is recorded in the audit trail (who, which version, a hash of
the bytes).

Attaches itself to helper A's `sop_group`; importing this module is what
registers the command.
"""

from pathlib import Path

import click

from .. import sops
from ..errors import SopAdminError
from ..extensions import db
from ..printing import sop_pdf
from ..printing.log import record_print
from .sop import find_office, sop_group


@sop_group.command("pdf")
@click.argument("number_or_id")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Berkas PDF tujuan / PDF file to write.",
)
@click.option(
    "--office",
    "office_code",
    metavar="CODE",
    help="Kode unit kerja bila nomor SOP dipakai beberapa unit / office code.",
)
@click.option(
    "--paper",
    type=click.Choice(["A4", "F4"], case_sensitive=False),
    help="Ukuran kertas / paper size (default: the office's).",
)
def pdf_command(
    number_or_id: str, output: Path, office_code: str | None, paper: str | None
) -> None:
    """Cetak dokumen SOP ke PDF / print an SOP document to PDF."""
    try:
        version = sops.find_version(number_or_id, find_office(office_code))
    except SopAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    data = sop_pdf(version, paper=paper)
    output.write_bytes(data)
    record_print(version, data, paper=paper)
    db.session.commit()
    click.echo(f"{output}: {len(data)} bytes, SOP {version}")
