"""Deliver the outbox: claim due rows, send them over SMTP, record each outcome.

Rows are claimed before they are sent, by one guarded UPDATE committed on
its own: `status='sending' WHERE id IN (due rows) AND status='pending'
RETURNING id` (PostgreSQL adds FOR UPDATE SKIP LOCKED to the choice of rows).
Of two senders (cron overlapping the background thread, two app servers)
only the one whose UPDATE changed a row sends it, so a mail never goes
twice. A batch of OUTBOX_BATCH rows (default 20) is claimed in one commit,
sent over one SMTP connection, and its outcomes are committed together:
two commits (and two audit seals) per batch instead of per mail, which is
what lets a slow disk still deliver dozens of mails a second.

A sender killed mid-batch leaves its batch in `sending`: which of those
mails left is unknowable, so such rows are never retried by themselves.
After OUTBOX_STALE_MINUTES the next run marks them failed with a note, and
an admin decides on "Kirim ulang" (the Message-ID stays the same, so a mail
client shows a duplicate as one mail). OUTBOX_BATCH=1 narrows that to the
one mail in flight, at the cost of throughput. On PostgreSQL outcomes are
committed without waiting for the disk (`synchronous_commit = off`): a
database crash can lose outcomes, which leaves rows in `sending` (reviewed
as above), never sends them again; claims always wait for the disk.

A failed attempt keeps the server's error, counts the attempt and waits
OUTBOX_RETRY_SECONDS x 2^(attempts-1) before the next (capped at a day);
after OUTBOX_MAX_ATTEMPTS the row is failed. A server that cannot be reached
ends the run: the rows of the batch not tried go back to pending untouched,
instead of spending every row's attempts on the same outage.
"""

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from ..models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(days=1)
STALE_NOTE = ("Pengirim berhenti saat mengirim pesan ini; periksa apakah surel "
              "sudah sampai sebelum mengirim ulang.")


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int = 25
    security: str = "none"  #: none | starttls | ssl
    username: str | None = None
    password: str | None = None
    sender: str = "sop-admin@localhost"
    timeout: float = 30.0
    max_attempts: int = 8
    retry_seconds: int = 60
    stale_minutes: int = 15
    batch: int = 20

    @classmethod
    def from_config(cls, config) -> "MailSettings | None":
        """None when no MAIL_HOST is configured (notices then wait in the outbox)."""
        if not config.get("MAIL_HOST"):
            return None
        security = (config.get("MAIL_SECURITY") or "none").lower()
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"MAIL_SECURITY={security!r}: none, starttls or ssl")
        return cls(
            host=config["MAIL_HOST"], port=int(config.get("MAIL_PORT") or 25),
            security=security, username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            sender=config.get("MAIL_SENDER") or cls.sender,
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
            max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS") or 8),
            retry_seconds=int(config.get("OUTBOX_RETRY_SECONDS") or 60),
            stale_minutes=int(config.get("OUTBOX_STALE_MINUTES") or 15),
            batch=int(config.get("OUTBOX_BATCH") or 20),
        )


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    stale: int = 0
    #: Set when the run stopped because the server could not be reached.
    unreachable: str | None = None
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"terkirim / sent {self.sent}, dicoba lagi nanti / retrying "
                f"{self.retrying}, gagal / failed {self.failed}")
        if self.stale:
            text += f", terhenti / stale {self.stale}"
        if self.unreachable:
            text += f"; server tidak terjangkau / unreachable: {self.unreachable}"
        return text


def backoff(settings: MailSettings, attempts: int) -> timedelta:
    delay = timedelta(seconds=settings.retry_seconds * 2 ** max(0, attempts - 1))
    return min(delay, MAX_BACKOFF)


