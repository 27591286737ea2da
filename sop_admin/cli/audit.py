"""`flask audit verify|checkpoint|seal`: check and anchor the audit chain.

Exit codes: 0 the chain (and checkpoint) hold; 1 tampering found (the first
bad seq and what is wrong is printed); 2 a usage problem (no key, bad file).
"""

import json
import sys
from pathlib import Path

import click
from flask import current_app

from .. import audit
from ..extensions import db
from ..models.types import utcnow


@click.group("audit", help="Jejak audit / audit trail: verify, checkpoint, seal.")
def audit_group() -> None:
    pass


def _key() -> str | None:
    return current_app.config.get("AUDIT_CHECKPOINT_KEY")


def _read_checkpoint(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise click.ClickException(
            f"{path}: checkpoint tidak terbaca / cannot read checkpoint: {exc}"
        ) from exc


@audit_group.command("verify")
@click.option("--checkpoint", "checkpoint_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Checkpoint yang disimpan / a saved checkpoint to check against.")
@click.option("--client-hash", is_flag=True,
              help="Hitung hash di sini, bukan di server / hash every row here "
                   "instead of trusting PostgreSQL's computation (slower, one "
                   "process).")
def verify_command(checkpoint_file: Path | None, client_hash: bool) -> None:
    """Periksa seluruh rantai hash / verify the whole hash chain."""
    checkpoint = _read_checkpoint(checkpoint_file) if checkpoint_file else None
    engine = db.engine

    def progress(count: int) -> None:
        click.echo(f"  ... {count:,} entri / entries", err=True)

    if engine.dialect.name == "postgresql" and not client_hash:
        # The server checks every row; big logs in one range per CPU.
        result = audit.verify_parallel(engine)
    else:  # SQLite always, PostgreSQL on request: every row hashed here
        result = audit.verify(engine, progress=progress, client_hash=client_hash)
    problem = result.problem
    if problem is None and checkpoint is not None:
        try:
            problem = audit.check_checkpoint(engine, checkpoint, _key())
        except audit.CheckpointError as exc:
            click.echo(f"GAGAL / FAILED: {exc}", err=True)
            sys.exit(2)
    if problem is not None:
        click.echo(f"GAGAL / FAILED: seq {problem.seq} {problem.kind}: "
                   f"{problem.message}", err=True)
        sys.exit(1)
    anchored = (f", cocok dengan checkpoint seq {checkpoint['seq']}"
                if checkpoint else "")
    click.echo(
        f"OK: {result.count} entri terverifikasi / entries verified, head seq "
        f"{result.head_seq} {result.head_hash[:16]}…{anchored}; "
        f"{result.unsealed} belum disegel / unsealed"
    )


@audit_group.command("checkpoint")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Simpan ke berkas / write to FILE (default: print).")
def checkpoint_command(output: Path | None) -> None:
    """Tanda tangani kepala rantai / sign the chain head (HMAC-SHA256).

    Keep the output outside this server (another office, paper, e-mail):
    `flask audit verify --checkpoint FILE` later proves history up to it.
    """
    audit.seal(db.engine)
    try:
        checkpoint = audit.make_checkpoint(db.engine, _key(), utcnow())
    except audit.CheckpointError as exc:
        click.echo(f"GAGAL / FAILED: {exc}", err=True)
        sys.exit(2)
    text = json.dumps(checkpoint, indent=2) + "\n"
    if output:
        output.write_text(text)
        click.echo(f"Checkpoint seq {checkpoint['seq']} disimpan / written: {output}")
    else:
        click.echo(text, nl=False)


@audit_group.command("seal")
def seal_command() -> None:
    """Segel entri yang belum disegel / seal unsealed entries (e.g. from psql)."""
    count = audit.seal(db.engine)
    click.echo(f"{count} entri disegel / entries sealed")
