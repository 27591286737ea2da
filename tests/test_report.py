"""Report figures (sop_admin/reports.py) and the report PDF, on hand-built data.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL: the median per
step is different SQL on each engine, so both are exercised by the same
expectations.
"""

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from sop_admin import reports, sopfile, sops
from sop_admin.errors import SopAdminError
from sop_admin.models import (
    Channel,
    Classification,
    ComplaintStatus,
    StepKind,
    utcnow,
)
from sop_admin.models.workflow import ComplaintStep
from sop_admin.printing.report import duration_text, report_pdf

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
#: 1 October 2026 00:00 WIB and 1 November 2026 00:00 WIB, in UTC.
OCT_START = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
NOV_START = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
SEEDS = Path(__file__).parent.parent / "sop_admin" / "demo" / "sops"


def _text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def _step(db, complaint, number, started, seconds=None, allowed=None):
    """A step record: `seconds` to complete (None: still open), `allowed`
    seconds before its deadline (None: no deadline); a completed step
    carries the compliance the workflow stores when a step completes."""
    due = None if allowed is None else started + timedelta(seconds=allowed)
    done = None if seconds is None else started + timedelta(seconds=seconds)
    within = None if due is None or done is None else done <= due
    db.session.add(ComplaintStep(
        complaint=complaint, step_number=number, started_at=started, due_at=due,
        completed_at=done, within_standard=within,
        late_seconds=None if within is None else max(0, seconds - allowed),
    ))


@pytest.fixture
def october(make, db):
    """An office in WIB with one SOP and complaints around October 2026."""
    office = make.office("DPK", timezone="Asia/Jakarta")
    version = make.sop(office, number="001/SOP/2026", status="active")
    other_sop = make.sop(office, number="002/SOP/2026", status="active")
    elsewhere = make.office("YGY")
    elsewhere_sop = make.sop(elsewhere, number="001/SOP/2026", status="active")

    def complaint(received, **kw):
        kw.setdefault("sop_version", version)
        return make.complaint(kw.pop("office", office), received_at=received, **kw)

    # In October in WIB although still 30 September in UTC.
    first = complaint(OCT_START + timedelta(minutes=30), channel=Channel.WHATSAPP,
                      classification=Classification.ASPIRATION)
    last = complaint(NOV_START - timedelta(minutes=1), channel=Channel.WHATSAPP,
                     status=ComplaintStatus.CLOSED,
                     closed_at=NOV_START - timedelta(seconds=30),
                     due_at=NOV_START + timedelta(days=3))
    mid = complaint(datetime(2026, 10, 5, 3, 0, tzinfo=UTC), channel=Channel.EMAIL,
                    status=ComplaintStatus.IN_PROGRESS)
    late_closed = complaint(datetime(2026, 10, 6, 3, 0, tzinfo=UTC),
                            channel=Channel.FACEBOOK, status=ComplaintStatus.CLOSED,
                            closed_at=datetime(2026, 10, 20, 3, 0, tzinfo=UTC),
                            due_at=datetime(2026, 10, 19, 3, 0, tzinfo=UTC))
    # Outside: November in WIB (still 31 October in UTC), September,
    # another SOP of the office, another office.
    complaint(NOV_START, channel=Channel.EMAIL)
    complaint(OCT_START - timedelta(minutes=1), channel=Channel.EMAIL)
    complaint(datetime(2026, 10, 7, tzinfo=UTC), sop_version=other_sop)
    complaint(datetime(2026, 10, 7, tzinfo=UTC), office=elsewhere,
              sop_version=elsewhere_sop)

    day = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
    # Step 1 (5 minutes): 60 s, 120 s, 600 s -> 2 of 3 within, median 120 s.
    for c, secs in ((first, 60), (mid, 120), (late_closed, 600)):
        _step(db, c, 1, day, secs, allowed=300)
    # Step 2, a decision without deadline: counted, not timed.
    _step(db, mid, 2, day, 30)
    # Step 3 (1 hour): 1800, 3600, 5400, 7200 s -> 2 of 4, median 4500 s.
    for c, secs in ((first, 1800), (mid, 3600), (late_closed, 5400), (last, 7200)):
        _step(db, c, 3, day, secs, allowed=3600)
    # Completed in November (WIB): not in October's step figures.
    _step(db, last, 1, NOV_START + timedelta(minutes=5), 10, allowed=300)
    # Overdue at the end of October: open, and finished only in November.
    _step(db, mid, 3, datetime(2026, 10, 10, tzinfo=UTC), None, allowed=3600)
    _step(db, first, 3, datetime(2026, 10, 30, tzinfo=UTC),
          10 * 86400, allowed=3600)
    # Not overdue: due after the month, and one of another office.
    _step(db, last, 3, NOV_START - timedelta(minutes=10), None, allowed=3600)
    other = complaint(datetime(2026, 10, 7, tzinfo=UTC), office=elsewhere,
                      sop_version=elsewhere_sop)
    _step(db, other, 3, datetime(2026, 10, 8, tzinfo=UTC), None, allowed=60)
    db.session.flush()
    return office, version


