"""`flask backup create|restore`: whole-database backups, audit chain checked.

Exit codes: 0 done (restore: and the chain verified); 1 restored but the
audit chain does not verify; 2 nothing done (a usage problem, a non-empty
target without --force, a failed pg_dump/pg_restore).
"""

import sys
import time
from pathlib import Path

import click
from flask import current_app

from .. import backup
from ..extensions import db
from ..models.types import utcnow


@click.group("backup", help="Cadangan basis data / database backups.")
def backup_group() -> None:
    pass


def _progress(message: str) -> None:
    click.echo(f"  ... {message}", err=True)


@backup_group.command("create")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas cadangan / backup file (default: instance/backups/"
                   "sop-admin-<date>-<time>.sqlite3|.dump).")
def create_command(output: Path | None) -> None:
    """Buat cadangan / write a consistent backup while the app keeps running."""
    engine = db.engine
    if output is None:
        output = (Path(current_app.instance_path) / "backups"
                  / backup.default_name(engine, utcnow()))
    started = time.perf_counter()
    try:
        size = backup.create(engine, output, progress=_progress)
    except backup.BackupError as exc:
        click.echo(f"GAGAL / FAILED: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Cadangan dibuat / backup written: {output} ({size / 1e6:.1f} MB, "
               f"{time.perf_counter() - started:.1f} s)")


@backup_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Timpa basis data yang berisi data / overwrite a database "
                   "that holds data.")
def restore_command(file: Path, force: bool) -> None:
    """Pulihkan cadangan / restore a backup, then verify the audit chain.

    Stop the app servers first when restoring over a live database.
    """
    started = time.perf_counter()
    try:
        result = backup.restore(db.engine, file, force=force, progress=_progress)
    except backup.BackupError as exc:
        click.echo(f"GAGAL / FAILED: {exc}", err=True)
        sys.exit(2)
    counts = result.counts
    click.echo(f"Dipulihkan / restored: {file} ({time.perf_counter() - started:.1f} s)"
               f"; {counts.get('complaints', 0)} pengaduan/complaints, "
               f"{sum(counts.values())} baris/rows in {len(counts)} tables")
    verify = result.verify
    if verify.problem is not None:
        click.echo(f"Jejak audit GAGAL / audit chain FAILED: seq {verify.problem.seq} "
                   f"{verify.problem.kind}: {verify.problem.message}", err=True)
        sys.exit(1)
    click.echo(f"Jejak audit OK / audit chain OK: {verify.count} entri terverifikasi "
               f"/ entries verified, head seq {verify.head_seq}; "
               f"{verify.unsealed} belum disegel / unsealed")
