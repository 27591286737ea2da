"""Batch import of complaints from a CSV or XLSX file (e.g. a social-media
tool's export), all or nothing.

Every row is read and checked first, with `register_complaint`'s own checks
and the duplicate rule (same channel and post id, or link when there is no
id; against the office's complaints and against earlier rows of the file);
each problem names its row (as a spreadsheet numbers it: the header is row
1) and its field. If anything is wrong nothing is written: `ImportRefused`
carries the report. Duplicates are problems too, unless the caller asks to
skip them, and then they are reported as skipped.

Cells are data, never formulas: CSV text is taken as it is, and XLSX is read
with openpyxl keeping a formula cell's text (`=...`), not a cached result.
(tablib's loaders drop blank CSV lines, which shifts row numbers, and read
XLSX formulas as their cached values, so the two formats are read here
directly.) A value that looks like a formula is stored as text and stays
text: exports neutralise it.

Headers are the form's Indonesian labels or the model's field names (any
case); see `COLUMNS`. Callers set the audit context (interface "import")
and commit.
"""

import csv
import io
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from zipfile import BadZipFile
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .complaints import (
    FLAG_FIELDS,
    REQUIRED,
    DuplicateComplaint,
    InvalidComplaint,
    Registration,
    check_complaint,
    find_duplicate,
    register_complaint,
)
from .errors import SopAdminError
from .models import Channel, Classification, Office, User

#: Field name -> accepted Indonesian headers (the first is the one to use).
COLUMNS: dict[str, tuple[str, ...]] = {
    "channel": ("Kanal",),
    "received_at": ("Diterima", "Waktu diterima"),
    "reporter_name": ("Pelapor", "Nama pelapor"),
    "reporter_contact": ("Kontak pelapor",),
    "reporter_address": ("Alamat pelapor",),
    "reporter_identity_no": ("Nomor identitas pelapor", "NIK"),
    "reporter_email": ("Surel pelapor", "Email pelapor"),
    "reporter_email_consent": ("Setuju pemberitahuan surel",),
    "anonymous": ("Anonim",),
    "confidential": ("Rahasia",),
    "subject": ("Perihal",),
    "description": ("Uraian",),
    "subject_party": ("Terlapor",),
    "expectation": ("Harapan pelapor", "Harapan"),
    "classification": ("Klasifikasi",),
    "lapor_tracking_id": ("Nomor tiket SP4N-LAPOR!", "Nomor tiket LAPOR"),
    "city_system_id": ("Nomor UPIK/JSS",),
    "source_url": ("Tautan unggahan asli", "Tautan"),
    "external_post_id": ("ID unggahan",),
}
CHANNEL_NAMES = {
    **{c.value: c for c in Channel},
    "twitter": Channel.X, "x (twitter)": Channel.X, "telepon": Channel.PHONE,
    "surel": Channel.EMAIL, "e-mail": Channel.EMAIL, "situs web": Channel.WEBSITE,
    "sp4n-lapor!": Channel.LAPOR, "sp4n-lapor": Channel.LAPOR,
    "sp4n lapor": Channel.LAPOR, "datang langsung": Channel.WALK_IN,
}
CLASSIFICATION_NAMES = {
    **{c.value: c for c in Classification},
    "aspirasi": Classification.ASPIRATION, "pengaduan": Classification.COMPLAINT,
    "permintaan informasi": Classification.INFORMATION_REQUEST,
}
TRUE = frozenset({"ya", "y", "yes", "true", "benar", "1", "x"})
FALSE = frozenset({"tidak", "t", "no", "n", "false", "salah", "0", ""})
#: Dates people type, after ISO 8601 (all in the office's time zone).
DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M",
                "%d/%m/%Y", "%d-%m-%Y")

Progress = Callable[[Iterable, str], AbstractContextManager[Iterable]]


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"baris {self.row}" if self.row else "berkas"
        return f"{where}, {self.field}: {self.message}" if self.field else (
            f"{where}: {self.message}")


@dataclass
class ImportReport:
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    #: Rows of a post registered already (or earlier in the file).
    duplicates: list[RowProblem] = field(default_factory=list)
    #: (row, registration) for each registered row, in file order.
    registered: list[tuple[int, Registration]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.rows} baris: {len(self.registered)} tercatat, "
                f"{len(self.duplicates)} duplikat dilewati, "
                f"{len(self.problems)} masalah / {self.rows} rows: "
                f"{len(self.registered)} registered, {len(self.duplicates)} "
                f"duplicates skipped, {len(self.problems)} problems")


class ImportRefused(SopAdminError):
    """Nothing was imported; `report.problems` says why, row by row."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__("; ".join(str(p) for p in report.problems))


def _key(text) -> str:
    return " ".join(str(text or "").split()).casefold()


HEADER_FIELDS = {
    _key(name): column for column, names in COLUMNS.items()
    for name in (column, *names)
}


# --- reading -------------------------------------------------------------------

def _read_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error("berkas CSV harus UTF-8 / the CSV file must be "
                          "UTF-8") from exc
    first = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))


def _read_xlsx(data: bytes) -> list[list]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _file_error("berkas XLSX rusak / not a readable XLSX file") from exc
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(data: bytes, filename: str) -> list[list]:
    """All rows of the file's first sheet, header first, as raw cell values."""
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")) or not name:
        return _read_csv(data)
    raise _file_error("gunakan berkas .csv atau .xlsx / use a .csv or .xlsx file")


def _file_error(message: str) -> ImportRefused:
    return ImportRefused(ImportReport(problems=[RowProblem(0, None, message)]))


# --- cells to fields -------------------------------------------------------------

def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed into a number cell
    text = str(value).strip()
    return text or None


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _key(value)
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError("isi ya atau tidak / give ya or tidak")


