"""Optional sheets seen in the seeds (sop-format.md §3).

Pengesahan (who drafted, checked and approved), Paraf Koordinasi (positions
that initial the SOP before signature), Sejarah Dokumen (change history),
and the signature block that closes the document. Each prints only when the
version has the data.
"""

from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from .text import esc, long_date, markup, para, style

TITLE = style(11, bold=True, center=True)
HEAD = style(8.5, bold=True, center=True)
CELL = style(8.5)
GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
]


def approval_sheet(version, width: float) -> list:
    if not version.approvals:
        return []
    data = [[para("", HEAD), para("NAMA & JABATAN", HEAD), para("TANDA TANGAN", HEAD)]]
    for row in version.approvals:
        data.append(
            [
                para(row.role, CELL),
                [markup(f"<u>{esc(row.name)}</u>", CELL), para(row.position, CELL)],
                "",
            ]
        )
    widths = [0.2 * width, 0.5 * width, 0.3 * width]
    table = Table(
        data,
        colWidths=widths,
        repeatRows=1,
        rowHeights=[None] + [52] * len(version.approvals),
        style=TableStyle(GRID),
    )
    return [para("PENGESAHAN", TITLE), Spacer(1, 8), table, Spacer(1, 16)]


def coordination_sheet(version, width: float) -> list:
    if not version.coordination_initials:
        return []
    data = [[para("Paraf Koordinasi", HEAD), para("Paraf", HEAD)]]
    data += [[para(row.position, CELL), ""] for row in version.coordination_initials]
    table = Table(
        data,
        colWidths=[0.4 * width, 0.15 * width],
        hAlign="LEFT",
        rowHeights=[None] + [28] * len(version.coordination_initials),
        style=TableStyle(GRID),
    )
    return [table, Spacer(1, 16)]


def history_sheet(version, width: float) -> list:
    if not version.history:
        return []
    data = [[para(t, HEAD) for t in ("TANGGAL", "CATATAN PERUBAHAN", "KETERANGAN")]]
    data += [
        [para(long_date(h.date), CELL), para(h.change, CELL), para(h.note, CELL)]
        for h in version.history
    ]
    table = Table(
        data,
        colWidths=[0.2 * width, 0.5 * width, 0.3 * width],
        repeatRows=1,
        style=TableStyle(GRID),
    )
    return [para("SEJARAH DOKUMEN", TITLE), Spacer(1, 8), table, Spacer(1, 16)]


def signature_block(version, width: float) -> list:
    """Position, signing space, name, rank and NIP under the flowchart."""
    if not version.approver_name:
        return []
    cell = [
        para(version.approver_position, CELL),
        Spacer(1, 46),
        markup(f"<b><u>{esc(version.approver_name)}</u></b>", CELL),
    ]
    if version.approver_rank:
        cell.append(para(version.approver_rank, CELL))
    if version.approver_nip:
        cell.append(para(f"NIP. {version.approver_nip}", CELL))
    block = Table([[cell]], colWidths=[0.35 * width], hAlign="RIGHT")
    return [Spacer(1, 14), KeepTogether([block])]
