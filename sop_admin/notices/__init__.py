"""E-mail notices through a transactional outbox.

`listener` writes `OutboxMessage` rows in the flush of the change that
causes them; `sender` delivers them afterwards (`flask outbox send` from
cron, or the optional background thread started here); `templates` holds
the Indonesian wording and each office's own.
"""

import logging
import threading

from flask import Flask

from ..extensions import db
from ..models import utcnow
from . import listener
from .sender import MailSettings, send_pending

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    listener.install()
    if app.config.get("OUTBOX_BACKGROUND") and not app.testing:
        # Started by the first request, so `flask db upgrade` and other
        # commands never start a sender.
        started = threading.Event()

        @app.before_request
        def _start_sender() -> None:
            if not started.is_set():
                started.set()
                threading.Thread(target=_background, args=(app,), daemon=True,
                                 name="outbox-sender").start()


def _background(app: Flask) -> None:
    """Send what is due every OUTBOX_INTERVAL_SECONDS, for the process's life."""
    interval = app.config.get("OUTBOX_INTERVAL_SECONDS", 60)
    stop = threading.Event()
    while not stop.wait(interval):
        with app.app_context():
            try:
                settings = MailSettings.from_config(app.config)
                if settings is not None:
                    result = send_pending(db.session, settings, now=utcnow)
                    if result.sent or result.retrying or result.failed:
                        log.info("outbox: %s", result.summary())
            except Exception:  # the thread must outlive a bad run; logged in full
                log.exception("outbox: background send failed")
                db.session.rollback()
            finally:
                db.session.remove()
