"""`flask report daily|monthly`: the complaint reports of an office as PDF.

    flask report monthly --office DPK --month 2026-10 [--sop NUMBER_OR_ID] -o FILE
    flask report daily --office DPK --date 2026-10-05 [--sop NUMBER_OR_ID] -o FILE

Without --sop the office's complaint SOP is used. The print is recorded in
the audit trail like a print from the panel.
"""

from pathlib import Path

import click

from .. import reports, sops
from ..errors import SopAdminError
from ..extensions import db
from ..models import utcnow
from ..printing.report import period_text, record_report_print, report_pdf
from .sop import find_office

_COMMON = [
    click.option("--office", "office_code", required=True, metavar="CODE",
                 help="Kode unit kerja / office code."),
    click.option("--sop", "sop_ref", metavar="NUMBER_OR_ID",
                 help="Nomor SOP atau id versi (default: SOP pengaduan unit) / "
                      "SOP number or version id (default: the complaint SOP)."),
    click.option("-o", "--output", required=True,
                 type=click.Path(dir_okay=False, writable=True, path_type=Path),
                 help="Berkas PDF tujuan / PDF file to write."),
    click.option("--paper", type=click.Choice(["A4", "F4"], case_sensitive=False),
                 help="Ukuran kertas / paper size (default: the office's)."),
]


def _options(func):
    for option in reversed(_COMMON):
        func = option(func)
    return func


@click.group("report")
def report_group():
    """Laporan pengaduan harian dan bulanan / daily and monthly reports."""


@report_group.command("monthly")
@click.option("--month", required=True, metavar="YYYY-MM",
              help="Bulan laporan / report month, e.g. 2026-10.")
@_options
def monthly_command(month, office_code, sop_ref, output, paper):
    """Laporan bulanan ke PDF / monthly report to PDF."""
    office = find_office(office_code)
    try:
        period = reports.monthly_period(*reports.parse_month(month), office)
    except SopAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    _print(office, period, sop_ref, output, paper)


@report_group.command("daily")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD",
              help="Tanggal laporan / report date, e.g. 2026-10-05.")
@_options
def daily_command(day, office_code, sop_ref, output, paper):
    """Laporan harian ke PDF / daily report to PDF."""
    office = find_office(office_code)
    try:
        period = reports.daily_period(reports.parse_day(day), office)
    except SopAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    _print(office, period, sop_ref, output, paper)


def _print(office, period, sop_ref, output: Path, paper) -> None:
    try:
        if sop_ref:
            version = sops.find_version(sop_ref, office)
        else:
            version = reports.version_for(office, None)
        report = reports.build_report(office, version, period, utcnow())
    except SopAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    data = report_pdf(report, paper=paper)
    output.write_bytes(data)
    record_report_print(report, data, paper)
    db.session.commit()
    share = report.within_share
    click.echo(
        f"{output}: {len(data)} bytes, {period_text(report)}, {office.code}, "
        f"SOP {version.sop.number or version.name}: {report.received} pengaduan, "
        f"{'-' if share is None else f'{share:.0%}'} langkah dalam standar, "
        f"{report.overdue_total} terlambat"
    )

