"""Command groups (`flask sop ...`, `flask demo ...`), registered by the factory."""

from flask import Flask


def register(app: Flask) -> None:
    for group in _groups():
        app.cli.add_command(group)


def _groups():
    from . import sop_pdf  # noqa: F401 - attaches `flask sop pdf` to sop_group
    from .audit import audit_group
    from .backup import backup_group
    from .complaint import complaint_group
    from .demo import demo
    from .outbox import outbox_group
    from .report import report_group
    from .sla import sla_group
    from .sop import sop_group

    return [demo, sop_group, audit_group, backup_group, complaint_group,
            outbox_group, report_group, sla_group]
