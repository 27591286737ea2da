"""Monitoring and evaluation forms of an SOP (sop-format.md §5).

The monitoring form is pre-filled from what really happened in the period:
per step, how often it ran and how often within its time standard, counted
by one SQL aggregate over `complaint_steps` (never by loading the rows).
From that share it suggests "berjalan baik" or "tidak berjalan baik"; the
notes and action columns stay empty for the assessor. The evaluation form
holds the regulation's seven Ya/Tidak questions.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle
from sqlalchemy import and_, case, func

from ..extensions import db
from ..models import Complaint, SopVersion
from ..models.workflow import ComplaintStep
from .fonts import register_fonts
from .page import paper_size, simple_doc
from .text import esc, long_date, markup, para, style

TITLE = style(11, bold=True, center=True)
SUB = style(8.5, center=True)
HEAD = style(8, bold=True, center=True)
CELL = style(8)
GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 1), colors.Color(0.9, 0.9, 0.9)),
]
QUESTIONS = (
    "Apakah SOP ini mampu mendorong peningkatan kinerja (mempermudah pekerjaan)?",
    "Apakah SOP ini sesuai dengan peraturan perundang-undangan yang berlaku?",
    "Apakah SOP ini jelas dan mudah dipahami serta dilaksanakan?",
    "Apakah SOP ini mampu mengatasi perubahan yang terjadi?",
    "Apakah SOP ini dapat dilaksanakan?",
    "Apakah SOP ini menjelaskan siapa melakukan apa?",
    "Apakah SOP ini dapat diukur kinerjanya?",
)


@dataclass(frozen=True)
class StepRecord:
    """How one step ran in a period; `timed` counts runs that had a deadline."""

    number: int
    runs: int
    timed: int
    on_time: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.timed if self.timed else None


def step_records(version: SopVersion, start: date, end: date) -> dict[int, StepRecord]:
    """Runs per step of every version of this SOP, started in [start, end]."""
    zone = ZoneInfo(version.office.timezone or "Asia/Jakarta")
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end, time.max, zone)
    finished = and_(
        ComplaintStep.completed_at.is_not(None), ComplaintStep.due_at.is_not(None)
    )
    query = (
        db.select(
            ComplaintStep.step_number,
            func.count(),
            func.sum(case((finished, 1), else_=0)),
            func.sum(
                case(
                    (
                        and_(
                            finished, ComplaintStep.completed_at <= ComplaintStep.due_at
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
        .join(SopVersion, SopVersion.id == Complaint.sop_version_id)
        .where(
            SopVersion.sop_id == version.sop_id,
            ComplaintStep.started_at >= since,
            ComplaintStep.started_at <= until,
        )
        .group_by(ComplaintStep.step_number)
    )
    return {
        n: StepRecord(n, runs, int(timed or 0), int(ok or 0))
        for n, runs, timed, ok in db.session.execute(query)
    }


def monitoring_pdf(
    version: SopVersion,
    start: date,
    end: date,
    *,
    threshold: float = 0.8,
    paper: str | None = None,
) -> bytes:
    """Formulir Monitoring Pelaksanaan SOP for [start, end], pre-filled."""
    records = step_records(version, start, end)
    width, doc, buf = _doc(version, paper, landscape)
    data = [
        [
            para(t, HEAD)
            for t in (
                "No",
                "Prosedur",
                "Data Pelaksanaan",
                "Penilaian Observasi",
                "",
                "Catatan",
                "Tindakan yang Harus Diambil",
            )
        ],
        [""] * 3
        + [para("Berjalan baik", HEAD), para("Tidak berjalan baik", HEAD)]
        + [""] * 2,
    ]
    for step in version.steps:
        rec = records.get(step.number)
        good = _verdict(rec, threshold)
        data.append(
            [
                para(str(step.number), CELL),
                para(step.activity, CELL),
                para(_figures(rec, step.time_text), CELL),
                para("☒" if good is True else "☐", HEAD),
                para("☒" if good is False else "☐", HEAD),
                "",
                "",
            ]
        )
    fr = [0.04, 0.30, 0.18, 0.08, 0.08, 0.16, 0.16]
    table = Table(
        data,
        colWidths=[f * width for f in fr],
        repeatRows=2,
        style=TableStyle(
            GRID
            + [
                ("SPAN", (3, 0), (4, 0)),
                *[("SPAN", (c, 0), (c, 1)) for c in (0, 1, 2, 5, 6)],
            ]
        ),
    )
    story = _heading(
        version,
        "FORMULIR MONITORING PELAKSANAAN SOP",
        f"Periode {long_date(start)} s.d. {long_date(end)}; "
        f"saran 'berjalan baik' bila ≥ {threshold:.0%} tepat waktu",
    )
    story += [table, Spacer(1, 16), _assessor(width)]
    doc.build(story)
    return buf.getvalue()


def evaluation_pdf(version: SopVersion, *, paper: str | None = None) -> bytes:
    """Formulir Evaluasi SOP: seven Ya/Tidak questions and notes."""
    width, doc, buf = _doc(version, paper, lambda size: size)
    data = [[para(t, HEAD) for t in ("No", "Pertanyaan", "Ya", "Tidak", "Catatan")]]
    data += [
        [para(str(i), CELL), para(q, CELL), para("☐", HEAD), para("☐", HEAD), ""]
        for i, q in enumerate(QUESTIONS, start=1)
    ]
    fr = [0.06, 0.52, 0.07, 0.07, 0.28]
    table = Table(
        data,
        colWidths=[f * width for f in fr],
        minRowHeights=[0] + [34] * 7,
        style=TableStyle(
            GRID[:2] + [("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9))]
        ),
    )
    story = _heading(version, "FORMULIR EVALUASI SOP", "")
    story += [table, Spacer(1, 16), _assessor(width)]
    doc.build(story)
    return buf.getvalue()


def _doc(version, paper, orient):
    register_fonts()
    size = paper_size(paper, version.office, orient)
    doc, buf = simple_doc(size, title=version.name)
    return size[0] - 24 * mm, doc, buf


def _heading(version, title: str, subtitle: str) -> list:
    unit = "<br/>".join(
        esc(x).upper() for x in (version.unit_government, version.unit_office) if x
    )
    out = [
        markup(unit, TITLE),
        Spacer(1, 4),
        para(title, TITLE),
        para(f"Nama SOP: {version.name}", SUB),
        para(f"Nomor SOP: {version.sop.number or '-'}", SUB),
    ]
    if subtitle:
        out.append(para(subtitle, SUB))
    return out + [Spacer(1, 8)]


def _verdict(rec: StepRecord | None, threshold: float) -> bool | None:
    """True/False suggestion from the on-time share; None without data."""
    if rec is None or rec.share is None:
        return None
    return rec.share >= threshold


def _figures(rec: StepRecord | None, standard: str) -> str:
    if rec is None:
        return "Belum dijalankan pada periode ini"
    text = f"Dijalankan {rec.runs} kali"
    if rec.timed:
        text += (
            f"; {rec.on_time} dari {rec.timed} tepat waktu "
            f"({rec.share:.0%}, standar {standard or '-'})"
        )
    return text


def _assessor(width: float) -> Table:
    cells = [
        [para("Dinilai oleh,", CELL), para("Paraf,", CELL)],
        [para("Nama: ..........................................", CELL), ""],
        [para("Tanggal: ......................................", CELL), ""],
    ]
    return Table(
        cells,
        colWidths=[0.35 * width, 0.2 * width],
        hAlign="RIGHT",
        rowHeights=[None, 30, None],
    )
