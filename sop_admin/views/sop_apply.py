"""Write a validated `SopVersionForm` onto a draft version (no commit).

Rows are updated in place where they have a natural key, so that an edit
shows in the audit trail as the change it is: steps by number, lanes by role.
Rows without one (list items, sheets) are reused by position. Deleted rows
go through the relationships' delete-orphan cascade.
"""

from sqlalchemy import select

from ..errors import SopNotEditable
from ..models import (
    ListName,
    Role,
    SopApproval,
    SopCoordinationInitial,
    SopHistoryEntry,
    SopLane,
    SopListItem,
    SopStep,
    SopVersion,
    StepKind,
)
from ..timestd import parse_time_standard
from .sop_form import lane_key

IDENTITY_FIELDS = (
    "name", "unit_government", "unit_office", "unit_division",
    "created_on", "revised_on", "effective_on", "approved_on",
    "approver_position", "approver_name", "approver_rank", "approver_nip",
)
#: Optional texts stored as NULL when left empty.
NULLABLE_TEXT = ("unit_division", "approver_rank", "approver_nip")


def _clean(value):
    return value.strip() if isinstance(value, str) else value


def _ordered(rows: list[dict]) -> list[dict]:
    """Rows sorted by their Urutan; an empty Urutan keeps the row's place."""
    keyed = [
        (row["sort_order"] if row.get("sort_order") is not None else i + 1, i, row)
        for i, row in enumerate(rows)
    ]
    return [row for _, _, row in sorted(keyed, key=lambda k: (k[0], k[1]))]


def apply_form(form, version: SopVersion, session) -> None:
    """Copy the form onto `version`; the caller flushes, checks and commits."""
    if not version.is_editable:
        raise SopNotEditable(
            "Hanya versi konsep yang dapat diubah / only a draft can be edited"
        )
    data = form.data
    for name in IDENTITY_FIELDS:
        value = _clean(data[name])
        nullable = name in NULLABLE_TEXT or name.endswith("_on")
        setattr(version, name, value or (None if nullable else ""))
    version.sop.number = _clean(data["number"]) or ""
    _apply_lists(version, data)
    lanes = _apply_lanes(version, data["lanes"], session)
    _apply_steps(version, data["steps"], lanes)
    _apply_sheets(version, data)


def _apply_lists(version: SopVersion, data: dict) -> None:
    # Sub-points hang off their item, so the six lists are rebuilt whole.
    for item in list(version.list_items):
        version.list_items.remove(item)
    for list_name in ListName:
        for order, row in enumerate(_ordered(data[list_name.value]), start=1):
            item = SopListItem(list_name=list_name, sort_order=order,
                               text=row["text"].strip())
            version.list_items.append(item)
            lines = [ln.strip() for ln in (row["sub_points"] or "").splitlines()]
            for sub_order, text in enumerate(filter(None, lines), start=1):
                version.list_items.append(SopListItem(
                    list_name=list_name, sort_order=sub_order, text=text,
                    parent=item,
                ))


def _apply_lanes(version: SopVersion, rows: list[dict], session) -> dict:
    """Lanes in order, reusing the row of a role already on this version; a
    role name the office does not have yet becomes a new Role."""
    by_role = {lane_key(lane.name): lane for lane in version.lanes}
    # Through the office: a new version has no office_id until it is flushed.
    office_id = version.office.id
    roles = {
        lane_key(role.name): role
        for role in session.scalars(select(Role).where(Role.office_id == office_id))
    }
    wanted = []
    for order, row in enumerate(_ordered(rows), start=1):
        key = lane_key(row["role_name"])
        lane = by_role.get(key)
        if lane is None:
            role = roles.get(key)
            if role is None:
                role = Role(office_id=office_id,
                            name=" ".join(row["role_name"].split()))
                session.add(role)
                roles[key] = role
            lane = SopLane(role=role)
        lane.sort_order = order
        wanted.append(lane)
    version.lanes = wanted
    return {lane_key(lane.name): lane for lane in wanted}


def _apply_steps(version: SopVersion, rows: list[dict], lanes: dict) -> None:
    existing = {step.number: step for step in version.steps}
    wanted = []
    for row in sorted(rows, key=lambda r: r["number"]):
        step = existing.get(row["number"]) or SopStep(number=row["number"])
        time = parse_time_standard(row["time_text"])
        step.activity = row["activity"].strip()
        step.lane = lanes[lane_key(row["lane"])]
        step.kind = StepKind(row["kind"])
        step.requirements = (row["requirements"] or "").strip()
        step.time_text = time.text
        step.time_amount = time.amount
        step.time_unit = time.unit
        step.time_is_interval = time.is_interval
        step.output = (row["output"] or "").strip()
        step.note = (row["note"] or "").strip()
        step.next_number = row["next_number"]
        step.if_yes = row["if_yes"]
        step.if_no = row["if_no"]
        step.public_label = (row.get("public_label") or "").strip() or None
        wanted.append(step)
    version.steps = wanted


def _reuse(collection: list, count: int, factory) -> list:
    """The first `count` rows of `collection`, new ones added as needed."""
    rows = list(collection[:count])
    rows += [factory() for _ in range(count - len(rows))]
    return rows


def _apply_sheets(version: SopVersion, data: dict) -> None:
    approvals = _reuse(version.approvals, len(data["approvals"]), SopApproval)
    for order, (row, approval) in enumerate(zip(data["approvals"], approvals,
                                                strict=True), start=1):
        approval.sort_order = order
        approval.role = row["role"].strip()
        approval.name = row["name"].strip()
        approval.position = (row["position"] or "").strip()
    version.approvals = approvals

    rows = data["coordination_initials"]
    initials = _reuse(version.coordination_initials, len(rows),
                      SopCoordinationInitial)
    for order, (row, initial) in enumerate(zip(rows, initials, strict=True),
                                           start=1):
        initial.sort_order = order
        initial.position = row["position"].strip()
    version.coordination_initials = initials

    entries = _reuse(version.history, len(data["history"]), SopHistoryEntry)
    for order, (row, entry) in enumerate(zip(data["history"], entries,
                                             strict=True), start=1):
        entry.sort_order = order
        entry.date = row["date"]
        entry.change = row["change"].strip()
        entry.note = (row["note"] or "").strip()
    version.history = entries
