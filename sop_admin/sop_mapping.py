"""Turn a `SopDocument` into database rows and back.

Both directions are lossless for everything the file contract holds, which is
what lets `sops.revise` copy a version by exporting it and building a new
draft from the export, and what makes export(import(file)) equal the file.
"""

from datetime import datetime

from .extensions import db
from .models import (
    ListName,
    Office,
    Role,
    Sop,
    SopApproval,
    SopCoordinationInitial,
    SopHistoryEntry,
    SopLane,
    SopListItem,
    SopStatus,
    SopStep,
    SopVersion,
)
from .sop_document import (
    LIST_FIELDS,
    ApprovalEntry,
    Approver,
    Dates,
    HistoryEntry,
    ListEntry,
    SopDocument,
    StepEntry,
    Unit,
)
from .sop_rules import FlowStep
from .timestd import parse_time_standard


def office_roles(office: Office, names: list[str]) -> dict[str, Role]:
    """The office's roles for these lane names, creating the missing ones."""
    existing = {
        r.name: r for r in db.session.scalars(
            db.select(Role).where(Role.office_id == office.id, Role.name.in_(names))
        )
    }
    for name in names:
        if name not in existing:
            existing[name] = Role(office=office, name=name)
            db.session.add(existing[name])
    return existing


def build_version(document: SopDocument, sop: Sop, version_no: int,
                  now: datetime) -> SopVersion:
    """A new draft of `sop` holding the document; added to the session."""
    roles = office_roles(sop.office, document.lanes)
    with db.session.no_autoflush:
        version = SopVersion(
            sop=sop, office=sop.office, version_no=version_no,
            status=SopStatus.DRAFT, name=document.name,
            unit_government=document.unit.government,
            unit_office=document.unit.office,
            unit_division=document.unit.division,
            created_on=document.dates.created, revised_on=document.dates.revised,
            effective_on=document.dates.effective,
            approved_on=document.dates.approved,
            approver_position=document.approved_by.position,
            approver_name=document.approved_by.name,
            approver_rank=document.approved_by.rank,
            approver_nip=document.approved_by.nip,
            created_at=now,
        )
        for field in LIST_FIELDS:
            _add_list(version, ListName(field), getattr(document, field))
        lanes = {name: SopLane(role=roles[name], sort_order=i)
                 for i, name in enumerate(document.lanes)}
        version.lanes = list(lanes.values())
        version.steps = [_build_step(step, lanes[step.lane])
                         for step in document.steps]
        version.approvals = [
            SopApproval(sort_order=i, role=a.role, name=a.name, position=a.position)
            for i, a in enumerate(document.approval_sheet)
        ]
        version.coordination_initials = [
            SopCoordinationInitial(sort_order=i, position=p)
            for i, p in enumerate(document.coordination_initials)
        ]
        version.history = [
            SopHistoryEntry(sort_order=i, date=h.date, change=h.change, note=h.note)
            for i, h in enumerate(document.history)
        ]
        db.session.add(version)
    return version


def _add_list(version: SopVersion, name: ListName, entries: list[ListEntry]) -> None:
    for i, entry in enumerate(entries):
        item = SopListItem(list_name=name, sort_order=i, text=entry.text)
        version.list_items.append(item)
        for j, text in enumerate(entry.items):
            version.list_items.append(
                SopListItem(list_name=name, sort_order=j, text=text, parent=item)
            )


def set_step_time(step: SopStep, text: str) -> None:
    """Store a Waktu text and its parsed duration; raises InvalidTimeStandard."""
    parsed = parse_time_standard(text)
    step.time_text = parsed.text
    step.time_amount = parsed.amount
    step.time_unit = parsed.unit
    step.time_is_interval = parsed.is_interval


def _build_step(entry: StepEntry, lane: SopLane) -> SopStep:
    step = SopStep(
        number=entry.number, activity=entry.activity, lane=lane, kind=entry.kind,
        requirements=entry.requirements, output=entry.output, note=entry.note,
        next_number=entry.next, if_yes=entry.if_yes, if_no=entry.if_no,
    )
    set_step_time(step, entry.time)
    return step


def version_to_document(version: SopVersion) -> SopDocument:
    """The version as a plain document, ready for `sopfile.dumps`."""
    document = SopDocument(
        unit=Unit(version.unit_government, version.unit_office,
                  version.unit_division or None),
        number=version.sop.number,
        name=version.name,
        dates=Dates(version.created_on, version.revised_on, version.effective_on,
                    version.approved_on),
        approved_by=Approver(version.approver_position, version.approver_name,
                             version.approver_rank or None,
                             version.approver_nip or None),
        lanes=[lane.name for lane in version.lanes],
        steps=[_step_entry(step) for step in version.steps],
        approval_sheet=[ApprovalEntry(a.role, a.name, a.position)
                        for a in version.approvals],
        coordination_initials=[c.position for c in version.coordination_initials],
        history=[HistoryEntry(h.date, h.change, h.note) for h in version.history],
    )
    for field in LIST_FIELDS:
        items = version.items_of(ListName(field))
        setattr(document, field, [
            ListEntry(item.text, [child.text for child in item.children])
            for item in items
        ])
    return document


def _step_entry(step: SopStep) -> StepEntry:
    return StepEntry(
        number=step.number, activity=step.activity, lane=step.lane.name,
        kind=step.kind, requirements=step.requirements, time=step.time_text,
        output=step.output, note=step.note, next=step.next_number,
        if_yes=step.if_yes, if_no=step.if_no,
    )


def flow_steps(version: SopVersion) -> list[FlowStep]:
    """The version's steps as the shared rules see them."""
    lanes = set(version.lanes)
    return [
        FlowStep(
            number=step.number, activity=step.activity or "",
            lane=step.lane.name if step.lane in lanes else None,
            kind=step.kind, time=step.time_text or "", next=step.next_number,
            if_yes=step.if_yes, if_no=step.if_no,
        )
        for step in version.steps
    ]
