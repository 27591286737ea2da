"""Laporan harian and laporan bulanan: the complaint report of steps 12–14.

Lays out a `reports.Report` (figures counted in SQL by sop_admin/reports.py)
on A4/F4 portrait: the office letterhead, the period, a summary, counts by
channel, classification and status, two charts drawn with ReportLab
graphics (complaints per channel as a pie, share of steps within standard
as bars), the table of steps with their median time against the standard,
the overdue list, and the paraf/signature boxes of the positions the SOP
names for the report. User text (office, SOP, steps, subjects) goes through
`para`, so it prints literally; charts carry only our own labels.
"""

from zoneinfo import ZoneInfo

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from ..models import TIMEZONES, ComplaintStatus
from ..reports import DAILY, Report
from .complaint_form import CHANNELS, CLASSIFICATIONS
from .fonts import FONT, FONT_BOLD, register_fonts
from .log import record_document_print
from .page import paper_size, simple_doc
from .text import MONTHS, fit_para, long_date, para, style

STATUSES = {
    ComplaintStatus.NEW: "Baru",
    ComplaintStatus.IN_PROGRESS: "Diproses",
    ComplaintStatus.CLOSED: "Selesai",
}
TITLES = {DAILY: "LAPORAN HARIAN PENGADUAN", "monthly": "LAPORAN BULANAN PENGADUAN"}
TITLE = style(11, bold=True, center=True)
SUB = style(8.5, center=True)
SECTION = style(9, bold=True)
HEAD = style(7.5, bold=True, center=True)
CELL = style(7.5)
NUM = style(7.5, center=True)
GREY = colors.Color(0.9, 0.9, 0.9)
GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 0), GREY),
]
#: Slice colours of the channel pie, one per channel in enum order.
PALETTE = [
    colors.HexColor(c) for c in (
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79",
    )
]


def report_pdf(report: Report, *, paper: str | None = None) -> bytes:
    """The report as PDF bytes (same report, same bytes)."""
    register_fonts()
    size = paper_size(paper, report.office)
    doc, buf = simple_doc(size, title=_title(report))
    width = size[0] - 24 * mm
    when = _when(report)
    story = _heading(report, when)
    story += _summary(report, width)
    story += _counts(report, width)
    story += _charts(report, width)
    story += _steps(report, width)
    story += _overdue(report, when, width)
    story += _signatures(report, width)
    doc.build(story)
    return buf.getvalue()


def record_report_print(report, data: bytes, paper: str | None = None):
    """The audit event of a printed report: which report, office, SOP and
    period, and a hash of the bytes; flushed, the caller commits."""
    return record_document_print(
        f"laporan_{'harian' if report.period.kind == DAILY else 'bulanan'}",
        report.version, data,
        office=report.office.code,
        sop_number=report.version.sop.number,
        version_no=report.version.version_no,
        period_first=report.period.first.isoformat(),
        period_last=report.period.last.isoformat(),
        paper=paper or "",
    )


def period_text(report: Report) -> str:
    p = report.period
    if p.kind == DAILY:
        return long_date(p.first)
    return f"{MONTHS[p.first.month - 1]} {p.first.year}"


def _title(report: Report) -> str:
    return f"{TITLES[report.period.kind].title()} {period_text(report)}"


def _when(report: Report):
    zone = ZoneInfo(report.office.timezone or "Asia/Jakarta")
    label = TIMEZONES.get(zone.key, zone.key)

    def fmt(value) -> str:
        local = value.astimezone(zone)
        return f"{local.day:02d}-{local.month:02d}-{local.year} {local:%H:%M} {label}"

    return fmt


def _heading(report: Report, when) -> list:
    office, version = report.office, report.version
    kind = "Tanggal" if report.period.kind == DAILY else "Bulan"
    return [
        para((office.government or "").upper(), TITLE),
        para((office.name or "").upper(), TITLE),
        Spacer(1, 6),
        para(TITLES[report.period.kind], TITLE),
        para(f"SOP: {version.name}", SUB),
        para(f"Nomor SOP: {version.sop.number or '-'}", SUB),
        para(f"{kind}: {period_text(report)} (keadaan per {when(report.as_of)})", SUB),
        Spacer(1, 8),
    ]


