"""Backups of the whole database, and restoring one with the audit chain checked.

SQLite is copied page by page with the online backup API
(`sqlite3.Connection.backup`): a consistent snapshot even while the app
writes, no need to stop it. PostgreSQL is dumped with `pg_dump -Fc` (one
consistent snapshot too) and restored with `pg_restore --clean --if-exists
--single-transaction`, so a failed restore leaves the target as it was.
Triggers are recreated after the data is loaded (pg_dump puts them in the
post-data section; the SQLite copy is of pages), so restoring writes no new
audit rows and the restored chain is exactly the saved one: `restore`
verifies it and returns the result for the caller to report.

Restoring refuses a target that holds any row unless `force` is given.
Stop the app servers before restoring over a live database.
"""

import os
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from . import audit
from .errors import SopAdminError

Progress = Callable[[str], None]


class BackupError(SopAdminError):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class RestoreResult:
    counts: dict[str, int]
    verify: audit.VerifyResult


def _quiet(_message: str) -> None:
    pass


def table_counts(engine) -> dict[str, int]:
    """Rows per table (alembic's bookkeeping left out)."""
    names = sorted(n for n in sa.inspect(engine).get_table_names()
                   if n != "alembic_version")
    with engine.connect() as conn:
        return {n: conn.execute(sa.select(sa.func.count()).select_from(sa.table(n)))
                .scalar_one() for n in names}


def is_empty(engine) -> bool:
    return not any(table_counts(engine).values())


def default_name(engine, now) -> str:
    suffix = "sqlite3" if engine.dialect.name == "sqlite" else "dump"
    return f"sop-admin-{now:%Y%m%d-%H%M%S}.{suffix}"


def _sqlite_path(engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("Basis data SQLite di memori tidak bisa dicadangkan / "
                          "an in-memory SQLite database cannot be backed up.")
    return path


def _sqlite_copy(source: str, target: str, progress: Progress) -> None:
    def report(_status, remaining, total):
        progress(f"{total - remaining}/{total} halaman / pages")

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=4096, progress=report)
    finally:
        src.close()
        dst.close()


def _pg_args(engine) -> tuple[list[str], dict]:
    """libpq connection options and environment (the password never on the
    command line, where `ps` would show it)."""
    url = engine.url
    args = ["-d", url.database or ""]
    for flag, value in (("-h", url.host), ("-p", url.port), ("-U", url.username)):
        if value:
            args += [flag, str(value)]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict, progress: Progress) -> None:
    """Run pg_dump/pg_restore with -v, passing its progress lines on."""
    try:
        process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE,  # noqa: S603
                                   stdout=subprocess.DEVNULL, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} tidak ditemukan / not found: install the "
                          "PostgreSQL client (apt-get install postgresql-client)"
                          ) from exc
    lines = []
    with process:
        for line in process.stderr:
            lines.append(line.rstrip())
            if "table" in line or "TABLE" in line:
                progress(line.strip())
    if process.returncode != 0:
        tail = "\n".join(lines[-5:])
        raise BackupError(
            f"{command[0]} gagal / failed ({process.returncode}):\n{tail}")


def _check_sqlite(path: Path) -> None:
    check = sqlite3.connect(path)
    try:
        intact = check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        intact = False
    finally:
        check.close()
    if not intact:
        raise BackupError(f"{path}: bukan cadangan SQLite yang utuh / "
                          "not an intact SQLite backup")


def create(engine, output: Path, progress: Progress = _quiet) -> int:
    """Write a backup of the database to `output`; returns its size in bytes."""
    if output.exists():
        raise BackupError(f"{output}: berkas sudah ada / file exists")
    output.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        _sqlite_copy(_sqlite_path(engine), str(output), progress)
    else:
        args, env = _pg_args(engine)
        _run(["pg_dump", "-Fc", "-v", "-f", str(output), *args], env, progress)
    return output.stat().st_size


def restore(engine, backup: Path, *, force: bool = False,
            progress: Progress = _quiet) -> RestoreResult:
    """Replace the database's content with a backup, then verify the chain."""
    if not backup.is_file():
        raise BackupError(f"{backup}: berkas tidak ada / no such file")
    if not force and not is_empty(engine):
        raise BackupError("Basis data tujuan tidak kosong; pakai --force untuk "
                          "menimpanya / the target database is not empty; "
                          "use --force to overwrite it.")
    engine.dispose()  # no pooled connection may keep the old schema
    if engine.dialect.name == "sqlite":
        _check_sqlite(backup)
        _sqlite_copy(str(backup), _sqlite_path(engine), progress)
    else:
        args, env = _pg_args(engine)
        _run(["pg_restore", "-v", "--clean", "--if-exists", "--single-transaction",
              "--no-owner", "--exit-on-error", *args, str(backup)], env, progress)
    engine.dispose()
    if engine.dialect.name == "postgresql":
        result = audit.verify_parallel(engine)
    else:
        result = audit.verify(engine)
    return RestoreResult(table_counts(engine), result)
