"""YAML loading that remembers where every value came from, for `file:line: problem` errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a knowledge file, at a line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """A knowledge base that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Invalid(Exception):
    """Raised by a Node accessor; turned into a Problem by the caller that collects them."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class Node:
    """A loaded YAML value with its file, line and dotted path, and typed accessors."""

    __slots__ = ("file", "key_lines", "line", "path", "value")

    def __init__(
        self, value: Any, file: str, line: int, path: str, key_lines: dict[str, int] | None = None
    ) -> None:
        self.value = value
        self.file = file
        self.line = line
        self.path = path
        self.key_lines = key_lines or {}

    def fail(self, message: str) -> Invalid:
        """An error located at this node (raise it)."""
        where = f"{self.path}: " if self.path else ""
        return Invalid(Problem(self.file, self.line, where + message))

    # -- mappings -------------------------------------------------------------------------
    def mapping(self, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> None:
        """Check that this is a mapping with all `required` keys and no keys outside both sets."""
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {_kind(self.value)}")
        allowed = set(required) | set(optional)
        for key, child in self.value.items():
            if key not in allowed:
                line = self.key_lines.get(key, child.line)
                close = get_close_matches(key, sorted(allowed), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "expected one of: "
                hint += "" if close else ", ".join(sorted(allowed))
                raise Invalid(Problem(self.file, line, f"{child.path}: unknown key ({hint})"))
        for key in required:
            if key not in self.value:
                raise self.fail(f"missing required key '{key}'")

    def get(self, key: str) -> Node:
        """The child under `key` (a null node when absent)."""
        assert isinstance(self.value, dict)
        child = self.value.get(key)
        if child is None:
            return Node(None, self.file, self.line, _join(self.path, key))
        assert isinstance(child, Node)
        return child

    # -- scalars --------------------------------------------------------------------------
    def is_null(self) -> bool:
        """True when the value is YAML null or absent."""
        return self.value is None

    def text(self, max_len: int = 2000) -> str:
        """A non-empty string."""
        if not isinstance(self.value, str):
            raise self.fail(f"expected text, got {_kind(self.value)}")
        stripped = self.value.strip()
        if not stripped:
            raise self.fail("must not be empty")
        if len(stripped) > max_len:
            raise self.fail(f"too long ({len(stripped)} characters, at most {max_len})")
        return stripped

    def optional_text(self, max_len: int = 2000) -> str | None:
        """A non-empty string, or None when null/absent."""
        return None if self.is_null() else self.text(max_len)

    def number(self, minimum: float = 0) -> float:
        """A number (int or float, not bool) at least `minimum`."""
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self.fail(f"expected a number, got {_kind(self.value)}")
        if self.value < minimum:
            raise self.fail(f"must be at least {minimum:g}")
        return float(self.value)

    def optional_number(self, minimum: float = 0) -> float | None:
        """A number, or None when null/absent."""
        return None if self.is_null() else self.number(minimum)

    def integer(self, minimum: int = 0) -> int:
        """An integer at least `minimum`."""
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected an integer, got {_kind(self.value)}")
        if self.value < minimum:
            raise self.fail(f"must be at least {minimum}")
        return self.value

    def boolean(self, default: bool = False) -> bool:
        """A boolean (default when absent)."""
        if self.is_null():
            return default
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def choice(self, options: tuple[str, ...] | frozenset[str] | set[str]) -> str:
        """A string from a fixed set."""
        value = self.text()
        if value not in options:
            raise self.fail(f"'{value}' is not one of: {', '.join(sorted(options))}")
        return value

    # -- sequences ------------------------------------------------------------------------
    def items(self, allow_empty: bool = False) -> Iterator[Node]:
        """The elements of a list."""
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {_kind(self.value)}")
        if not self.value and not allow_empty:
            raise self.fail("must not be an empty list")
        yield from self.value

    def texts(self, allow_empty: bool = False, max_len: int = 2000) -> tuple[str, ...]:
        """A list of non-empty strings."""
        return tuple(child.text(max_len) for child in self.items(allow_empty))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"'{str(value)[:40]}'"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# libyaml's parser when PyYAML has it (the same nodes, lines and errors, several times faster:
# most of a start-up was parsing YAML); the pure-Python one otherwise.
_COMPOSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_file(path: Path, display_name: str | None = None) -> Node:
    """Parse one YAML file into Nodes; syntax errors and duplicate keys become KnowledgeError."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([Problem(name, 1, f"not valid UTF-8 ({exc.reason})")]) from exc
    except OSError as exc:
        raise KnowledgeError([Problem(name, 1, f"cannot read: {exc.strerror}")]) from exc
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = f"YAML syntax error: {exc.problem}"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise KnowledgeError([Problem(name, line, message)]) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(name, 1, f"YAML error: {exc}")]) from exc
    if root is None:
        return Node(None, name, 1, "")
    return _convert(root, name, "", yaml.SafeLoader(""))


def _convert(node: yaml.Node, file: str, path: str, loader: yaml.SafeLoader) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise KnowledgeError(
                    [Problem(file, key_line, f"{path or 'top level'}: keys must be text")]
                )
            if key in out:
                raise KnowledgeError(
                    [Problem(file, key_line, f"{_join(path, key)}: duplicate key '{key}'")]
                )
            out[key] = _convert(value_node, file, _join(path, key), loader)
            key_lines[key] = key_line
        return Node(out, file, line, path, key_lines)
    if isinstance(node, yaml.SequenceNode):
        children = [
            _convert(child, file, _join(path, i), loader) for i, child in enumerate(node.value)
        ]
        return Node(children, file, line, path)
    return Node(loader.construct_object(node), file, line, path)
