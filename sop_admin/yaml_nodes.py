"""Read a YAML node tree strictly, keeping line numbers for every problem.

`compose` builds the node tree with PyYAML's safe loader instead of loading
Python values, so each node keeps its line and its resolved tag; `NodeReader`
then takes values out of it with type checks, collecting problems (with the
line) instead of stopping at the first. A key that YAML 1.1 turns into a
boolean (`yes`, `no`, `on`, `off`) is caught before it becomes `True`.

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

TAG = "tag:yaml.org,2002:"


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


def compose(text: str) -> tuple[Node | None, list[str]]:
    """The node tree of one YAML document, or None and the reason it has none."""
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (baris/line {mark.line + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [f"YAML tidak valid / invalid YAML: {reason}{line}"]
    if root is None:
        return None, ["berkas kosong / empty file"]
    return root, []


class NodeReader:
    """Typed values out of nodes; every problem is kept in `problems`."""

    def __init__(self):
        self.problems: list[str] = []
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
        if node is None or is_null(node):
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
        if node is None or is_null(node):
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
        if node is None or is_null(node):
            return None
        if (isinstance(node, ScalarNode) and node.tag == TAG + "int"
                and re.fullmatch(r"[0-9]+", node.value)):
            return int(node.value)
        shown = node.value if isinstance(node, ScalarNode) else "?"
        self.add(node, where, f'"{shown}" harus bilangan bulat',
                 f'"{shown}" must be a whole number')
        return None

    def date(self, node: Node | None, where: str) -> date | None:
        if node is None or is_null(node):
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

    def each(self, node: Node | None, where: str, read: Callable) -> list:
        """`read(item, "where[i]")` for each item of a list, dropping the unreadable."""
        items = (read(item, f"{where}[{i}]")
                 for i, item in enumerate(self.sequence(node, where), 1))
        return [item for item in items if item is not None]


#: Stands for a key that is absent, which counts as null.
NULL = ScalarNode(TAG + "null", "")


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG + "null"