def _monthly(office, version, now=NOW):
    return reports.build_report(office, version,
                                reports.monthly_period(2026, 10, office), now)


def test_periods_are_the_office_local_calendar_in_utc(make):
    office = make.office(timezone="Asia/Jakarta")
    month = reports.monthly_period(2026, 10, office)
    assert (month.start, month.end) == (OCT_START, NOV_START)
    assert month.last == date(2026, 10, 31)
    december = reports.monthly_period(2026, 12, office)
    assert december.end == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    papua = make.office(timezone="Asia/Jayapura")
    day = reports.daily_period(date(2026, 10, 5), papua)
    assert day.start == datetime(2026, 10, 4, 15, 0, tzinfo=UTC)
    assert day.end - day.start == timedelta(days=1)


@pytest.mark.parametrize("text", ["2026-13", "2026/10", "oktober", "", "26-10"])
def test_parse_month_refuses_bad_months(text):
    with pytest.raises(reports.InvalidPeriod, match="Bulan"):
        reports.parse_month(text)


def test_parse_day_and_month():
    assert reports.parse_month(" 2026-10 ") == (2026, 10)
    assert reports.parse_day("2026-10-05") == date(2026, 10, 5)
    with pytest.raises(reports.InvalidPeriod, match="Tanggal"):
        reports.parse_day("2026-02-30")


def test_monthly_counts_by_channel_classification_and_status(october):
    report = _monthly(*october)
    assert report.received == 4
    assert report.by_channel[Channel.WHATSAPP] == 2
    assert report.by_channel[Channel.EMAIL] == 1
    assert report.by_channel[Channel.FACEBOOK] == 1
    assert sum(report.by_channel.values()) == 4
    assert report.by_classification[Classification.ASPIRATION] == 1
    assert report.by_classification[Classification.COMPLAINT] == 3
    assert report.by_status == {ComplaintStatus.NEW: 1,
                                ComplaintStatus.IN_PROGRESS: 1,
                                ComplaintStatus.CLOSED: 2}
    assert (report.closed, report.closed_within) == (2, 1)


def test_steps_within_standard_and_medians(october):
    report = _monthly(*october)
    steps = {s.number: s for s in report.steps}
    assert [s.number for s in report.steps] == [1, 2, 3, 4]
    one, two, three, four = steps[1], steps[2], steps[3], steps[4]
    assert (one.completed, one.timed, one.within) == (3, 3, 2)
    assert one.median_seconds == pytest.approx(120, abs=0.01)
    assert (two.completed, two.timed, two.within, two.share) == (1, 0, 0, None)
    assert two.median_seconds == pytest.approx(30, abs=0.01)
    assert (three.completed, three.timed, three.within) == (4, 4, 2)
    assert three.median_seconds == pytest.approx(4500, abs=0.01)
    assert (four.completed, four.median_seconds) == (0, None)
    assert (report.timed, report.within) == (7, 4)
    assert report.within_share == pytest.approx(4 / 7)
    assert one.activity == "Menerima pengaduan" and one.standard == "5 menit"


def test_the_stored_verdict_counts_not_the_times(october, db):
    """The workflow's stored within_standard is the verdict the report uses."""
    office, version = october
    row = db.session.scalar(db.select(ComplaintStep).where(
        ComplaintStep.step_number == 1, ComplaintStep.within_standard.is_(True),
        ComplaintStep.completed_at < NOV_START,
    ).order_by(ComplaintStep.id).limit(1))
    row.within_standard = False
    db.session.flush()
    assert {s.number: s.within for s in _monthly(office, version).steps}[1] == 1


def test_overdue_list_is_what_was_open_and_late_at_the_end(october):
    report = _monthly(*october)
    assert report.overdue_total == 2
    assert [o.due_at for o in report.overdue] == [
        datetime(2026, 10, 10, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 30, 1, 0, tzinfo=UTC),
    ]
    assert report.overdue[0].late_seconds == int(
        (NOV_START - datetime(2026, 10, 10, 1, 0, tzinfo=UTC)).total_seconds())
    assert report.as_of == NOV_START


