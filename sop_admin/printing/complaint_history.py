"""Complaint history sheet: steps taken, replies, notices, then the audit trail.

For each step the complaint went through: who did it (and the SOP lane of
that step), when it started, its deadline, when it finished, whether that
was within the standard, the Ya/Tidak answer of a decision, and notes.
Then the replies given to the reporter (the final answer marked) and the
e-mail notices written to the outbox, with their delivery status; a
reporter's address is masked like their name. Below, the audit entries of
the complaint and its steps, oldest first.
Audit rows print the names of the fields that changed, never their values,
so a confidential reporter's identity cannot leak through the trail.
"""

import json
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle
from sqlalchemy import and_, or_

from ..extensions import db
from ..models.audit import AuditEntry
from ..models.notice import NoticeKind, OutboxMessage, OutboxStatus
from ..models.workflow import ComplaintStep, Reply
from .complaint_form import CHANNELS, MASK
from .fonts import register_fonts
from .page import paper_size, simple_doc
from .text import long_date, para, style

TITLE = style(11, bold=True, center=True)
HEAD = style(7.5, bold=True, center=True)
CELL = style(7.5)
SECTION = style(9, bold=True)
GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
]
NOTICE_KINDS = {
    NoticeKind.DISPOSITION: "Disposisi",
    NoticeKind.ESCALATION: "Eskalasi",
    NoticeKind.REGISTERED: "Pengaduan tercatat",
    NoticeKind.CLOSED: "Pengaduan selesai",
}
NOTICE_STATUSES = {
    OutboxStatus.PENDING: "Menunggu",
    OutboxStatus.SENDING: "Sedang dikirim",
    OutboxStatus.SENT: "Terkirim",
    OutboxStatus.FAILED: "Gagal",
}
OPERATIONS = {
    "insert": "dibuat",
    "update": "diubah",
    "delete": "dihapus",
    "event": "peristiwa",
}


def complaint_history_pdf(
    complaint, *, reveal_identity: bool = False, paper: str | None = None
) -> bytes:
    register_fonts()
    office = complaint.office
    zone = ZoneInfo(office.timezone or "Asia/Jakarta")
    size = paper_size(paper, office, landscape)
    doc, buf = simple_doc(size, title=f"Riwayat {complaint.register_no}")
    width = size[0] - 24 * mm
    when = _when(zone)
    reporter = complaint.reporter_name or "-"
    if complaint.anonymous:
        reporter = "Anonim"
    elif complaint.confidential and not reveal_identity:
        reporter = MASK
    sop = complaint.sop_version
    facts = [
        f"Nomor register: {complaint.register_no}",
        f"Diterima: {when(complaint.received_at)} melalui "
        f"{CHANNELS.get(complaint.channel, complaint.channel)}",
        f"Pelapor: {reporter}",
        f"Perihal: {complaint.subject}",
        f"SOP: {sop.name if sop else '-'}",
    ]
    story = [para("RIWAYAT PENANGANAN PENGADUAN", TITLE), Spacer(1, 6)]
    story += [para(f, CELL) for f in facts]
    story += [
        Spacer(1, 8),
        para("Langkah yang Dijalankan", SECTION),
        Spacer(1, 4),
        _steps(complaint, sop, when, width),
        Spacer(1, 10),
        para("Tanggapan kepada Pelapor", SECTION),
        Spacer(1, 4),
        _replies(complaint, when, width),
        Spacer(1, 10),
        para("Pemberitahuan Surel", SECTION),
        Spacer(1, 4),
        _notices(complaint, when, width,
                 mask=complaint.confidential and not reveal_identity),
        Spacer(1, 10),
        para("Jejak Audit", SECTION),
        Spacer(1, 4),
        _audit(complaint, when, width),
    ]
    doc.build(story)
    return buf.getvalue()


def _when(zone):
    labels = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

    def fmt(value) -> str:
        if value is None:
            return "-"
        local = value.astimezone(zone)
        return (
            f"{long_date(local.date())} {local:%H.%M} {labels.get(zone.key, zone.key)}"
        )

    return fmt