def _share(within: int, total: int) -> str:
    return f"{within} dari {total} ({within / total:.0%})" if total else "-"


def _summary(report: Report, width: float) -> list:
    rows = [
        ("Pengaduan diterima", str(report.received)),
        ("Pengaduan selesai pada periode ini", str(report.closed)),
        ("Selesai dalam batas waktu pengaduan",
         _share(report.closed_within, report.closed)),
        ("Langkah selesai dalam standar waktu", _share(report.within, report.timed)),
        ("Langkah terlambat yang belum selesai", str(report.overdue_total)),
    ]
    data = [[para("RINGKASAN", HEAD), para("JUMLAH", HEAD)]]
    data += [[para(label, CELL), para(value, CELL)] for label, value in rows]
    table = Table(data, colWidths=[0.6 * width, 0.4 * width], style=TableStyle(GRID))
    return [table, Spacer(1, 10)]


def _count_table(title: str, labels: dict, counts: dict, width: float) -> Table:
    data = [[para(title, HEAD), para("Jumlah", HEAD)]]
    data += [[para(labels[key], CELL), para(str(counts[key]), NUM)] for key in labels]
    data.append([para("Jumlah", HEAD), para(str(sum(counts.values())), HEAD)])
    return Table(
        data, colWidths=[0.7 * width, 0.3 * width],
        style=TableStyle(GRID + [("BACKGROUND", (0, -1), (-1, -1), GREY)]),
    )


