"""Replies (tanggapan): what the reporter was told, on which channel, by whom.

A reply records a message already sent elsewhere (WhatsApp, a comment, a
letter), so its time may be set back, but never into the future nor before
the complaint was received. One reply per complaint may be the final answer
(jawaban akhir), the text /lacak and the "closed" mail show: flagging a new
one unflags the previous one in the same transaction, with the complaint row
locked (PostgreSQL) so two officers flagging at once cannot leave two.

Services flush, never commit.
"""

from datetime import datetime

from sqlalchemy import select, update

from .errors import SopAdminError
from .extensions import db
from .models import Channel, Complaint, Reply, User


class InvalidReply(SopAdminError):
    """A reply that cannot be recorded; the message names the field."""


def final_reply(complaint: Complaint) -> Reply | None:
    return db.session.scalar(select(Reply).where(
        Reply.complaint_id == complaint.id, Reply.is_final.is_(True)).limit(1))


def check(reply: Reply, complaint: Complaint, *, now: datetime) -> None:
    """Refuse an empty text, an unknown channel, a time in the future or
    before the complaint was received."""
    if not (reply.text or "").strip():
        raise InvalidReply("Isi tanggapan wajib diisi.")
    try:
        reply.channel = Channel(reply.channel)
    except ValueError as exc:
        raise InvalidReply(f"Kanal {reply.channel!r} tidak dikenal.") from exc
    if reply.sent_at is None:
        reply.sent_at = now
    if reply.sent_at > now:
        raise InvalidReply("Waktu tanggapan tidak boleh di masa depan.")
    if reply.sent_at < complaint.received_at:
        raise InvalidReply(
            "Waktu tanggapan tidak boleh sebelum pengaduan diterima.")


def save(reply: Reply, complaint: Complaint, *, actor: User | None,
         now: datetime) -> Reply:
    """Check `reply`, attach it to `complaint` and keep one final answer."""
    check(reply, complaint, now=now)
    reply.text = reply.text.strip()
    reply.complaint = complaint
    if reply.user_id is None and reply.user is None:
        reply.user = actor
    db.session.add(reply)
    if reply.is_final:
        # Lock the complaint: concurrent "final" flags queue here.
        db.session.execute(select(Complaint.id).where(Complaint.id == complaint.id)
                           .with_for_update())
        db.session.flush()
        db.session.execute(
            update(Reply)
            .where(Reply.complaint_id == complaint.id, Reply.id != reply.id,
                   Reply.is_final.is_(True))
            .values(is_final=False)
            .execution_options(synchronize_session="fetch"))
    db.session.flush()
    return reply


def record(complaint: Complaint, *, text: str, channel: Channel | str,
           actor: User | None, now: datetime, sent_at: datetime | None = None,
           final: bool = False) -> Reply:
    """Record a reply sent to the reporter (see `save`)."""
    return save(Reply(text=text, channel=channel, sent_at=sent_at, is_final=final),
                complaint, actor=actor, now=now)