def _datetime(value, zone: ZoneInfo) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            for fmt in DATE_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(
                    "bukan tanggal-waktu / not a date-time (2026-11-28 09:30, "
                    "28/11/2026 09:30 or ISO 8601 with offset)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _choice(value, names: dict, what: str):
    text = _key(value)
    if not text:
        return None
    if text not in names:
        raise ValueError(f"{what} {value!r} tidak dikenal / unknown")
    return names[text]


def _fields(cells: dict[str, object], zone: ZoneInfo, row: int,
            problems: list[RowProblem]) -> dict:
    fields = {}
    for name, value in cells.items():
        try:
            if name == "received_at":
                fields[name] = _datetime(value, zone)
            elif name in FLAG_FIELDS:
                fields[name] = _flag(value)
            elif name == "channel":
                fields[name] = _choice(value, CHANNEL_NAMES, "kanal")
            elif name == "classification":
                choice = _choice(value, CLASSIFICATION_NAMES, "klasifikasi")
                if choice is not None:
                    fields[name] = choice
            else:
                fields[name] = _text(value)
        except ValueError as exc:
            problems.append(RowProblem(row, name, str(exc)))
    return fields


def _columns(header: list, report: ImportReport) -> list[str | None]:
    columns: list[str | None] = []
    for cell in header:
        key = _key(cell)
        name = HEADER_FIELDS.get(key)
        if key and name is None:
            report.problems.append(RowProblem(1, str(cell).strip(), (
                "kolom tidak dikenal / unknown column (pakai / use: "
                + ", ".join(names[0] for names in COLUMNS.values()) + ")")))
        elif name in columns:
            report.problems.append(RowProblem(1, str(cell).strip(),
                                              "kolom ganda / duplicate column"))
        columns.append(name)
    report.problems += [
        RowProblem(1, COLUMNS[name][0], "kolom wajib tidak ada / required column "
                                        f"missing ({name})")
        for name in REQUIRED if name not in columns
    ]
    return columns


# --- the import --------------------------------------------------------------------

def _post_key(fields: dict):
    channel = fields.get("channel")
    if fields.get("external_post_id"):
        return (channel, "id", fields["external_post_id"])
    if fields.get("source_url"):
        return (channel, "url", fields["source_url"])
    return None


def check_rows(office: Office, table: list[list], *, now: datetime,
               report: ImportReport) -> list[tuple[int, dict]]:
    """Read and check every row; returns (row number, fields) of the good
    rows that are not duplicates. Problems and duplicates go to `report`."""
    if not table:
        report.problems.append(RowProblem(0, None, "berkas kosong / empty file"))
        return []
    columns = _columns(table[0], report)
    if report.problems:
        return []
    zone = ZoneInfo(office.timezone)
    seen: dict[tuple, int] = {}
    good = []
    for row, cells in enumerate(table[1:], start=2):
        values = {name: cells[i] if i < len(cells) else None
                  for i, name in enumerate(columns) if name}
        if all(_text(v) is None for v in values.values()):
            continue  # a blank line
        report.rows += 1
        problems: list[RowProblem] = []
        fields = _fields(values, zone, row, problems)
        bad = {p.field for p in problems}
        checked = {k: v for k, v in fields.items() if k not in bad}
        problems += [RowProblem(row, name, message)
                     for name, message in check_complaint(office, now, checked)
                     if name not in bad]
        if problems:
            report.problems += problems
            continue
        key = _post_key(checked)
        where = "external_post_id" if key and key[1] == "id" else "source_url"
        if key in seen:
            report.duplicates.append(RowProblem(
                row, where, f"sama dengan baris {seen[key]} / same post as row "
                            f"{seen[key]}"))
            continue
        existing = key and find_duplicate(office, checked["channel"],
                                          checked.get("external_post_id"),
                                          checked.get("source_url"))
        if existing:
            report.duplicates.append(RowProblem(
                row, where, f"sudah terdaftar sebagai {existing.register_no} / "
                            f"already registered as {existing.register_no}"))
            continue
        if key:
            seen[key] = row
        good.append((row, checked))
    return good


def import_complaints(office: Office, data: bytes, filename: str, *,
                      actor: User | None, now: datetime,
                      skip_duplicates: bool = False, dry_run: bool = False,
                      progress: Progress | None = None) -> ImportReport:
    """Check the whole file, then register every good row (unless `dry_run`).

    Raises `ImportRefused` (nothing written) on any problem, and on any
    duplicate unless `skip_duplicates`. Flushes, never commits; on
    `ImportRefused` raised while writing (a post registered meanwhile by
    someone else) the caller rolls back.
    """
    report = ImportReport()
    good = check_rows(office, read_table(data, filename), now=now, report=report)
    if not skip_duplicates:
        report.problems += report.duplicates
    if report.problems:
        report.problems.sort(key=lambda p: p.row)
        raise ImportRefused(report)
    if dry_run:
        return report
    with (progress or _no_progress)(good, "Pengaduan / complaints") as rows:
        for row, fields in rows:
            try:
                registration = register_complaint(office, actor=actor, now=now,
                                                  **fields)
            except (InvalidComplaint, DuplicateComplaint) as exc:
                report.problems.append(RowProblem(row, None, str(exc)))
                raise ImportRefused(report) from exc
            report.registered.append((row, registration))
    return report


def _no_progress(items: Iterable, _label: str) -> AbstractContextManager[Iterable]:
    return nullcontext(items)


def codes_csv(report: ImportReport) -> str:
    """register_no,tracking_code for every registered row, to hand out once."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "register_no", "tracking_code"])
    for row, registration in report.registered:
        writer.writerow([row, registration.complaint.register_no,
                         registration.tracking_code])
    return out.getvalue()
