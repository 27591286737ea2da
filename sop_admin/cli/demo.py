"""`flask demo load` and `flask demo logins`: a working panel on a fresh clone."""

import time

import click
from flask.cli import AppGroup

from .. import demo as demo_data
from ..demo import bulk
from ..errors import SopAdminError
from ..extensions import db
from ..models import utcnow

demo = AppGroup("demo", help="Data demo / demo data.")


@demo.command("load")
@click.option("--if-empty", is_flag=True,
              help="Lewati bila sudah ada kantor / do nothing when offices exist.")
@click.option("--complaints", "count", type=click.IntRange(min=0), default=300,
              show_default=True, help="Jumlah pengaduan / number of complaints.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Benih acak; sama = data sama / random seed; same seed, same data.")
def load_command(if_empty: bool, count: int, seed: int) -> None:
    """Muat lima SOP contoh, kantor, pengguna dan pengaduan / load the demo data.

    Everything is one transaction: on any error nothing is kept.
    """
    if if_empty and demo_data.has_offices():
        click.echo("Basis data sudah berisi kantor; data demo tidak dimuat / "
                   "offices exist; demo data not loaded.")
        return
    started = time.perf_counter()
    try:
        summary = demo_data.load(complaints=count, seed=seed, now=utcnow(),
                                 progress=_progressbar)
        db.session.commit()
    except (SopAdminError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except BaseException:
        db.session.rollback()
        raise
    click.echo(
        f"Data demo dimuat / demo data loaded: {summary.offices} kantor/offices, "
        f"{summary.sops} SOP aktif/active, {summary.users} pengguna/users, "
        f"{summary.complaints} pengaduan/complaints "
        f"({time.perf_counter() - started:.1f} s)."
    )


@demo.command("logins")
def logins_command() -> None:
    """Tampilkan akun demo / list the demo accounts and their password."""
    rows = demo_data.demo_logins()
    if not rows:
        click.echo("Belum ada akun demo; jalankan `flask demo load` / "
                   "no demo accounts; run `flask demo load`.")
        return
    header = ("username", "kantor/office", "level", "kata sandi/password")
    table = [header] + [(r.username, r.office_code, r.level, r.password) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths,
                                                               strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


@demo.command("bulk")
@click.option("--complaints", "count", type=click.IntRange(min=1), required=True,
              help="Jumlah pengaduan / number of complaints.")
@click.option("--office", "code", metavar="CODE",
              help="Hanya kantor ini / only this office (default: every office "
                   "with an active complaint SOP).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Benih acak / random seed.")
def bulk_command(count: int, code: str | None, seed: int) -> None:
    """Banyak pengaduan dengan riwayat langkah / many complaints with step history.

    For benchmarks: about 10 audit rows per complaint, written by the
    triggers and sealed into the chain. Commits every 1 000 complaints.
    """
    try:
        places = bulk.bulk_offices(code)
    except SopAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    started = time.perf_counter()
    with click.progressbar(length=count, label="Pengaduan / complaints") as bar:
        summary = bulk.generate(places, count, seed=seed, now=utcnow(),
                                progress=bar.update)
    seconds = time.perf_counter() - started
    rows = summary.complaints + summary.steps + summary.audit_rows
    click.echo(
        f"{summary.complaints} pengaduan/complaints, {summary.steps} langkah/steps, "
        f"{summary.audit_rows} baris audit/audit rows in {seconds:.1f} s "
        f"({rows / seconds:,.0f} rows/s, {summary.complaints / seconds:,.0f} "
        "complaints/s)")


def _progressbar(items, label: str):
    return click.progressbar(items, label=label)
