"""Reading YAML nodes into model objects, collecting each problem as `file:line`, one per entry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from typing import TypeVar

from bot.knowledge.model import Item, YearRange
from bot.knowledge.yamlnodes import Invalid, Node, Problem

T = TypeVar("T")


class Suppressed(Exception):
    """A reference to an entry that is itself invalid: that entry's problem is the one reported,
    so the errors that only follow from it are left out."""


# Every disagreement item opens the same way, so that readers see it for what it is.
DIFFER_OPENING = "Sources differ"


class Reader:
    """Turns Nodes into model objects, collecting problems instead of stopping at the first.

    Each entry (a level, a band, a tip...) reports its first problem only; entries that refer to
    an invalid one (a transition from a level that failed) are skipped without a problem of their
    own, so that one mistake gives one line, not one per reference.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.source_refs: list[Node] = []
        self.broken: dict[str, set[str]] = defaultdict(set)  # kind -> ids of invalid entries
        self.unnamed: set[str] = set()  # kinds with an invalid entry whose id is unreadable
        self.title_nodes: list[tuple[Node, str, tuple[str, ...]]] = []

    def each(
        self, nodes: Callable[[], Iterator[Node]], build: Callable[[Node], T], kind: str = ""
    ) -> list[T]:
        """Build every element, recording the problems of bad ones and keeping the good ones."""
        out: list[T] = []
        try:
            for node in nodes():
                try:
                    out.append(build(node))
                except Invalid as exc:
                    self.problems.append(exc.problem)
                    if kind:
                        self._mark_broken(kind, node)
                except Suppressed:
                    if kind:
                        self._mark_broken(kind, node)
        except Invalid as exc:
            self.problems.append(exc.problem)
            if kind:
                self.unnamed.add(kind)
        return out

    def _mark_broken(self, kind: str, node: Node) -> None:
        ident = node.value.get("id") if isinstance(node.value, dict) else None
        if isinstance(ident, Node) and isinstance(ident.value, str):
            self.broken[kind].add(ident.value.strip())
        else:
            self.unnamed.add(kind)

    def guard(self, build: Callable[[], T]) -> T | None:
        """Build one value, or record its problem and return None."""
        try:
            return build()
        except Invalid as exc:
            self.problems.append(exc.problem)
            return None
        except Suppressed:
            return None

    def suppressed(self, kind: str, value: object) -> bool:
        """True when `value` may name an entry of `kind` that is invalid (already reported)."""
        return kind in self.unnamed or (isinstance(value, str) and value in self.broken[kind])

    def ref(self, node: Node, kind: str, known: Collection[str]) -> str:
        """A reference to an entry of `kind` (a level id...) that must exist."""
        value = node.text()
        if value in known:
            return value
        if self.suppressed(kind, value):
            raise Suppressed
        return node.choice(set(known))  # fails with the list of known ids

    def source_ids(self, node: Node) -> tuple[str, ...]:
        """A non-empty list of source ids, remembered for the cross-reference check."""
        children = list(node.items())
        for child in children:
            child.text()
        self.source_refs.extend(children)
        return tuple(child.text() for child in children)

    def item(self, node: Node, max_len: int = 400) -> Item:
        """A fact `{text, sources}`, a disagreement `{text, sources, differ: true}`, advice of
        our own `{text, based_on}`, or what sources leave out `{text, not_in}`."""
        node.mapping(required=("text",), optional=("sources", "based_on", "not_in", "differ"))
        text = node.get("text").text(max_len)
        facts, ours, absent = node.get("sources"), node.get("based_on"), node.get("not_in")
        if [facts.is_null(), ours.is_null(), absent.is_null()].count(False) != 1:
            raise node.fail(
                "give one of 'sources' (a fact), 'based_on' (our own advice) or 'not_in' (what "
                "those sources do not cover)"
            )
        differ = node.get("differ").boolean()
        if differ and facts.is_null():
            raise node.get("differ").fail("a disagreement is between sources: use 'sources'")
        if differ and not text.startswith(DIFFER_OPENING):
            raise node.get("text").fail(f"a disagreement opens with “{DIFFER_OPENING}”")
        if not ours.is_null():
            return Item(text, self.source_ids(ours), ours=True)
        if not absent.is_null():
            return Item(text, self.source_ids(absent), absent=True)
        return Item(text, self.source_ids(facts), differ=differ)

    def items(self, node: Node, optional: bool = False) -> tuple[Item, ...]:
        """A list of facts (may be absent when `optional`)."""
        if optional and node.is_null():
            return ()
        return tuple(self.item(child) for child in node.items(allow_empty=optional))

    def year_range(self, node: Node) -> YearRange | None:
        """An optional `{min, max, sources}` range of years."""
        if node.is_null():
            return None
        node.mapping(required=("min", "max", "sources"))
        lo, hi = node.get("min").number(), node.get("max").number()
        if hi < lo:
            raise node.get("max").fail(f"max ({hi:g}) is below min ({lo:g})")
        return YearRange(lo, hi, self.source_ids(node.get("sources")))


def top(node: Node, *keys: str, optional: tuple[str, ...] = ()) -> None:
    """Check a file's top level: a mapping with `keys` (and maybe `optional` ones)."""
    if node.is_null():
        raise node.fail(f"the file is empty (expected top-level keys: {', '.join(keys)})")
    node.mapping(required=keys, optional=optional)


def unique(r: Reader, nodes: list[tuple[Node, str]], what: str) -> None:
    """Report every key seen before (a duplicate id), naming the line of the first."""
    seen: dict[str, Node] = {}
    for node, key in nodes:
        if key in seen:
            r.problems.append(
                node.fail(f"duplicate {what} '{key}' (first at line {seen[key].line})").problem
            )
        else:
            seen[key] = node
