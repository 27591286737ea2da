"""Monitoring form pre-filled from complaint steps; evaluation form."""

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from pypdf import PdfReader

from sop_admin.models.workflow import ComplaintStep
from sop_admin.printing.sop_forms import (
    QUESTIONS,
    evaluation_pdf,
    monitoring_pdf,
    step_records,
)


def _text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def _run(db, complaint, number, started, minutes, late=False, done=True):
    due = started + timedelta(minutes=minutes)
    db.session.add(ComplaintStep(
        complaint=complaint, step_number=number, started_at=started, due_at=due,
        completed_at=(due + timedelta(minutes=1 if late else -1)) if done else None,
    ))


def _history(make, db):
    office = make.office()
    version = make.sop(office, number="SOP/7")
    base = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    for k in range(4):  # step 1: four runs, one late -> 75 %
        complaint = make.complaint(office, sop_version=version)
        _run(db, complaint, 1, base + timedelta(days=k), 5, late=k == 0)
        _run(db, complaint, 3, base + timedelta(days=k), 60)
    old = make.complaint(office, sop_version=version)  # outside the period
    _run(db, old, 1, datetime(2025, 6, 1, tzinfo=UTC), 5, late=True)
    db.session.flush()
    return version


def test_step_records_counts_runs_on_time_within_the_period(make, db):
    version = _history(make, db)
    records = step_records(version, date(2026, 1, 1), date(2026, 6, 30))
    assert records[1].runs == 4 and records[1].timed == 4 and records[1].on_time == 3
    assert records[3].share == 1.0
    assert 2 not in records


def test_monitoring_pdf_suggests_verdicts_from_the_threshold(make, db):
    version = _history(make, db)
    text = _text(monitoring_pdf(version, date(2026, 1, 1), date(2026, 6, 30)))
    for label in ("FORMULIR MONITORING PELAKSANAAN SOP", "Berjalan baik",
                  "Tidak berjalan baik", "Catatan", "Tindakan yang Harus Diambil",
                  "Menerima pengaduan", "Dinilai oleh"):
        assert label in text, label
    assert "3 dari 4 tepat waktu (75%, standar 5 menit)" in text
    assert "4 dari 4 tepat waktu (100%, standar 1 jam)" in text
    assert "Belum dijalankan pada periode ini" in text  # steps 2 and 4
    assert text.count("☒") == 2  # step 1: tidak baik; step 3: baik
    lenient = _text(monitoring_pdf(version, date(2026, 1, 1), date(2026, 6, 30),
                                   threshold=0.7))
    assert lenient.count("☒") == 2 and "≥ 70%" in lenient


def test_evaluation_pdf_has_the_seven_questions(make, db):
    version = make.sop(make.office())
    text = _text(evaluation_pdf(version))
    assert "FORMULIR EVALUASI SOP" in text
    for question in QUESTIONS:
        assert question in text
    assert text.count("☐") == 14
