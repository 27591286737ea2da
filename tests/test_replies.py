"""Replies to the reporter: one final answer, no future times, office-scoped."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sop_admin import replies
from sop_admin.models import (
    AccessLevel,
    Channel,
    NoticeKind,
    OutboxMessage,
    OutboxStatus,
    Reply,
)
from sop_admin.printing.complaint_history import complaint_history_pdf

RECEIVED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
NOW = RECEIVED + timedelta(days=1)


@pytest.fixture
def office(make):
    return make.office("DPK")


@pytest.fixture
def staff(make, office):
    return make.user(office, AccessLevel.STAFF, full_name="Dewi Staf")


@pytest.fixture
def complaint(make, office):
    return make.complaint(office, received_at=RECEIVED)


def test_a_new_final_answer_unflags_the_previous_one(db, complaint, staff):
    first = replies.record(complaint, text="Jawaban pertama", channel=Channel.SMS,
                           actor=staff, now=NOW, final=True)
    note = replies.record(complaint, text="Sedang dicek", channel="whatsapp",
                          actor=staff, now=NOW)
    second = replies.record(complaint, text="Jawaban kedua", channel=Channel.SMS,
                            actor=staff, now=NOW, final=True)
    db.session.commit()
    db.session.expire_all()
    assert (first.is_final, note.is_final, second.is_final) == (False, False, True)
    assert replies.final_reply(complaint) == second
    assert second.user == staff and note.channel == Channel.WHATSAPP


def test_reply_time_may_be_set_back_but_not_ahead(db, complaint, staff):
    earlier = NOW - timedelta(hours=5)
    reply = replies.record(complaint, text="Dijawab via telepon",
                           channel=Channel.PHONE, actor=staff, now=NOW,
                           sent_at=earlier)
    assert reply.sent_at == earlier
    assert replies.record(complaint, text="Sekarang", channel=Channel.PHONE,
                          actor=staff, now=NOW).sent_at == NOW
    for bad, words in ((NOW + timedelta(minutes=1), "masa depan"),
                       (RECEIVED - timedelta(minutes=1), "sebelum pengaduan")):
        with pytest.raises(replies.InvalidReply, match=words):
            replies.record(complaint, text="x", channel=Channel.PHONE, actor=staff,
                           now=NOW, sent_at=bad)
    with pytest.raises(replies.InvalidReply, match="wajib"):
        replies.record(complaint, text="  ", channel=Channel.PHONE, actor=staff,
                       now=NOW)


def test_staff_records_a_reply_from_the_complaint_page(login_as, db, make, office,
                                                       complaint, staff):
    db.session.commit()
    client = login_as(staff)
    page = client.get(f"/admin/complaint/details/?id={complaint.id}")
    assert f"/admin/reply/new/?complaint_id={complaint.id}" in page.get_data(
        as_text=True)
    response = client.post(
        f"/admin/reply/new/?complaint_id={complaint.id}",
        data={"text": "Sudah kami teruskan ke Dinas PUPR.", "channel": "whatsapp",
              "sent_at": "2026-11-02T12:30", "is_final": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    reply = db.session.scalars(select(Reply)).one()
    assert reply.complaint_id == complaint.id and reply.user_id == staff.id
    assert reply.sent_at == datetime(2026, 11, 2, 5, 30, tzinfo=UTC)  # 12.30 WIB
    assert reply.is_final
    page = client.get(f"/admin/complaint/details/?id={complaint.id}")
    assert "Sudah kami teruskan ke Dinas PUPR." in page.get_data(as_text=True)


def test_reply_form_refuses_a_future_time(login_as, db, complaint, staff):
    db.session.commit()
    response = login_as(staff).post(
        f"/admin/reply/new/?complaint_id={complaint.id}",
        data={"text": "Nanti", "channel": "sms", "sent_at": "2099-01-01T10:00"})
    assert response.status_code == 200
    assert "masa depan" in response.get_data(as_text=True)
    assert db.session.scalars(select(Reply)).all() == []


def test_replies_are_scoped_to_the_office_and_level(login_as, db, make, office,
                                                    complaint, staff):
    replies.record(complaint, text="Balasan", channel=Channel.SMS, actor=staff,
                   now=NOW)
    other = make.office()
    outsider = make.user(other, AccessLevel.STAFF)
    records = make.user(office, AccessLevel.RECORDS_OFFICER)
    db.session.commit()
    client = login_as(outsider)
    assert client.get(f"/admin/reply/new/?complaint_id={complaint.id}"
                      ).status_code == 404
    assert "Balasan" not in client.get("/admin/reply/").get_data(as_text=True)
    client = login_as(records)
    assert "Balasan" in client.get("/admin/reply/").get_data(as_text=True)
    assert client.get(f"/admin/reply/new/?complaint_id={complaint.id}"
                      ).status_code == 403


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def test_history_sheet_lists_replies_and_notices(db, make, office, staff):
    complaint = make.complaint(office, received_at=RECEIVED, confidential=True,
                               reporter_name="Ani Rahasia",
                               reporter_email="ani.rahasia@example.id")
    replies.record(complaint, text="Jawaban <akhir> kami", channel=Channel.EMAIL,
                   actor=staff, now=NOW, final=True)
    db.session.add_all([
        OutboxMessage(office=office, complaint=complaint, kind=NoticeKind.CLOSED,
                      recipient="ani.rahasia@example.id", subject="Pengaduan selesai",
                      body_text="-", message_id="<a@x>", status=OutboxStatus.SENT,
                      sent_at=NOW),
        OutboxMessage(office=office, complaint=complaint,
                      kind=NoticeKind.DISPOSITION, recipient="pupr@depok.go.id",
                      subject="Disposisi", body_text="-", message_id="<b@x>",
                      status=OutboxStatus.FAILED, last_error="550 no such user"),
    ])
    db.session.flush()
    text = _pdf_text(complaint_history_pdf(complaint))
    assert "Tanggapan kepada Pelapor" in text and "Jawaban <akhir> kami" in text
    assert "Dewi Staf" in text
    assert "Pemberitahuan Surel" in text and "pupr@depok.go.id" in text
    assert "Gagal: 550 no such user" in text and "Terkirim" in text
    assert "ani.rahasia@example.id" not in text
    revealed = _pdf_text(complaint_history_pdf(complaint, reveal_identity=True))
    assert "ani.rahasia@example.id" in revealed
