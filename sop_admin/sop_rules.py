"""The rules a valid SOP flowchart meets, shared by files and database versions.

`sopfile` checks a document read from YAML and `sops.problems` checks a
version being edited in the panel; both turn their steps into `FlowStep`s and
call `flow_problems`, so the two can never disagree about what is valid.
Every message names the step and the field, in Indonesian and English.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import InvalidTimeStandard
from .models.sop import StepKind
from .timestd import EXAMPLES, parse_time_standard


@dataclass(frozen=True)
class FlowStep:
    """What the rules need to know of one step, wherever it comes from.

    `lane` is the lane name, or None when the step's lane is not one of the
    version's lanes (possible only in the database).
    """

    number: int
    activity: str
    lane: str | None
    kind: StepKind
    time: str = ""
    next: int | None = None
    if_yes: int | None = None
    if_no: int | None = None

    def successors(self) -> list[int]:
        """Steps this one leads to; mirrors `SopStep.successors`."""
        if self.kind == StepKind.DECISION:
            return [n for n in (self.if_yes, self.if_no) if n is not None]
        if self.kind == StepKind.END:
            return [self.next] if self.next is not None else []
        return [self.next if self.next is not None else self.number + 1]


def step_problem(number: int | str, field: str, indonesian: str, english: str) -> str:
    return f"langkah {number} / step {number}, {field}: {indonesian} / {english}"


def field_problem(field: str, indonesian: str, english: str) -> str:
    return f"{field}: {indonesian} / {english}"


def document_problems(name: str, government: str, office: str) -> list[str]:
    """Identity fields without which the SOP cannot be printed."""
    found = []
    for field, value in (("name", name), ("unit.government", government),
                         ("unit.office", office)):
        if not (value or "").strip():
            found.append(field_problem(field, "wajib diisi", "is required"))
    return found


def lane_problems(lanes: Sequence[str]) -> list[str]:
    found = []
    seen: set[str] = set()
    for index, lane in enumerate(lanes, start=1):
        if not lane.strip():
            found.append(field_problem(f"lanes[{index}]", "nama pelaksana kosong",
                                       "empty lane name"))
        elif lane in seen:
            found.append(field_problem(f"lanes[{index}]",
                                       f'pelaksana "{lane}" ganda',
                                       f'lane "{lane}" is listed twice'))
        seen.add(lane)
    if not lanes:
        found.append(field_problem("lanes", "belum ada pelaksana", "no lanes"))
    return found


def flow_problems(lanes: Sequence[str], steps: Iterable[FlowStep]) -> list[str]:
    """Every broken rule of the flowchart, in step order; [] when it is valid."""
    steps = sorted(steps, key=lambda s: s.number)
    if not steps:
        return [*lane_problems(lanes),
                field_problem("steps", "belum ada langkah", "no steps")]
    numbers = {s.number for s in steps}
    return [
        *step_rule_problems(lanes, steps, numbers),
        *_numbering_problems(steps),
        *_start_end_problems(steps),
        *_reachability_problems(steps),
    ]


def step_rule_problems(lanes: Sequence[str], steps: Iterable[FlowStep],
                       numbers: set[int]) -> list[str]:
    """The rules each step meets on its own, `numbers` being all step numbers.

    A file with an unreadable step gets only these for its other steps: the
    rules about the whole chart would mostly echo the unreadable step.
    """
    found = lane_problems(lanes)
    for step in sorted(steps, key=lambda s: s.number):
        found += _step_problems(step, set(lanes), numbers)
    return found


def _numbering_problems(steps: list[FlowStep]) -> list[str]:
    found = []
    seen: set[int] = set()
    for step in steps:
        if step.number in seen:
            found.append(step_problem(step.number, "number", "nomor ganda",
                                      "number used twice"))
        seen.add(step.number)
    for missing in sorted(set(range(1, len(seen) + 1)) - seen):
        found.append(step_problem(
            missing, "number",
            f"tidak ada; nomor langkah harus 1..{len(seen)} tanpa loncatan",
            f"missing; steps must be numbered 1..{len(seen)} without gaps",
        ))
    return found


def _step_problems(step: FlowStep, lanes: set[str], numbers: set[int]) -> list[str]:
    n = step.number
    found = []
    if not step.activity.strip():
        found.append(step_problem(n, "activity", "wajib diisi", "is required"))
    if step.lane is None or step.lane not in lanes:
        shown = step.lane or "?"
        found.append(step_problem(n, "lane", f'"{shown}" tidak ada di lanes',
                                  f'"{shown}" is not listed in lanes'))
    try:
        parse_time_standard(step.time)
    except InvalidTimeStandard:
        found.append(step_problem(
            n, "time", f'waktu "{step.time}" tidak dikenali (bentuk: {EXAMPLES})',
            f'unrecognised time standard "{step.time}"'))
    if step.kind == StepKind.DECISION:
        for field in ("if_yes", "if_no"):
            if getattr(step, field) is None:
                found.append(step_problem(n, field, "wajib untuk keputusan",
                                          "required for a decision"))
        if step.next is not None:
            found.append(step_problem(
                n, "next", "keputusan memakai if_yes/if_no, bukan next",
                "a decision uses if_yes/if_no, not next"))
    else:
        for field in ("if_yes", "if_no"):
            if getattr(step, field) is not None:
                found.append(step_problem(n, field, "hanya untuk langkah keputusan",
                                          "only a decision step has it"))
    for field in ("next", "if_yes", "if_no"):
        target = getattr(step, field)
        if target is not None and target not in numbers:
            found.append(step_problem(n, field, f"langkah {target} tidak ada",
                                      f"step {target} does not exist"))
    if step.kind in (StepKind.START, StepKind.PROCESS) and step.next is None \
            and n + 1 not in numbers:
        found.append(step_problem(
            n, "next", f"tidak ada langkah {n + 1} sesudahnya; isi next atau "
            "jadikan langkah end",
            f"there is no following step {n + 1}; set next or make it an end"))
    return found


def _start_end_problems(steps: list[FlowStep]) -> list[str]:
    found = []
    starts = [s for s in steps if s.kind == StepKind.START]
    if not starts:
        found.append(field_problem("steps", "harus ada tepat satu langkah start",
                                   "exactly one start step is required"))
    for extra in starts[1:]:
        found.append(step_problem(extra.number, "kind",
                                  f"start kedua (start pertama: langkah "
                                  f"{starts[0].number})",
                                  f"second start (first start: step "
                                  f"{starts[0].number})"))
    if not any(s.kind == StepKind.END for s in steps):
        found.append(field_problem("steps", "harus ada minimal satu langkah end",
                                   "at least one end step is required"))
    return found


def _reachability_problems(steps: list[FlowStep]) -> list[str]:
    by_number = {s.number: s for s in steps}
    start = next((s for s in steps if s.kind == StepKind.START), None)
    if start is None:
        return []
    reached = {start.number}
    pending = [start]
    while pending:
        for target in pending.pop().successors():
            if target in by_number and target not in reached:
                reached.add(target)
                pending.append(by_number[target])
    return [
        step_problem(n, "number",
                     f"tidak terjangkau dari start (langkah {start.number})",
                     f"not reachable from the start (step {start.number})")
        for n in sorted(set(by_number) - reached)
    ]
