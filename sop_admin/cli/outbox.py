"""`flask outbox send`: deliver the notices waiting in the outbox (for cron).

Exit codes: 0 done (also when no MAIL_HOST is set: nothing is touched);
1 the mail server could not be reached (the rest stays pending for the next
run, so cron reports the outage without losing anything).
"""

import sys

import click
from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, utcnow
from ..notices.sender import MailSettings, send_pending


@click.group("outbox", help="Kotak keluar surel / e-mail outbox.")
def outbox_group() -> None:
    pass


@outbox_group.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Paling banyak N pesan / at most N messages this run.")
def send_command(limit: int | None) -> None:
    """Kirim pesan yang jatuh tempo / send the messages that are due."""
    try:
        settings = MailSettings.from_config(current_app.config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if settings is None:
        waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status
                                           == OutboxStatus.PENDING))
        click.echo(f"MAIL_HOST belum diatur / not set: {waiting} pesan tetap "
                   "menunggu di outbox / messages stay in the outbox.")
        return

    now = utcnow()
    due = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= now))
    total = min(due, limit) if limit else due

    def progress(done: int, result) -> None:
        click.echo(f"\r{done}/{total}: {result.summary()}", nl=False, err=True)

    result = send_pending(db.session, settings, now=utcnow, limit=limit,
                          progress=progress)
    click.echo("", err=True)
    for error in result.errors:
        click.echo(f"  {error}", err=True)
    click.echo(f"outbox: {result.summary()}")
    if result.unreachable:
        sys.exit(1)
