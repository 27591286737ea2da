"""Read the node tree of an SOP file into a `SopDocument`, collecting problems.

Structure and types are checked while reading (see `yaml_nodes`), then the
flowchart rules shared with the database (`sop_rules`). Reading never stops at
the first problem; the caller gets them all, each with its step and field.
"""

import re

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
from .sop_rules import document_problems, flow_problems, step_rule_problems
from .timestd import parse_time_standard
from .yaml_nodes import (
    NULL,
    MappingNode,
    Node,
    NodeReader,
    ScalarNode,
    compose,
    is_null,
)

TOP_KEYS = (
    "format", "unit", "number", "name", "dates", "approved_by", *LIST_FIELDS,
    "lanes", "steps", "approval_sheet", "coordination_initials", "history",
)
STEP_KEYS = (
    "number", "activity", "lane", "kind", "requirements", "time", "output", "note",
    "next", "if_yes", "if_no",
)
KINDS = ", ".join(k.value for k in StepKind)


def read_document(text: str) -> tuple[SopDocument | None, list[str]]:
    """Parse YAML text; return the document (None if unusable) and all problems."""
    root, problems = compose(text)
    if root is None:
        return None, problems
    reader = _Reader()
    document = reader.document(root)
    problems = reader.problems
    if document is not None:
        problems += document_problems(document.name, document.unit.government,
                                      document.unit.office)
        problems += reader.flow_problems(document)
    return document, problems


class _Reader(NodeReader):
    def __init__(self):
        super().__init__()
        #: Steps with a field the flow rules need unreadable (kind, lane, a target).
        self.damaged: list[StepEntry] = []
        #: False once a step or its number could not be read at all.
        self.numbers_complete = True

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
        if node is None or is_null(node):
            return Dates()
        fields = self.mapping(node, "dates", keys) or {}
        return Dates(**{k: self.date(fields.get(k), f"dates.{k}") for k in keys})

    def approver(self, node: Node | None) -> Approver:
        if node is None or is_null(node):
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
            self.numbers_complete = False
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
                      if value is None and not is_null(fields.get(k, NULL))]
        missing = [k for k in ("number", "activity", "lane", "kind") if k not in fields]
        self.numbers_complete &= number is not None
        entry = StepEntry(
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
        if kind is None or unreadable or missing:
            self.damaged.append(entry)
        return entry

    def flow_problems(self, document: SopDocument) -> list[str]:
        """The flowchart rules, limited to what the readable steps can show."""
        steps = document.steps
        if not self.numbers_complete:
            return []
        if not self.damaged:
            return flow_problems(document.lanes, [s.flow_step() for s in steps])
        readable = [s.flow_step() for s in steps
                    if not any(s is d for d in self.damaged)]
        return step_rule_problems(document.lanes, readable,
                                  {s.number for s in steps})

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


def _max(model, column: str) -> int:
    return model.__table__.c[column].type.length


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
