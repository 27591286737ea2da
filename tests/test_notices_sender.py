"""Delivering the outbox to a real SMTP server (aiosmtpd on a free local port)."""

import socket
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_admin.models import (
    AccessLevel,
    Disposition,
    NoticeKind,
    OutboxMessage,
    OutboxStatus,
)
from sop_admin.notices.sender import STALE_NOTE, MailSettings, claim, send_pending

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every mail; `refuse` answers DATA with an error."""

    def __init__(self):
        self.mails = []
        self.refuse: str | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd
        if self.refuse:
            return self.refuse
        with self.lock:
            self.mails.append(message_from_bytes(envelope.content,
                                                 policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def settings(port: int, **kw) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, sender="pengaduan@depok.go.id",
                        timeout=5, **kw)


def clock(start=NOW):
    return lambda: start


@pytest.fixture
def office(make):
    return make.office("DPK")


def add_messages(db, office, count: int, **kw) -> list[OutboxMessage]:
    rows = [OutboxMessage(office=office, kind=NoticeKind.DISPOSITION,
                          recipient=f"unit{i}@depok.go.id", subject=f"Disposisi {i}",
                          body_text=f"Isi {i}", body_html=f"<p>Isi {i}</p>",
                          message_id=f"<m{i}.{id(office)}@depok.go.id>",
                          next_attempt_at=NOW - timedelta(minutes=1), **kw)
            for i in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_sender_delivers_text_and_html_with_the_row_message_id(db, office,
                                                               smtp_server):
    inbox, port = smtp_server
    [row] = add_messages(db, office, 1)
    result = send_pending(db.session, settings(port), now=clock())
    assert (result.sent, result.retrying, result.failed) == (1, 0, 0)
    [mail] = inbox.mails
    assert mail["Message-ID"] == row.message_id
    assert mail["To"] == "unit0@depok.go.id"
    assert mail["From"] == "pengaduan@depok.go.id"
    assert mail["Subject"] == "Disposisi 0"
    assert mail.get_body(("plain",)).get_content().strip() == "Isi 0"
    assert mail.get_body(("html",)).get_content().strip() == "<p>Isi 0</p>"
    db.session.refresh(row)
    assert row.status == OutboxStatus.SENT and row.sent_at == NOW
    assert row.attempts == 1
    assert send_pending(db.session, settings(port), now=clock()).sent == 0
    assert len(inbox.mails) == 1


def test_refused_connection_backs_off_then_fails(db, office):
    port = free_port()  # nothing listens there
    [first, second] = add_messages(db, office, 2)
    conf = settings(port, max_attempts=3, retry_seconds=60)
    result = send_pending(db.session, conf, now=clock())
    assert result.unreachable and result.retrying == 1
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == OutboxStatus.PENDING and first.attempts == 1
    assert "Connection refused" in first.last_error or "111" in first.last_error
    assert first.next_attempt_at == NOW + timedelta(seconds=60)
    assert second.attempts == 0 and second.status == OutboxStatus.PENDING
    db.session.delete(second)
    db.session.commit()
    later = NOW + timedelta(seconds=61)
    send_pending(db.session, conf, now=clock(later))
    db.session.refresh(first)
    assert first.attempts == 2
    assert first.next_attempt_at == later + timedelta(seconds=120)
    send_pending(db.session, conf, now=clock(later + timedelta(hours=1)))
    db.session.refresh(first)
    assert first.attempts == 3 and first.status == OutboxStatus.FAILED


def test_server_error_is_kept_and_the_batch_goes_on(db, office, smtp_server):
    inbox, port = smtp_server
    add_messages(db, office, 2)
    inbox.refuse = "550 5.1.1 mailbox unavailable"
    result = send_pending(db.session, settings(port), now=clock())
    assert result.retrying == 2 and result.unreachable is None
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.last_error for r in rows} == {"550 5.1.1 mailbox unavailable"}


def test_a_claimed_row_is_not_claimed_again(db, office):
    rows = add_messages(db, office, 3)
    assert claim(db.session, NOW, 2) == [rows[0].id, rows[1].id]
    assert claim(db.session, NOW, 5) == [rows[2].id]
    assert claim(db.session, NOW, 5) == []


def test_two_senders_never_send_the_same_mail(app, db, office, smtp_server):
    inbox, port = smtp_server
    rows = add_messages(db, office, 30)
    results = []

    def run():
        with app.app_context(), Session(db.engine) as session:
            results.append(send_pending(session, settings(port), now=clock()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = sorted(mail["Message-ID"] for mail in inbox.mails)
    assert ids == sorted(r.message_id for r in rows)
    assert sum(r.sent for r in results) == 30


def test_row_left_sending_by_a_killed_sender_is_failed_not_resent(db, office,
                                                                  smtp_server):
    inbox, port = smtp_server
    [stuck, waiting] = add_messages(db, office, 2)
    assert claim(db.session, NOW, 1) == [stuck.id]  # ... and the sender died here
    result = send_pending(db.session, settings(port, stale_minutes=15),
                          now=clock(NOW + timedelta(minutes=20)))
    assert result.stale == 1 and result.sent == 1
    assert [m["Message-ID"] for m in inbox.mails] == [waiting.message_id]
    db.session.refresh(stuck)
    assert stuck.status == OutboxStatus.FAILED and stuck.last_error == STALE_NOTE


def test_mail_server_down_keeps_the_action_and_sends_once_later(
        app, make, db, office, smtp_server, runner):
    inbox, port = smtp_server
    version = make.sop(office, status="active")
    complaint = make.complaint(office, sop_version=version)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.add(Disposition(complaint=complaint, created_by=staff,
                               to_email="pupr@depok.go.id"))
    db.session.commit()  # the staff action
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=free_port(),
                      MAIL_SENDER="pengaduan@depok.go.id")
    down = runner.invoke(args=["outbox", "send"])
    assert down.exit_code == 1 and "unreachable" in down.output
    row = db.session.scalars(select(OutboxMessage)).one()
    db.session.refresh(row)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert db.session.scalar(select(Disposition.id)) is not None
    row.next_attempt_at = NOW  # the backoff has passed
    db.session.commit()
    app.config["MAIL_PORT"] = port
    up = runner.invoke(args=["outbox", "send", "--limit", "10"])
    assert up.exit_code == 0, up.output
    assert "sent 1" in up.output
    again = runner.invoke(args=["outbox", "send"])
    assert "sent 0" in again.output
    assert [m["To"] for m in inbox.mails] == ["pupr@depok.go.id"]
    assert f"Disposisi pengaduan {complaint.register_no}" == inbox.mails[0]["Subject"]


def test_without_mail_host_the_command_touches_nothing(app, db, office, runner):
    [row] = add_messages(db, office, 1)
    app.config["MAIL_HOST"] = None
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "MAIL_HOST" in result.output and "1 pesan" in result.output
    db.session.refresh(row)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0


def test_outbox_panel_lists_and_retries_for_admins_only(login_as, make, db, office):
    [sent, failed] = add_messages(db, office, 2)
    failed.status, failed.attempts = OutboxStatus.FAILED, 8
    failed.last_error = "550 mailbox unavailable"
    sent.status = OutboxStatus.SENT
    admin = make.user(office, AccessLevel.ADMIN)
    staff = make.user(office, AccessLevel.STAFF)
    outsider = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    listing = client.get("/admin/outbox/?flt0_0=failed")
    assert listing.status_code == 200
    assert "unit1@depok.go.id" in listing.get_data(as_text=True)
    assert "unit0@depok.go.id" not in listing.get_data(as_text=True)
    details = client.get(f"/admin/outbox/details/?id={failed.id}")
    assert "550 mailbox unavailable" in details.get_data(as_text=True)
    assert "Kirim ulang" in details.get_data(as_text=True)
    assert client.get("/admin/outbox/new/").status_code == 403
    response = client.post("/admin/outbox/action/", data={
        "action": "retry", "rowid": [str(failed.id), str(sent.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert failed.status == OutboxStatus.PENDING and failed.attempts == 0
    assert sent.status == OutboxStatus.SENT
    assert login_as(staff).get("/admin/outbox/").status_code == 403
    assert login_as(outsider).get(
        f"/admin/outbox/details/?id={failed.id}").status_code == 404
