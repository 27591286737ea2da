"""The outbox is written by the change that causes a notice, and rolls back with it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sop_admin import replies, tracking, workflow
from sop_admin.models import (
    AccessLevel,
    Channel,
    ComplaintStep,
    Disposition,
    Escalation,
    NoticeKind,
    NoticeTemplate,
    OutboxMessage,
    OutboxStatus,
)
from sop_admin.notices.templates import (
    DEFAULTS,
    InvalidNoticeTemplate,
    Wording,
    check,
)

RECEIVED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
REPORTER = ("Siti Pelapor Rahasia", "0813-5555-0000", "siti.rahasia@example.id")


@pytest.fixture
def office(make):
    return make.office("DPK", email="pengaduan@depok.go.id")


@pytest.fixture
def officer(make, office):
    return make.user(office, AccessLevel.ADMIN, full_name="Rina Petugas",
                     email="rina@depok.go.id")


@pytest.fixture
def complaint(make, office):
    version = make.sop(office, status="active")
    return make.complaint(office, sop_version=version, received_at=RECEIVED,
                          subject="Lampu jalan mati", confidential=True,
                          reporter_name=REPORTER[0], reporter_contact=REPORTER[1],
                          reporter_email=REPORTER[2], reporter_email_consent=True)


def _outbox(db, kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def test_disposition_writes_one_mail_in_its_own_flush(app, db, complaint, officer):
    app.config["PUBLIC_BASE_URL"] = "https://pengaduan.depok.go.id/"
    complaint.step_due_at = RECEIVED + timedelta(days=1)
    db.session.add(Disposition(complaint=complaint, created_by=officer,
                               to_unit="Dinas PUPR", to_email="pupr@depok.go.id",
                               message="Mohon ditindaklanjuti",
                               due_at=RECEIVED + timedelta(days=3, hours=5)))
    db.session.flush()
    [mail] = _outbox(db, NoticeKind.DISPOSITION)
    assert mail.recipient == "pupr@depok.go.id"
    assert mail.status == OutboxStatus.PENDING and mail.complaint_id == complaint.id
    assert mail.subject == f"Disposisi pengaduan {complaint.register_no}"
    for part in (mail.body_text, mail.body_html):
        assert "Dinas PUPR" in part and "Lampu jalan mati" in part
        assert "5 November 2026 15.00 WIB" in part  # deadline, office zone
        assert f"https://pengaduan.depok.go.id/admin/proses/{complaint.id}" in part
        for secret in REPORTER:
            assert secret not in part
    assert mail.message_id.startswith("<") and mail.message_id.endswith(">")


def test_notice_rolls_back_with_its_cause(db, complaint, officer):
    db.session.commit()
    db.session.add(Disposition(complaint=complaint, created_by=officer,
                               to_email="pupr@depok.go.id"))
    db.session.flush()
    assert len(_outbox(db, NoticeKind.DISPOSITION)) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Disposition)) == 0
    assert _outbox(db, NoticeKind.DISPOSITION) == []


def test_disposition_to_a_role_mails_each_active_holder(make, db, office, complaint):
    role = make.role(office, "Operator Perangkat Daerah")
    holders = [make.user(office, email=f"op{i}@depok.go.id") for i in range(2)]
    retired = make.user(office, email="lama@depok.go.id", active=False)
    no_mail = make.user(office)
    for user in (*holders, retired, no_mail):
        user.roles.append(role)
    db.session.add(Disposition(complaint=complaint, to_role=role))
    db.session.flush()
    assert sorted(m.recipient for m in _outbox(db, NoticeKind.DISPOSITION)) == [
        "op0@depok.go.id", "op1@depok.go.id"]


def test_disposition_to_an_officer_mails_them(make, db, office, complaint):
    user = make.user(office, email="budi@depok.go.id", full_name="Budi Operator")
    db.session.add(Disposition(complaint=complaint, to_user=user))
    db.session.flush()
    [mail] = _outbox(db, NoticeKind.DISPOSITION)
    assert mail.recipient == "budi@depok.go.id"
    assert "Yth. Budi Operator" in mail.body_text


def test_escalation_mails_the_target_role(make, db, office, complaint, officer):
    role = make.role(office, "Kepala Seksi")
    boss = make.user(office, email="kasie@depok.go.id")
    boss.roles.append(role)
    workflow.start(complaint, actor=officer, now=RECEIVED)
    row = db.session.scalars(select(ComplaintStep)).one()
    row.due_at = RECEIVED + timedelta(minutes=5)
    db.session.add(Escalation(complaint=complaint, step=row, level=1,
                              target_role=role, target_label="Kepala Seksi"))
    db.session.flush()
    [mail] = _outbox(db, NoticeKind.ESCALATION)
    assert mail.recipient == "kasie@depok.go.id"
    assert "tingkat 1" in mail.subject
    assert "1. Menerima pengaduan" in mail.body_text
    assert "2 November 2026 10.05 WIB" in mail.body_text  # the step's deadline
    assert REPORTER[0] not in mail.body_text


def test_registered_mail_carries_the_code_once_with_consent(make, db, office):
    complaint = make.complaint(office, reporter_email="warga@example.id",
                               reporter_email_consent=True)
    code = tracking.issue(complaint)
    db.session.commit()
    [mail] = _outbox(db, NoticeKind.REGISTERED)
    assert mail.recipient == "warga@example.id"
    assert f"Kode lacak: {code}" in mail.body_text and code in mail.body_html
    assert "/lacak?register_no=" in mail.body_text
    tracking.issue(complaint)  # a reissued code is handed over by staff
    db.session.commit()
    assert len(_outbox(db, NoticeKind.REGISTERED)) == 1


def test_code_issued_before_the_insert_is_in_the_mail(db, office):
    from sop_admin.models import Complaint

    complaint = Complaint(office=office, register_no="DPK/2026/000777",
                          received_at=RECEIVED, channel=Channel.EMAIL,
                          subject="Parkir liar", description="-",
                          reporter_email="warga@example.id",
                          reporter_email_consent=True)
    code = tracking.issue(complaint)
    db.session.add(complaint)
    db.session.flush()
    [mail] = _outbox(db, NoticeKind.REGISTERED)
    assert code in mail.body_text and mail.complaint_id == complaint.id


@pytest.mark.parametrize("email, consent", [("warga@example.id", False), (None, True)])
def test_no_reporter_mail_without_address_and_consent(make, db, office, email,
                                                      consent):
    complaint = make.complaint(office, reporter_email=email,
                               reporter_email_consent=consent)
    tracking.issue(complaint)
    db.session.commit()
    assert _outbox(db) == []


def test_closing_mails_the_reporter_the_final_answer(db, complaint, officer):
    workflow.start(complaint, actor=officer, now=RECEIVED)
    workflow.advance(complaint, actor=officer, now=RECEIVED + timedelta(minutes=3))
    replies.record(complaint, text="Lampu sudah diganti.", channel=Channel.EMAIL,
                   actor=officer, now=RECEIVED + timedelta(minutes=4), final=True)
    workflow.advance(complaint, actor=officer, answer=True,
                     now=RECEIVED + timedelta(minutes=5))
    assert _outbox(db, NoticeKind.CLOSED) == []
    workflow.advance(complaint, actor=officer, now=RECEIVED + timedelta(minutes=6))
    [mail] = _outbox(db, NoticeKind.CLOSED)
    assert mail.recipient == REPORTER[2]
    assert "Lampu sudah diganti." in mail.body_text
    assert "/lacak?register_no=DPK%2F" in mail.body_text


def test_status_set_closed_through_the_orm_also_mails(db, complaint):
    from sop_admin.models import ComplaintStatus

    db.session.commit()
    complaint.status, complaint.closed_at = ComplaintStatus.CLOSED, RECEIVED
    db.session.commit()
    assert len(_outbox(db, NoticeKind.CLOSED)) == 1


def test_office_template_overrides_the_default(db, office, complaint, officer):
    db.session.add(NoticeTemplate(
        office=office, kind=NoticeKind.DISPOSITION,
        subject="[{{ office_name }}] {{ register_no }}",
        body_text="Halo {{ recipient }}: {{ subject }}",
        body_html="<p>{{ subject }}</p>"))
    db.session.flush()
    complaint.subject = "Lampu <mati> & gelap"
    db.session.add(Disposition(complaint=complaint, to_email="x@depok.go.id",
                               to_name="Pak Joko"))
    db.session.flush()
    [mail] = _outbox(db, NoticeKind.DISPOSITION)
    assert mail.subject == f"[{office.name}] {complaint.register_no}"
    assert mail.body_text == "Halo Pak Joko: Lampu <mati> & gelap"
    assert mail.body_html == "<p>Lampu &lt;mati&gt; &amp; gelap</p>"


def test_defaults_pass_their_own_check():
    for kind, wording in DEFAULTS.items():
        check(kind, wording)


@pytest.mark.parametrize("body, words", [
    ("Halo {{ reporter_name }}", "reporter_name"),
    ("{% if x %}{{ subject }}", "Isi teks"),
    ("{{ subject.__class__.__mro__ }}", "tidak dapat dipakai"),
    ("{{ tracking_code }}", "tracking_code"),  # only the registered mail has it
])
def test_template_check_refuses_unknown_or_unsafe_text(body, words):
    with pytest.raises(InvalidNoticeTemplate) as error:
        check(NoticeKind.DISPOSITION, Wording("Subjek", body, ""))
    assert words in str(error.value)


def test_template_panel_saves_checked_wording_only(login_as, make, db, office):
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    client = login_as(admin)
    bad = client.post("/admin/notice_template/new/", data={
        "kind": "closed", "subject": "Selesai", "body_text": "{{ nama_pelapor }}",
        "body_html": ""})
    assert bad.status_code == 200
    assert "nama_pelapor" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NoticeTemplate)) == 0
    good = client.post("/admin/notice_template/new/", data={
        "kind": "closed", "subject": "", "body_text": "", "body_html": ""})
    assert good.status_code == 302
    row = db.session.scalars(select(NoticeTemplate)).one()
    assert row.office_id == office.id
    assert row.body_text == DEFAULTS[NoticeKind.CLOSED].body_text
    other = make.office()
    db.session.commit()
    outsider = make.user(other, AccessLevel.ADMIN)
    staff = make.user(office, AccessLevel.STAFF)
    db.session.commit()
    assert login_as(outsider).get(
        f"/admin/notice_template/details/?id={row.id}").status_code == 404
    assert login_as(staff).get("/admin/notice_template/").status_code == 403


def test_complaint_page_lists_notices_masking_a_confidential_reporter(
        login_as, make, db, office, complaint):
    tracking.issue(complaint)
    db.session.add(Disposition(complaint=complaint, to_email="pupr@depok.go.id"))
    db.session.commit()
    staff = make.user(office, AccessLevel.STAFF)
    admin = make.user(office, AccessLevel.ADMIN)
    db.session.commit()
    url = f"/admin/complaint/details/?id={complaint.id}"
    page = login_as(staff).get(url).get_data(as_text=True)
    assert "pupr@depok.go.id" in page and "Pengaduan tercatat" in page
    assert REPORTER[2] not in page
    assert REPORTER[2] in login_as(admin).get(url).get_data(as_text=True)
