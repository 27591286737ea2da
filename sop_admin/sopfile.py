"""SOP files (`sop-admin/1` YAML) in and out: `load`/`loads` and `dumps`.

Reading collects every problem of a file (see `sopfile_schema`) and raises
one `InvalidSopFile` naming them all. Writing keeps the key order of the
contract and lets PyYAML's safe dumper quote any string a YAML 1.1 reader
would take for a boolean, number, date or null (`"Yes"`, `"045"`), so that
an exported file reads back as the same document.
"""

from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidSopFile
from .models.sop import StepKind
from .sop_document import (
    FORMAT,
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
from .sopfile_schema import read_document

__all__ = [
    "ApprovalEntry", "Approver", "Dates", "HistoryEntry", "ListEntry",
    "SopDocument", "StepEntry", "Unit", "dumps", "load", "loads",
]


def loads(text: str, source: str = "<teks/text>") -> SopDocument:
    """Parse the YAML text of one SOP; raise InvalidSopFile with every problem."""
    document, problems = read_document(text)
    if problems or document is None:
        raise InvalidSopFile(source, problems)
    return document


def load(path: str | Path) -> SopDocument:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSopFile(str(path), [
            f"berkas tidak dapat dibaca (harus UTF-8) / cannot read the file "
            f"(must be UTF-8): {exc}"
        ]) from exc
    return loads(text, str(path))


class _Dumper(yaml.SafeDumper):
    """Safe dumper that prints multi-line text as a literal block."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dumps(document: SopDocument) -> str:
    """The document as `sop-admin/1` YAML text (UTF-8, keys in contract order)."""
    return yaml.dump(
        to_data(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
        default_flow_style=False, width=100,
    )


def to_data(document: SopDocument) -> dict[str, Any]:
    """Plain dicts and lists in the key order of the file contract."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "unit": {
            "government": document.unit.government,
            "office": document.unit.office,
            "division": document.unit.division,
        },
        "number": document.number,
        "name": document.name,
        "dates": {
            "created": document.dates.created,
            "revised": document.dates.revised,
            "effective": document.dates.effective,
            "approved": document.dates.approved,
        },
        "approved_by": {
            "position": document.approved_by.position,
            "name": document.approved_by.name,
            "rank": document.approved_by.rank,
            "nip": document.approved_by.nip,
        },
    }
    for name in LIST_FIELDS:
        data[name] = [_list_entry(entry) for entry in getattr(document, name)]
    data["lanes"] = list(document.lanes)
    data["steps"] = [_step(step) for step in document.steps]
    data["approval_sheet"] = [
        {"role": a.role, "name": a.name, "position": a.position}
        for a in document.approval_sheet
    ]
    data["coordination_initials"] = list(document.coordination_initials)
    data["history"] = [
        {"date": h.date, "change": h.change, "note": h.note} for h in document.history
    ]
    return data


def _list_entry(entry: ListEntry) -> str | dict[str, Any]:
    if not entry.items:
        return entry.text
    return {"text": entry.text, "items": list(entry.items)}


def _step(step: StepEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": step.number,
        "activity": step.activity,
        "lane": step.lane,
        "kind": step.kind.value,
        "requirements": step.requirements,
        "time": step.time,
        "output": step.output,
        "note": step.note,
    }
    if step.next is not None:
        data["next"] = step.next
    if step.kind == StepKind.DECISION or step.if_yes is not None:
        data["if_yes"] = step.if_yes
    if step.kind == StepKind.DECISION or step.if_no is not None:
        data["if_no"] = step.if_no
    return data
