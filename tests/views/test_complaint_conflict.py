"""Two users editing the same complaint: the second is told, nothing is lost."""

import re
import threading
import time

from sqlalchemy import func, select

from sop_admin.extensions import db as _db
from sop_admin.models import AccessLevel, AuditEntry, Complaint
from sop_admin.views import locking

STAMP_RE = re.compile(r'name="updated_at"[^>]*value="([^"]+)"')


def _form(subject: str, stamp: str) -> dict:
    return {"received_at": "2026-11-02T10:00", "channel": "facebook",
            "classification": "complaint", "subject": subject,
            "description": "Jalan berlubang.", "sop_version": "__None",
            "updated_at": stamp}


def _stamp(client, complaint_id: int) -> str:
    page = client.get(f"/admin/complaint/edit/?id={complaint_id}").text
    return STAMP_RE.search(page).group(1)


def test_second_editor_gets_conflict_and_first_save_stays(app, make, db):
    office = make.office()
    complaint = make.complaint(office, subject="Jalan rusak")
    first, second = (make.user(office, AccessLevel.STAFF) for _ in range(2))
    db.session.commit()
    clients = []
    for user in (first, second):
        client = app.test_client()
        assert client.post("/login", data={"username": user.username,
                                           "password": "password-123"}
                           ).status_code == 302
        clients.append(client)
    stamps = [_stamp(c, complaint.id) for c in clients]  # both open the form
    assert stamps[0] == stamps[1]

    saved = clients[0].post(f"/admin/complaint/edit/?id={complaint.id}",
                            data=_form("Jalan rusak parah", stamps[0]))
    assert saved.status_code == 302
    entries = db.session.scalar(select(func.count(AuditEntry.id)))

    refused = clients[1].post(f"/admin/complaint/edit/?id={complaint.id}",
                              data=_form("Jalan sudah diperbaiki", stamps[1]))
    assert refused.status_code == 200
    assert "sudah diubah pengguna lain" in refused.text
    assert "Jalan sudah diperbaiki" in refused.text  # their input is kept on screen
    db.session.expire_all()
    assert complaint.subject == "Jalan rusak parah"
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries

    # After reloading the form, the second user's save goes through.
    again = clients[1].post(f"/admin/complaint/edit/?id={complaint.id}",
                            data=_form("Jalan sudah diperbaiki",
                                       _stamp(clients[1], complaint.id)))
    assert again.status_code == 302
    db.session.expire_all()
    assert complaint.subject == "Jalan sudah diperbaiki"


def test_saving_twice_from_one_form_is_a_conflict(make, db, login_as):
    """The stamp is that of the form, not of the user: a stale tab is refused."""
    office = make.office()
    complaint = make.complaint(office)
    client = login_as(make.user(office, AccessLevel.ADMIN))
    stamp = _stamp(client, complaint.id)
    assert client.post(f"/admin/complaint/edit/?id={complaint.id}",
                       data=_form("Satu", stamp)).status_code == 302
    assert client.post(f"/admin/complaint/edit/?id={complaint.id}",
                       data=_form("Dua", stamp)).status_code == 200
    db.session.expire_all()
    assert complaint.subject == "Satu"


class _Seen:
    """What a submitted edit form carries: the stamp as loaded."""

    def __init__(self, stamp):
        self.updated_at = type("Field", (), {"data": stamp})()

    def __contains__(self, name):
        return name == "updated_at"


def test_concurrent_saves_the_later_waits_then_is_refused(app, make, db):
    """Both saves pass the check at once only if they do not overlap: the
    second's claim waits for the first's commit, then sees the new stamp."""
    office = make.office()
    complaint = make.complaint(office)
    db.session.commit()
    stamp = complaint.updated_at
    assert locking.claim(complaint, _Seen(stamp))  # first save holds the row
    outcome = {}

    def second_save():
        with app.app_context():
            other = _db.session.get(Complaint, complaint.id)
            started = time.monotonic()
            outcome["claimed"] = locking.claim(other, _Seen(stamp))
            outcome["waited"] = time.monotonic() - started
            _db.session.rollback()
            _db.session.remove()

    thread = threading.Thread(target=second_save)
    thread.start()
    time.sleep(0.5)
    complaint.subject = "Disimpan pertama"
    db.session.commit()  # onupdate moves updated_at
    thread.join(10)
    assert outcome["claimed"] is False
    assert outcome["waited"] >= 0.3  # it waited for the first save's commit