def build_email(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = row.recipient
    mail["Subject"] = row.subject
    mail["Message-ID"] = row.message_id
    mail["Date"] = format_datetime(row.created_at)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(row.body_text)
    if row.body_html:
        mail.add_alternative(row.body_html, subtype="html")
    return mail


def connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def claim(session: Session, now: datetime, size: int) -> list[int]:
    """Take up to `size` due rows for this sender, oldest first; their ids.

    While `sending`, `next_attempt_at` holds when the claim was made (so a
    stuck row can be told from one being sent right now).
    """
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == OutboxStatus.PENDING,
                  OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
           .limit(size))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # Two statements: as a subquery of the UPDATE, PostgreSQL may evaluate
    # a LIMIT ... SKIP LOCKED choice more than once and claim too many rows.
    while True:
        chosen = list(session.scalars(due))
        ids = sorted(session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chosen),
                   OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING,
                    attempts=OutboxMessage.attempts + 1, next_attempt_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)).scalars()
        ) if chosen else []
        session.commit()
        if ids or not chosen:  # claimed some, or nothing is due
            return ids
        # another sender took every row chosen (SQLite has no SKIP LOCKED)


def _unclaim(session: Session, ids: list[int]) -> None:
    """Give back claimed rows that were never tried (the server is down)."""
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids),
                   OutboxMessage.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.PENDING,
                    attempts=OutboxMessage.attempts - 1)
            .execution_options(synchronize_session=False))


def _commit_outcome(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))
    session.commit()


def release_stale(session: Session, now: datetime, settings: MailSettings) -> int:
    """Mark rows left in `sending` by a killed sender as failed, for an admin."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.next_attempt_at
               < now - timedelta(minutes=settings.stale_minutes))
        .values(status=OutboxStatus.FAILED, last_error=STALE_NOTE)
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount


def _record_failure(session: Session, row: OutboxMessage, error: str,
                    now: datetime, settings: MailSettings, result: SendResult) -> None:
    row.last_error = error[:2000]
    if row.attempts >= settings.max_attempts:
        row.status = OutboxStatus.FAILED
        result.failed += 1
    else:
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = now + backoff(settings, row.attempts)
        result.retrying += 1
    result.errors.append(f"{row.recipient}: {row.last_error}")
    session.flush()


def _smtp_error(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg.decode(errors='replace')}"
                         for code, msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    return f"{type(exc).__name__}: {exc}"


def send_pending(
    session: Session,
    settings: MailSettings,
    *,
    now: Callable[[], datetime],
    limit: int | None = None,
    progress: Callable[[int, SendResult], None] | None = None,
) -> SendResult:
    """Deliver the due messages, oldest first, batch by batch."""
    result = SendResult(stale=release_stale(session, now(), settings))
    done, smtp = 0, None
    try:
        while limit is None or done < limit:
            size = settings.batch if limit is None else min(settings.batch,
                                                            limit - done)
            ids = claim(session, now(), size)
            if not ids:
                break
            rows = session.scalars(
                select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.id)
                .execution_options(populate_existing=True)).all()
            for index, row in enumerate(rows):
                try:
                    smtp = smtp or connect(settings)
                except (OSError, smtplib.SMTPException) as exc:
                    result.unreachable = _smtp_error(exc)
                    _record_failure(session, row, result.unreachable, now(),
                                    settings, result)
                    _unclaim(session, [r.id for r in rows[index + 1:]])
                    _commit_outcome(session)
                    return result
                smtp = _send_one(session, smtp, row, settings, now, result)
                done += 1
                if progress:
                    progress(done, result)
            _commit_outcome(session)
    finally:
        _close(smtp)
    return result


def _send_one(session: Session, smtp: smtplib.SMTP, row: OutboxMessage,
              settings: MailSettings, now, result: SendResult):
    """Send one row and flush its outcome; the connection to use next (None
    when the server dropped it)."""
    try:
        smtp.send_message(build_email(row, settings))
    except (OSError, smtplib.SMTPException) as exc:
        _record_failure(session, row, _smtp_error(exc), now(), settings, result)
        if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
            return _close(smtp)
        return smtp
    row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now(), None
    session.flush()
    result.sent += 1
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return None
