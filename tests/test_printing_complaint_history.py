"""Complaint history sheet: steps with deadlines, then the audit trail."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

from pypdf import PdfReader

from sop_admin.models import AccessLevel
from sop_admin.models.workflow import ComplaintStep
from sop_admin.printing.complaint_history import complaint_history_pdf


def _text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def _complaint(make, db, **kw):
    office = make.office()
    version = make.sop(office)
    user = make.user(office, AccessLevel.STAFF, full_name="Rina <Petugas>")
    complaint = make.complaint(office, sop_version=version, **kw)
    start = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    db.session.add_all([
        ComplaintStep(complaint=complaint, step_number=1, started_at=start,
                      due_at=start + timedelta(minutes=5), actor=user,
                      completed_at=start + timedelta(minutes=9), note="Terlambat <b>"),
        ComplaintStep(complaint=complaint, step_number=2, actor=user, answer=True,
                      started_at=start + timedelta(minutes=9),
                      completed_at=start + timedelta(minutes=10)),
    ])
    db.session.flush()
    return complaint


def test_complaint_history_lists_steps_deadlines_and_audit_entries(make, db):
    complaint = _complaint(make, db)
    text = _text(complaint_history_pdf(complaint))
    assert complaint.register_no in text
    assert "1. Menerima pengaduan" in text and "2. Apakah dapat dijawab?" in text
    assert "Rina <Petugas> (Admin Media Sosial)" in text
    assert "2 November 2026 10.05 WIB" in text  # the deadline, office time
    assert "Tidak (terlambat)" in text and "Terlambat <b>" in text
    assert "Jejak Audit" in text
    assert "complaint_steps" in text and "dibuat" in text


def test_complaint_history_masks_confidential_reporter_everywhere(make, db):
    complaint = _complaint(make, db, reporter_name="Budi Rahasia", confidential=True)
    masked = _text(complaint_history_pdf(complaint))
    assert "Budi Rahasia" not in masked and "[dirahasiakan]" in masked
    assert "Budi Rahasia" in _text(complaint_history_pdf(complaint,
                                                         reveal_identity=True))