def test_a_running_month_counts_up_to_now(october):
    office, version = october
    now = datetime(2026, 10, 20, tzinfo=UTC)
    report = _monthly(office, version, now=now)
    assert report.as_of == now
    assert report.overdue_total == 1  # the step due on 30 October is not late yet


def test_daily_report_uses_the_wib_day(october):
    office, version = october
    report = reports.build_report(
        office, version, reports.daily_period(date(2026, 10, 1), office), NOW)
    assert report.received == 1 and report.by_channel[Channel.WHATSAPP] == 1
    assert report.steps[0].completed == 0  # steps of 5 October


def test_report_refuses_an_sop_of_another_office(october, make):
    office, _ = october
    foreign = make.sop(make.office(), number="X")
    with pytest.raises(SopAdminError, match="bukan milik"):
        _monthly(office, foreign)


def test_signers_are_the_lanes_of_the_report_steps_of_the_seed(db):
    version = sops.import_document(sopfile.load(SEEDS / "depok.yaml"), now=utcnow())
    assert reports.report_signers(version, reports.DAILY) == ["Admin Media Sosial"]
    assert reports.report_signers(version, reports.MONTHLY) == [
        "Koordinator Call Center", "Kasie/Kabid Informasi Komunikasi Publik"]


def test_signers_fall_back_to_the_end_step_never_the_public(make):
    version = make.sop(make.office(), lanes=("Masyarakat", "Kasie"))
    end = [s for s in version.steps if s.kind == StepKind.END]
    assert end and end[0].lane.name == "Masyarakat"
    # The end step is the public's: the office's last lane signs instead.
    assert reports.report_signers(version, reports.DAILY) == ["Kasie"]
    end[0].lane = version.lanes[1]
    assert reports.report_signers(version, reports.DAILY) == ["Kasie"]


def test_pdf_shows_the_figures(october):
    report = _monthly(*october)
    text = _text(report_pdf(report))
    for expected in ("LAPORAN BULANAN PENGADUAN", "Bulan: Oktober 2026",
                     "2 dari 3 (67%)", "2 dari 4 (50%)", "4 dari 7 (57%)",
                     "1 dari 2 (50%)", "1 jam 15 menit", "2 menit",
                     "Pengaduan per kanal", "WhatsApp: 2",
                     "Langkah dalam standar waktu (%)", "Paraf dan tanda tangan",
                     "Masyarakat", "001/SOP/2026", "10-10-2026 08:00 WIB"):
        assert expected in text, expected
    overdue = [o.register_no for o in report.overdue]
    assert all(reg in text for reg in overdue)
    assert re.search(r"Pengaduan diterima 4\b", text)


def test_pdf_is_deterministic(october):
    report = _monthly(*october)
    assert report_pdf(report) == report_pdf(_monthly(*october))


def test_pdf_of_an_empty_period(october):
    office, version = october
    report = reports.build_report(
        office, version, reports.daily_period(date(2025, 1, 1), office), NOW)
    text = _text(report_pdf(report, paper="F4"))
    assert "Tidak ada data pada periode ini" in text and "Tidak ada." in text


def test_hostile_text_prints_literally(make, db):
    office = make.office(name='<font color="red">Dinas</font> & <b>')
    version = make.sop(office, number="<a href=x>1</a>", status="active")
    version.steps[0].activity = "<img src=/etc/passwd/> " + "x" * 3000
    subject = "<a href='javascript:alert(1)'>klik</a> مرحبا 🙂 <unclosed"
    c = make.complaint(office, sop_version=version, subject=subject,
                       received_at=datetime(2026, 10, 5, tzinfo=UTC))
    _step(db, c, 1, datetime(2026, 10, 5, tzinfo=UTC), None, allowed=60)
    db.session.flush()
    text = _text(report_pdf(_monthly(office, version)))
    assert '<FONT COLOR="RED">DINAS</FONT> & <B>' in text
    assert "<a href=x>1</a>" in text
    assert "<img src=/etc/passwd/>" in text
    assert "<a href='javascript:alert(1)'>klik</a> <" in text and "unclosed" in text


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "-"), (20, "20 detik"), (60, "1 menit"), (4500, "1 jam 15 menit"),
    (2 * 86400 + 3600 + 60, "2 hari 1 jam"),
])
def test_duration_text(seconds, text):
    assert duration_text(seconds) == text
