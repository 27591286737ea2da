"""Formulir pengaduan: the complaint record, blank or filled (sop-format.md §6).

A blank form is for the walk-in desk, filled by hand: tall empty rows and
tick boxes for channel and classification. A filled form prints a stored
complaint. The reporter's identity of a confidential complaint is masked
unless the caller says the person printing may see it; the view decides
that from the user's rights, this module only obeys.
"""

from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ..models.complaint import Channel, Classification
from .fonts import register_fonts
from .page import paper_size, simple_doc
from .text import esc, long_date, markup, para, style

#: Printed names of the channels and classifications (a legal form: Indonesian).
CHANNELS = {
    Channel.FACEBOOK: "Facebook",
    Channel.X: "X (Twitter)",
    Channel.INSTAGRAM: "Instagram",
    Channel.YOUTUBE: "YouTube",
    Channel.WHATSAPP: "WhatsApp",
    Channel.SMS: "SMS",
    Channel.PHONE: "Telepon",
    Channel.EMAIL: "Surel",
    Channel.WEBSITE: "Situs web",
    Channel.LAPOR: "SP4N-LAPOR!",
    Channel.WALK_IN: "Datang langsung",
}
CLASSIFICATIONS = {
    Classification.ASPIRATION: "Aspirasi",
    Classification.COMPLAINT: "Pengaduan",
    Classification.INFORMATION_REQUEST: "Permintaan informasi",
}
MASK = "[dirahasiakan]"
TITLE = style(12, bold=True, center=True)
HEAD = style(9.5, bold=True, center=True, leading=12)
LABEL = style(8.5)
VALUE = style(8.5)
SECTION = style(9, bold=True)


def complaint_form_pdf(
    complaint=None,
    *,
    office=None,
    reveal_identity: bool = False,
    paper: str | None = None,
    tracking_code: str | None = None,
    lookup_url: str = "",
) -> bytes:
    """The complaint form as PDF bytes; blank when `complaint` is None.

    `tracking_code` is printed only when given: the code is stored hashed, so
    it can be printed just when it is issued, for the reporter's copy; with
    `lookup_url` (the address of /lacak) so the reporter knows where to use it.
    """
    register_fonts()
    office = office or (complaint.office if complaint is not None else None)
    size = paper_size(paper, office)
    doc, buf = simple_doc(size, title="Formulir Pengaduan", side_margin=15 * mm)
    width = size[0] - 30 * mm
    story = _letterhead(office) + [
        Spacer(1, 6),
        para("FORMULIR PENGADUAN MASYARAKAT", TITLE),
        Spacer(1, 8),
    ]
    story.append(_fields(complaint, office, reveal_identity, width,
                         _tracking(tracking_code, lookup_url)))
    story += [Spacer(1, 14), _signatures(width)]
    doc.build(story)
    return buf.getvalue()


def _letterhead(office) -> list:
    if office is None:
        return []
    lines = [office.government, office.name, office.division]
    return [markup("<br/>".join(esc(x).upper() for x in lines if x), HEAD)]


def _tracking(code: str | None, lookup_url: str) -> str | None:
    if not code:
        return None
    return f"{code} (pantau di {lookup_url})" if lookup_url else code


def _fields(c, office, reveal: bool, width: float, tracking: str | None) -> Table:
    blank = c is None
    masked = not blank and c.confidential and not reveal
    rows: list[tuple[str, object]] = []
    heights: list[float] = []  # room to write by hand on a blank form

    def add(label: str, value, height_lines: int = 1):
        if blank:
            value = ""
        elif masked and label in _IDENTITY:
            value = MASK
        rows.append((label, value or ""))
        heights.append(16.0 * height_lines if blank else 16.0)

    add("Nomor Register", c and c.register_no)
    if tracking:
        add("Kode Lacak", tracking)
    add("Tanggal / Jam Diterima", c and _received(c, office))
    rows.append(("Kanal", _ticks(CHANNELS, c and c.channel)))
    rows.append(("Klasifikasi", _ticks(CLASSIFICATIONS, c and c.classification)))
    rows.append(("IDENTITAS PELAPOR", None))
    heights += [16.0, 16.0, 16.0]
    anonymous = not blank and c.anonymous
    add("Nama", "Anonim" if anonymous else c and c.reporter_name)
    add("Alamat", c and c.reporter_address, 2)
    add("Kontak (telepon/surel/akun)", c and c.reporter_contact)
    add("Nomor Identitas (NIK)", c and c.reporter_identity_no)
    rows.append(("PENGADUAN", None))
    heights.append(16.0)
    add("Perihal", c and c.subject)
    add("Uraian Permasalahan", c and c.description, 6)
    add("Pihak yang Diadukan", c and c.subject_party)
    add("Harapan Pelapor", c and c.expectation, 3)
    add("Bukti", c and ", ".join(e.filename for e in c.evidence), 2)
    add("Nomor Pelacakan SP4N-LAPOR!", c and c.lapor_tracking_id)
    add("Nomor Sistem Kota (UPIK/JSS)", c and c.city_system_id)
    add("Tautan Unggahan Asal", c and c.source_url)
    data, cmds = [], []
    for i, (label, value) in enumerate(rows):
        if value is None:
            data.append([para(label, SECTION), ""])
            cmds.append(("BACKGROUND", (0, i), (-1, i), colors.Color(0.9, 0.9, 0.9)))
            continue
        cell = value if isinstance(value, list) else para(value or "", VALUE)
        data.append([para(label, LABEL), cell])
    label_w = 0.3 * width
    return Table(
        data,
        colWidths=[label_w, width - label_w],
        minRowHeights=heights,
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                *cmds,
            ]
        ),
    )


_IDENTITY = {"Nama", "Alamat", "Kontak (telepon/surel/akun)", "Nomor Identitas (NIK)"}


def _received(c, office) -> str:
    zone = ZoneInfo(getattr(office, "timezone", None) or "Asia/Jakarta")
    local = c.received_at.astimezone(zone)
    label = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
    return f"{long_date(local.date())}, {local:%H.%M} {label.get(zone.key, zone.key)}"


def _ticks(labels: dict, chosen) -> list:
    """All options with a tick box; the chosen one ticked (a blank form: none)."""
    text = "   ".join(
        f"{'☒' if key == chosen else '☐'} {name}" for key, name in labels.items()
    )
    return [para(text, VALUE)]


def _signatures(width: float) -> Table:
    half = width / 2
    centre = style(8.5, center=True)
    line = "(................................................)"
    cells = [
        [para("Petugas Penerima,", centre), para("Pelapor,", centre)],
        ["", ""],
        [para(line, centre), para(line, centre)],
    ]
    return Table(cells, colWidths=[half, half], rowHeights=[None, 50, None])
