"""The language file (`knowledge/language/en.yaml`): the words the bot reads messages with,
validated like the rest of the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.yamlnodes import Invalid, Node, Problem

# Where the language file is, inside a knowledge base directory.
LANGUAGE_FILE = "language/en.yaml"
# Backgrounds are part of the JSON interface: these ids, and only these.
BACKGROUND_IDS = (
    "software_engineering",
    "data_science",
    "data_engineering",
    "analytics",
    "research",
    "student",
    "other",
)


@dataclass(frozen=True)
class Background:
    """Where someone moving into ML comes from, and the phrases that name it."""

    id: str
    name: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Word lists of one language (lower case), as the language file gives them."""

    affirmative: tuple[str, ...] = ()
    backgrounds: tuple[Background, ...] = ()
    goal_words: tuple[str, ...] = ()
    other_person: tuple[str, ...] = ()
    not_in_ml_yet: tuple[str, ...] = ()
    plan_reset: tuple[str, ...] = ()
    plan_remove: tuple[str, ...] = ()


_LISTS = ("affirmative", "goal_words", "other_person", "not_in_ml_yet", "plan_reset", "plan_remove")


def read(root: Node, problems: list[Problem]) -> Lexicon:
    """The lexicon of a loaded language file; problems are appended, one per bad entry."""
    try:
        root.mapping(required=(*_LISTS, "backgrounds"))
    except Invalid as exc:
        problems.append(exc.problem)
        return Lexicon()
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LISTS:
        try:
            lists[key] = tuple(t.lower() for t in root.get(key).texts(max_len=60))
        except Invalid as exc:
            problems.append(exc.problem)
            lists[key] = ()
    backgrounds = []
    seen: set[str] = set()
    try:
        for node in root.get("backgrounds").items():
            try:
                node.mapping(required=("id", "name", "phrases"))
                background = Background(
                    node.get("id").choice(BACKGROUND_IDS),
                    node.get("name").text(60),
                    tuple(p.lower() for p in node.get("phrases").texts(max_len=60)),
                )
                if background.id in seen:
                    raise node.get("id").fail(f"background '{background.id}' is defined twice")
                seen.add(background.id)
                backgrounds.append(background)
            except Invalid as exc:
                problems.append(exc.problem)
    except Invalid as exc:
        problems.append(exc.problem)
    return Lexicon(backgrounds=tuple(backgrounds), **lists)