def _steps(complaint, sop, when, width: float) -> Table:
    rows = db.session.scalars(
        db.select(ComplaintStep)
        .where(ComplaintStep.complaint_id == complaint.id)
        .order_by(ComplaintStep.started_at, ComplaintStep.id)
    ).all()
    head = (
        "Langkah",
        "Pelaksana",
        "Mulai",
        "Batas Waktu",
        "Selesai",
        "Sesuai Standar",
        "Jawaban",
        "Catatan",
    )
    data = [[para(h, HEAD) for h in head]]
    for row in rows:
        step = sop.step(row.step_number) if sop else None
        activity = f"{row.step_number}. {step.activity if step else ''}"
        actor = str(row.actor) if row.actor else "-"
        if step is not None and step.lane is not None:
            actor += f" ({step.lane.name})"
        on_time = "-"
        if row.completed_at and row.due_at:
            on_time = "Ya" if row.completed_at <= row.due_at else "Tidak (terlambat)"
        answer = {True: "Ya", False: "Tidak"}.get(row.answer, "-")
        data.append(
            [
                para(t, CELL)
                for t in (
                    activity,
                    actor,
                    when(row.started_at),
                    when(row.due_at),
                    when(row.completed_at),
                    on_time,
                    answer,
                    row.note,
                )
            ]
        )
    if not rows:
        data.append([para("Belum ada langkah yang dijalankan.", CELL)] + [""] * 7)
    fr = [0.22, 0.14, 0.1, 0.1, 0.1, 0.08, 0.07, 0.19]
    return Table(
        data, colWidths=[f * width for f in fr], repeatRows=1, style=TableStyle(GRID)
    )


def _table(data: list, fractions: list[float], width: float) -> Table:
    return Table(data, colWidths=[f * width for f in fractions], repeatRows=1,
                 style=TableStyle(GRID))


def _replies(complaint, when, width: float) -> Table:
    rows = db.session.scalars(
        db.select(Reply).where(Reply.complaint_id == complaint.id)
        .order_by(Reply.sent_at, Reply.id)).all()
    head = ("Waktu", "Kanal", "Oleh", "Isi Tanggapan", "Jawaban Akhir")
    data = [[para(h, HEAD) for h in head]]
    for reply in rows:
        data.append([para(t, CELL) for t in (
            when(reply.sent_at), CHANNELS.get(reply.channel, reply.channel),
            str(reply.user) if reply.user else "-", reply.text,
            "Ya" if reply.is_final else "")])
    if not rows:
        data.append([para("Belum ada tanggapan yang dicatat.", CELL)] + [""] * 4)
    return _table(data, [0.14, 0.1, 0.14, 0.52, 0.1], width)


def _notices(complaint, when, width: float, *, mask: bool) -> Table:
    rows = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    head = ("Dibuat", "Jenis", "Penerima", "Subjek", "Status", "Terkirim")
    to_reporter = (NoticeKind.REGISTERED, NoticeKind.CLOSED)
    data = [[para(h, HEAD) for h in head]]
    for row in rows:
        recipient = MASK if mask and row.kind in to_reporter else row.recipient
        status = NOTICE_STATUSES.get(row.status, row.status)
        if row.status == OutboxStatus.FAILED and row.last_error:
            status += f": {row.last_error}"
        data.append([para(t, CELL) for t in (
            when(row.created_at), NOTICE_KINDS.get(row.kind, row.kind), recipient,
            row.subject, status, when(row.sent_at))])
    if not rows:
        data.append([para("Tidak ada pemberitahuan surel.", CELL)] + [""] * 5)
    return _table(data, [0.13, 0.12, 0.17, 0.3, 0.15, 0.13], width)


def _audit(complaint, when, width: float) -> Table:
    key = str(complaint.id)
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(
            or_(
                and_(AuditEntry.table_name == "complaints", AuditEntry.row_key == key),
                and_(
                    AuditEntry.parent_table == "complaints",
                    AuditEntry.parent_key == key,
                ),
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    head = ("Waktu", "Oleh", "Antarmuka", "Tabel", "Operasi", "Kolom Berubah", "Alasan")
    data = [[para(h, HEAD) for h in head]]
    for e in entries:
        data.append(
            [
                para(t, CELL)
                for t in (
                    when(e.at),
                    e.actor_name or "-",
                    e.interface or "-",
                    e.table_name,
                    OPERATIONS.get(e.operation, e.operation),
                    _changed(e),
                    e.reason or "",
                )
            ]
        )
    if not entries:
        data.append([para("Tidak ada entri audit.", CELL)] + [""] * 6)
    fr = [0.14, 0.14, 0.08, 0.12, 0.08, 0.28, 0.16]
    return Table(
        data, colWidths=[f * width for f in fr], repeatRows=1, style=TableStyle(GRID)
    )


def _changed(entry) -> str:
    """Names of the fields an entry changed (values stay out of the print)."""
    old, new = _load(entry.old_values), _load(entry.new_values)
    if entry.operation == "event":
        return str(new.get("event", ""))
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ", ".join(keys)


def _load(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