def _counts(report: Report, width: float) -> list:
    w = (width - 12) / 3
    row = [
        _count_table("Kanal", CHANNELS, report.by_channel, w),
        _count_table("Klasifikasi", CLASSIFICATIONS, report.by_classification, w),
        _count_table("Status", STATUSES, report.by_status, w),
    ]
    outer = Table([row], colWidths=[w + 6, w + 6, w], style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return [para("Pengaduan diterima menurut kanal, klasifikasi dan status", SECTION),
            Spacer(1, 4), outer, Spacer(1, 10)]


def _charts(report: Report, width: float) -> list:
    half = width / 2
    drawings = Table(
        [[_channel_pie(report, half), _step_bars(report, half)]],
        colWidths=[half, half],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
    )
    return [KeepTogether([para("Grafik", SECTION), Spacer(1, 4), drawings]),
            Spacer(1, 10)]


def _caption(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(width / 2, height - 10, text, fontName=FONT_BOLD,
                       fontSize=8, textAnchor="middle"))


def _no_data(drawing: Drawing, width: float, height: float) -> Drawing:
    drawing.add(String(width / 2, height / 2, "Tidak ada data pada periode ini",
                       fontName=FONT, fontSize=7.5, textAnchor="middle"))
    return drawing


def _channel_pie(report: Report, width: float) -> Drawing:
    height = 150
    drawing = Drawing(width, height)
    _caption(drawing, "Pengaduan per kanal", width, height)
    items = [(ch, n) for ch, n in report.by_channel.items() if n]
    if not items:
        return _no_data(drawing, width, height)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 5, 20, 95, 95
    pie.data = [n for _, n in items]
    pie.labels = None
    pie.sideLabels = 0
    pie.slices.strokeWidth = 0.5
    order = list(report.by_channel)
    for i, (channel, _) in enumerate(items):
        pie.slices[i].fillColor = PALETTE[order.index(channel) % len(PALETTE)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 112, 125
    legend.fontName, legend.fontSize = FONT, 6
    legend.alignment = "right"
    legend.dx = legend.dy = 6
    legend.deltay = 9
    legend.columnMaximum = 6
    legend.deltax = 66
    legend.colorNamePairs = [
        (PALETTE[order.index(ch) % len(PALETTE)], f"{CHANNELS[ch]}: {n}")
        for ch, n in items
    ]
    drawing.add(legend)
    return drawing


def _step_bars(report: Report, width: float) -> Drawing:
    height = 150
    drawing = Drawing(width, height)
    _caption(drawing, "Langkah dalam standar waktu (%)", width, height)
    timed = [s for s in report.steps if s.timed]
    if not timed:
        return _no_data(drawing, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 25, width - 45, 100
    chart.data = [[round(100 * s.share, 1) for s in timed]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    chart.valueAxis.valueStep = 25
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.categoryAxis.categoryNames = [str(s.number) for s in timed]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeWidth = 0.3
    drawing.add(chart)
    drawing.add(String(width / 2, 4, "Nomor langkah", fontName=FONT, fontSize=6.5,
                       textAnchor="middle"))
    return drawing


def duration_text(seconds: float | None) -> str:
    """12 menit, 3 jam 5 menit, 2 hari 4 jam; '-' when unknown."""
    if seconds is None:
        return "-"
    minutes = int(round(seconds / 60))
    if minutes < 1:
        return f"{int(round(seconds))} detik"
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [(days, "hari"), (hours, "jam"), (mins, "menit")]
    shown = [f"{n} {unit}" for n, unit in parts if n][:2]
    return " ".join(shown)


def _cell(text: str, col_width: float):
    """User text in a table cell, cut short if it would not fit a page."""
    return fit_para(text, CELL, col_width - 12, 250)


def _steps(report: Report, width: float) -> list:
    heads = ("No", "Kegiatan", "Pelaksana", "Standar waktu", "Selesai",
             "Dalam standar", "Median waktu")
    fr = [0.05, 0.33, 0.17, 0.1, 0.1, 0.13, 0.12]
    data = [[para(h, HEAD) for h in heads]]
    for s in report.steps:
        data.append([
            para(str(s.number), NUM), _cell(s.activity, fr[1] * width),
            _cell(s.lane, fr[2] * width),
            para(s.standard or "-", NUM), para(str(s.completed), NUM),
            para(_share(s.within, s.timed), NUM),
            para(duration_text(s.median_seconds), NUM),
        ])
    table = Table(data, colWidths=[f * width for f in fr], repeatRows=1,
                  style=TableStyle(GRID))
    return [para("Waktu penyelesaian per langkah SOP (langkah yang selesai pada "
                 "periode ini)", SECTION), Spacer(1, 4), table, Spacer(1, 10)]


def _overdue(report: Report, when, width: float) -> list:
    title = "Daftar langkah terlambat yang belum selesai"
    if report.overdue_total > len(report.overdue):
        title += f" ({len(report.overdue)} terlama dari {report.overdue_total})"
    out = [para(title, SECTION), Spacer(1, 4)]
    if not report.overdue:
        return out + [para("Tidak ada.", CELL), Spacer(1, 10)]
    heads = ("No", "Nomor register", "Perihal", "Langkah", "Batas waktu", "Terlambat")
    fr = [0.05, 0.17, 0.3, 0.24, 0.12, 0.12]
    data = [[para(h, HEAD) for h in heads]]
    for i, item in enumerate(report.overdue, start=1):
        data.append([
            para(str(i), NUM), para(item.register_no, CELL),
            _cell(item.subject, fr[2] * width),
            _cell(f"{item.step_number}. {item.activity}", fr[3] * width),
            para(when(item.due_at), NUM), para(duration_text(item.late_seconds), NUM),
        ])
    table = Table(data, colWidths=[f * width for f in fr], repeatRows=1,
                  style=TableStyle(GRID))
    return out + [table, Spacer(1, 10)]


def _signatures(report: Report, width: float) -> list:
    """One paraf box per position the SOP names for this report."""
    names = report.signers or ["Petugas"]
    w = width / max(3, len(names))
    labels = ["Dibuat oleh,"] + ["Diperiksa dan diparaf,"] * (len(names) - 1)
    rows = [
        [para(label, CELL) for label in labels],
        [para(name, HEAD) for name in names],
        [""] * len(names),
        [para("Nama: ................................", CELL)] * len(names),
        [para("NIP: ..................................", CELL)] * len(names),
    ]
    table = Table(rows, colWidths=[w] * len(names), hAlign="RIGHT",
                  rowHeights=[None, None, 40, None, None],
                  style=TableStyle([("BOX", (i, 0), (i, -1), 0.5, colors.black)
                                    for i in range(len(names))]
                                   + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 6), KeepTogether([para("Paraf dan tanda tangan", SECTION),
                                        Spacer(1, 4), table])]
