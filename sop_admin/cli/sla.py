"""`flask sla check`: escalate late steps (meant for cron, e.g. every 5 minutes)."""

from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from .. import escalation
from ..extensions import db
from ..models import utcnow
from .sop import find_office

sla_group = AppGroup("sla", help="Batas waktu layanan / service-level checks.")


def _moment(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"bukan waktu ISO 8601 / not an ISO 8601 time: {value}") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _interval() -> timedelta | None:
    minutes = current_app.config.get("SLA_ESCALATION_MINUTES")
    return timedelta(minutes=int(minutes)) if minutes else None


@sla_group.command("check")
@click.option("--now", "now_text", metavar="ISO",
              help="Anggap sekarang pukul ini / check as if it were this time "
                   "(ISO 8601; no offset means UTC).")
@click.option("--office", "office_code", metavar="CODE",
              help="Hanya unit kerja ini / only this office.")
@click.option("--dry-run", is_flag=True,
              help="Tampilkan saja, jangan simpan / show, write nothing.")
def check_command(now_text: str | None, office_code: str | None,
                  dry_run: bool) -> None:
    """Eskalasi langkah terlambat / escalate overdue steps as their SOP says."""
    now = _moment(now_text)
    office = find_office(office_code)
    overdue, planned = escalation.check(
        db.session, now, office_id=office.id if office else None,
        interval=_interval(), dry_run=dry_run)
    for item in planned:
        late = int(item.late_by.total_seconds() // 60)
        click.echo(f"{item.complaint.register_no} langkah/step "
                   f"{item.record.step_number}: terlambat/late {late} menit/min "
                   f"-> level {item.level} {item.lane.name}")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    note = " (dry run: tidak ada yang disimpan / nothing written)" if dry_run else ""
    click.echo(f"{len(overdue)} langkah terlambat / overdue steps, "
               f"{len(planned)} eskalasi / escalations{note}")
