"""An SOP document as plain data: what one `sop-admin/1` YAML file holds.

These dataclasses carry no database state, so a file can be read, checked and
compared (export then import gives an equal document) without a session.
Field names follow the file contract (docs/sop-file-format.md).
"""

from dataclasses import dataclass, field
from datetime import date

from .models.sop import StepKind
from .sop_rules import FlowStep

FORMAT = "sop-admin/1"

#: The six identity-page lists, in the order the file and the print use.
LIST_FIELDS = (
    "legal_basis", "qualifications", "related_sops", "equipment", "warnings",
    "records",
)


@dataclass
class Unit:
    """The letterhead lines of the office that owns the SOP."""

    government: str
    office: str
    division: str | None = None


@dataclass
class Dates:
    created: date | None = None
    revised: date | None = None
    effective: date | None = None
    approved: date | None = None


@dataclass
class Approver:
    """Disahkan oleh: who signs the SOP."""

    position: str = ""
    name: str = ""
    rank: str | None = None
    nip: str | None = None


@dataclass
class ListEntry:
    """A numbered item of an identity-page list, with its sub-points a), b)."""

    text: str
    items: list[str] = field(default_factory=list)


@dataclass
class StepEntry:
    """A row of the flowchart table."""

    number: int
    activity: str
    lane: str
    kind: StepKind = StepKind.PROCESS
    requirements: str = ""
    time: str = ""
    output: str = ""
    note: str = ""
    next: int | None = None
    if_yes: int | None = None
    if_no: int | None = None

    def flow_step(self) -> FlowStep:
        return FlowStep(self.number, self.activity, self.lane, self.kind, self.time,
                        self.next, self.if_yes, self.if_no)


@dataclass
class ApprovalEntry:
    """A row of the Pengesahan sheet (Konseptor, Diperiksa oleh, Disahkan oleh)."""

    role: str
    name: str
    position: str = ""


@dataclass
class HistoryEntry:
    """A row of the Sejarah Dokumen sheet."""

    date: date | None
    change: str
    note: str = ""


@dataclass
class SopDocument:
    unit: Unit
    name: str
    number: str = ""
    dates: Dates = field(default_factory=Dates)
    approved_by: Approver = field(default_factory=Approver)
    legal_basis: list[ListEntry] = field(default_factory=list)
    qualifications: list[ListEntry] = field(default_factory=list)
    related_sops: list[ListEntry] = field(default_factory=list)
    equipment: list[ListEntry] = field(default_factory=list)
    warnings: list[ListEntry] = field(default_factory=list)
    records: list[ListEntry] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    steps: list[StepEntry] = field(default_factory=list)
    approval_sheet: list[ApprovalEntry] = field(default_factory=list)
    coordination_initials: list[str] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
