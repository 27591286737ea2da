"""Read the YAML node tree of an SOP file into a `SopDocument`, collecting problems.

The file is composed (not loaded) with PyYAML's safe loader, so every node
keeps its line number and its resolved tag: a problem can name the line, and
a key that YAML 1.1 turns into a boolean (`yes`, `no`, `on`, `off`) is caught
before it becomes `True`. Reading never stops at the first problem; the caller
gets them all.

Text fields take a plain scalar as the author typed it: `number: 045` is the
text "045", not the octal number 37 a YAML 1.1 reader would make of it.
"""

import re
from collections.abc import Callable
from datetime import date, datetime

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InvalidTimeStandard
from .models import (
    Office,
    Role,
    Sop,
    SopApproval,
    SopCoordinationInitial,
    SopStep,
    SopVersion,
    StepKind,
)
from .models.user import normalise_nip
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
from .sop_rules import document_problems, flow_problems
from .timestd import parse_time_standard

TAG = "tag:yaml.org,2002:"
TOP_KEYS = (
    "format", "unit", "number", "name", "dates", "approved_by", *LIST_FIELDS,
    "lanes", "steps", "approval_sheet", "coordination_initials", "history",
)
STEP_KEYS = (
    "number", "activity", "lane", "kind", "requirements", "time", "output", "note",
    "next", "if_yes", "if_no",
)
KINDS = ", ".join(k.value for k in StepKind)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that refuses aliases (`*name`).

    The format needs none, and nested aliases are how a few lines of YAML
    become a document too big to walk.
    """

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            raise ComposerError(None, None, "alias (*...) tidak diizinkan / aliases "
                                "are not allowed", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def read_document(text: str) -> tuple[SopDocument | None, list[str]]:
    """Parse YAML text; return the document (None if unusable) and all problems."""
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (baris/line {mark.line + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [f"YAML tidak valid / invalid YAML: {reason}{line}"]
    if root is None:
        return None, ["berkas kosong / empty file"]
    reader = _Reader()
    document = reader.document(root)
    problems = reader.problems
    if document is not None:
        problems += document_problems(document.name, document.unit.government,
                                      document.unit.office)
        if not reader.flow_damaged:
            problems += flow_problems(document.lanes,
                                      [s.flow_step() for s in document.steps])
    return document, problems


class _Reader:
    def __init__(self):
        self.problems: list[str] = []
        self.flow_damaged = False
        self._constructor = SafeConstructor()

    # -- reporting -------------------------------------------------------
    def add(self, node: Node, where: str, indonesian: str, english: str) -> None:
        self.problems.append(
            f"{where}: {indonesian} / {english} (baris/line {node.start_mark.line + 1})"
        )

    # -- containers ------------------------------------------------------
    def mapping(self, node: Node, where: str, keys: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.add(node, where, "harus berupa pasangan kunci: nilai",
                     "must be a mapping of key: value")
            return None
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, where)
            if key is None:
                continue
            if key not in keys:
                self.add(key_node, where, f'kunci tidak dikenal "{key}"',
                         f'unknown key "{key}"')
            elif key in found:
                self.add(key_node, where, f'kunci "{key}" ganda',
                         f'key "{key}" given twice')
            else:
                found[key] = value_node
        for key in required:
            if key not in found:
                self.add(node, f"{where}, {key}" if where else key, "wajib ada",
                         "is required")
        return found

    def _key(self, node: Node, where: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == TAG + "str":
            return node.value
        if isinstance(node, ScalarNode) and node.tag == TAG + "bool":
            self.add(node, where,
                     f'kunci "{node.value}" dibaca YAML 1.1 sebagai boolean; '
                     "pakai nama kunci dari format",
                     f'key "{node.value}" is read as a boolean by YAML 1.1 '
                     "readers; use the key names of the format")
            return None
        shown = node.value if isinstance(node, ScalarNode) else "?"
        self.add(node, where, f'kunci "{shown}" harus berupa teks',
                 f'key "{shown}" must be text')
        return None

    def sequence(self, node: Node | None, where: str) -> list[Node]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.add(node, where, "harus berupa daftar", "must be a list")
            return []
        return list(node.value)

    # -- scalars ---------------------------------------------------------
    def text(self, node: Node | None, where: str, optional: bool = False,
             limit: int | None = None) -> str | None:
        """A text value; a plain scalar keeps the characters the author typed.

        `limit` is the length of the database column the value goes to: a
        longer text is reported here rather than failing half-way through
        the import.
        """
        if node is None or _is_null(node):
            return None if optional else ""
        if not isinstance(node, ScalarNode):
            self.add(node, where, "harus berupa teks", "must be text")
            return None if optional else ""
        if limit is not None and len(node.value) > limit:
            self.add(node, where, f"lebih dari {limit} karakter",
                     f"longer than {limit} characters")
        if optional and not node.value.strip():
            return None
        return node.value

    def integer(self, node: Node | None, where: str) -> int | None:
        if node is None or _is_null(node):
            return None
        if (isinstance(node, ScalarNode) and node.tag == TAG + "int"
                and re.fullmatch(r"[0-9]+", node.value)):
            return int(node.value)
        shown = node.value if isinstance(node, ScalarNode) else "?"
        self.add(node, where, f'"{shown}" harus bilangan bulat',
                 f'"{shown}" must be a whole number')
        return None

    def date(self, node: Node | None, where: str) -> date | None:
        if node is None or _is_null(node):
            return None
        value = None
        if isinstance(node, ScalarNode) and node.tag == TAG + "timestamp":
            value = self._constructor.construct_yaml_timestamp(node)
        elif isinstance(node, ScalarNode) and node.tag == TAG + "str":
            try:
                value = date.fromisoformat(node.value.strip())
            except ValueError:
                value = None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        shown = node.value if isinstance(node, ScalarNode) else "?"
        self.add(node, where, f'"{shown}" harus tanggal ISO (2018-08-01) atau null',
                 f'"{shown}" must be an ISO date (2018-08-01) or null')
        return None

    # -- the document ----------------------------------------------------
    def document(self, root: Node) -> SopDocument | None:
        top = self.mapping(root, "", TOP_KEYS,
                           required=("format", "unit", "name", "lanes", "steps"))
        if top is None:
            return None
        fmt = self.text(top.get("format"), "format")
        if "format" in top and fmt != FORMAT:
            self.add(top["format"], "format", f'harus "{FORMAT}", bukan "{fmt}"',
                     f'must be "{FORMAT}", not "{fmt}"')
        document = SopDocument(
            unit=self.unit(top.get("unit")),
            number=(self.text(top.get("number"), "number",
                              limit=_max(Sop, "number")) or "").strip(),
            name=self.text(top.get("name"), "name",
                           limit=_max(SopVersion, "name")) or "",
            dates=self.dates(top.get("dates")),
            approved_by=self.approver(top.get("approved_by")),
            lanes=[self.text(n, f"lanes[{i}]", limit=_max(Role, "name")) or ""
                   for i, n in enumerate(self.sequence(top.get("lanes"), "lanes"), 1)],
            steps=self.each(top.get("steps"), "steps", self.step),
            approval_sheet=self.each(top.get("approval_sheet"), "approval_sheet",
                                     self.approval),
            coordination_initials=[
                self.text(n, f"coordination_initials[{i}]",
                          limit=_max(SopCoordinationInitial, "position")) or ""
                for i, n in
                enumerate(self.sequence(top.get("coordination_initials"),
                                        "coordination_initials"), 1)
            ],
            history=self.each(top.get("history"), "history", self.history_entry),
        )
        for name in LIST_FIELDS:
            setattr(document, name, self.each(top.get(name), name, self.list_entry))
        return document

    def each(self, node: Node | None, where: str, read: Callable) -> list:
        items = (read(item, f"{where}[{i}]")
                 for i, item in enumerate(self.sequence(node, where), 1))
        return [item for item in items if item is not None]

    def unit(self, node: Node | None) -> Unit:
        fields = (self.mapping(node, "unit", ("government", "office", "division"),
                               required=("government", "office"))
                  if node is not None else None) or {}
        return Unit(
            government=self.text(fields.get("government"), "unit.government",
                                 limit=_max(Office, "government")) or "",
            office=self.text(fields.get("office"), "unit.office",
                             limit=_max(Office, "name")) or "",
            division=self.text(fields.get("division"), "unit.division", optional=True,
                               limit=_max(Office, "division")),
        )

    def dates(self, node: Node | None) -> Dates:
        keys = ("created", "revised", "effective", "approved")
        if node is None or _is_null(node):
            return Dates()
        fields = self.mapping(node, "dates", keys) or {}
        return Dates(**{k: self.date(fields.get(k), f"dates.{k}") for k in keys})

    def approver(self, node: Node | None) -> Approver:
        if node is None or _is_null(node):
            return Approver()
        fields = self.mapping(node, "approved_by",
                              ("position", "name", "rank", "nip")) or {}
        nip_text = self.text(fields.get("nip"), "approved_by.nip", optional=True)
        try:
            nip = normalise_nip(nip_text)
        except ValueError:
            self.add(fields["nip"], "approved_by.nip",
                     f'NIP "{nip_text}" harus 18 digit angka',
                     f'NIP "{nip_text}" must be 18 digits')
            nip = None
        return Approver(
            position=self.text(fields.get("position"), "approved_by.position",
                               limit=_max(SopVersion, "approver_position")) or "",
            name=self.text(fields.get("name"), "approved_by.name",
                           limit=_max(SopVersion, "approver_name")) or "",
            rank=self.text(fields.get("rank"), "approved_by.rank", optional=True,
                           limit=_max(SopVersion, "approver_rank")),
            nip=nip,
        )

    def list_entry(self, node: Node, where: str) -> ListEntry | None:
        if isinstance(node, ScalarNode):
            return ListEntry(self.text(node, where) or "")
        fields = self.mapping(node, where, ("text", "items"), required=("text",))
        if fields is None:
            return None
        items = [self.text(n, f"{where}.items[{i}]") or "" for i, n in
                 enumerate(self.sequence(fields.get("items"), f"{where}.items"), 1)]
        return ListEntry(self.text(fields.get("text"), f"{where}.text") or "", items)

    def step(self, node: Node, where: str) -> StepEntry | None:
        label = _step_label(node) or where
        fields = self.mapping(node, label, STEP_KEYS,
                              required=("number", "activity", "lane", "kind"))
        if fields is None:
            self.flow_damaged = True
            return None

        def at(key: str) -> str:
            return f"{label}, {key}"

        def text(key: str) -> str:
            return self.text(fields.get(key), at(key)) or ""

        number = self.integer(fields.get("number"), at("number"))
        kind = self.kind(fields.get("kind"), at("kind"))
        targets = {k: self.integer(fields.get(k), at(k))
                   for k in ("next", "if_yes", "if_no")}
        unreadable = [k for k, value in targets.items()
                      if value is None and not _is_null(fields.get(k, _NULL))]
        missing = [k for k in ("number", "activity", "lane", "kind") if k not in fields]
        if number is None or kind is None or unreadable or missing:
            self.flow_damaged = True
        return StepEntry(
            number=number if number is not None else 0,
            activity=text("activity"),
            lane=text("lane"),
            kind=kind or StepKind.PROCESS,
            requirements=text("requirements"),
            time=_clean_time(self.text(fields.get("time"), at("time"),
                                       limit=_max(SopStep, "time_text")) or ""),
            output=text("output"),
            note=text("note"),
            **targets,
        )

    def kind(self, node: Node | None, where: str) -> StepKind | None:
        value = (self.text(node, where) or "").strip().lower()
        if value in {k.value for k in StepKind}:
            return StepKind(value)
        if node is not None:
            self.add(node, where, f'"{value}" bukan salah satu dari {KINDS}',
                     f'"{value}" is not one of {KINDS}')
        return None

    def approval(self, node: Node, where: str) -> ApprovalEntry | None:
        fields = self.mapping(node, where, ("role", "name", "position"),
                              required=("role", "name"))
        if fields is None:
            return None
        return ApprovalEntry(
            role=self.text(fields.get("role"), f"{where}.role",
                           limit=_max(SopApproval, "role")) or "",
            name=self.text(fields.get("name"), f"{where}.name",
                           limit=_max(SopApproval, "name")) or "",
            position=self.text(fields.get("position"), f"{where}.position",
                               limit=_max(SopApproval, "position")) or "",
        )

    def history_entry(self, node: Node, where: str) -> HistoryEntry | None:
        fields = self.mapping(node, where, ("date", "change", "note"),
                              required=("change",))
        if fields is None:
            return None
        return HistoryEntry(
            date=self.date(fields.get("date"), f"{where}.date"),
            change=self.text(fields.get("change"), f"{where}.change") or "",
            note=self.text(fields.get("note"), f"{where}.note") or "",
        )


_NULL = ScalarNode(TAG + "null", "")


def _max(model, column: str) -> int:
    return model.__table__.c[column].type.length


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG + "null"


def _step_label(node: Node) -> str | None:
    """ "langkah 4 / step 4" when the step's number can be read, else None."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if (isinstance(key, ScalarNode) and key.value == "number"
                    and isinstance(value, ScalarNode)
                    and re.fullmatch(r"[0-9]+", value.value)):
                return f"langkah {int(value.value)} / step {int(value.value)}"
    return None


def _clean_time(text: str) -> str:
    """The time as it will be stored; unknown texts stay for the rules to report."""
    try:
        return parse_time_standard(text).text
    except InvalidTimeStandard:
        return text
