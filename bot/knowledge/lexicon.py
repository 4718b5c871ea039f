"""The language file (`knowledge/language/en.yaml`): the words and patterns the bot reads
messages with, validated like the rest of the knowledge base. Another language is another file.

Each section is a dataclass whose fields' types say what kind of entry they read: `words`
(single words), `phrases`, `cues` (phrases as word tuples), `numbers` (word: number), `regex`
(a regular expression), or `alternation`: phrases joined into one pattern matching any of them
as whole words, where `*` in a phrase stands for the rest of a word ("mentor*")."""

from __future__ import annotations

import re
from dataclasses import Field, dataclass, field, fields
from typing import Any

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
_NEVER = re.compile(r"(?!)")


# Each field of a section reads a kind of entry, told by its type (see the module's docstring);
# a pattern is an alternation of phrases unless named here.
_KINDS = {
    "frozenset[str]": "words",
    "tuple[str, ...]": "phrases",
    "tuple[tuple[str, ...], ...]": "cues",
    "dict[str, float]": "numbers",
    "re.Pattern[str]": "alternation",
}
_REGEXES = frozenset({"own_level_phrase"})


@dataclass(frozen=True)
class Background:
    """Where someone moving into ML comes from, and the phrases that name it."""

    id: str
    name: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class QuestionWords:
    """What makes a message a question, or a follow-up on slots."""

    question_words: frozenset[str] = frozenset()  # opening a clause, they make it a question
    openers: frozenset[str] = frozenset()  # may come before that first word ("and what about")
    inner_question_words: tuple[str, ...] = ()  # with an auxiliary after them, anywhere
    inner_question_auxiliaries: tuple[str, ...] = ()
    followup_words: frozenset[str] = frozenset()  # with slots alone: a follow-up ("and for staff?")
    place_back_references: frozenset[str] = frozenset()  # "whats it like there"
    acknowledgements: tuple[str, ...] = ()  # whole messages that only acknowledge ("ok")


@dataclass(frozen=True)
class StatementWords:
    """What makes a message a statement about the speaker, a claim, a negation or a date."""

    statement_words: frozenset[str] = frozenset()  # removed, what is left tells if it also asks
    own_level_phrase: re.Pattern[str] = _NEVER  # "my current level"
    report_openers: tuple[str, ...] = ()  # "update:", "fyi" before a report
    report_verbs: tuple[str, ...] = ()  # a report without "I" ("gave a talk")
    negation: re.Pattern[str] = _NEVER
    claims: re.Pattern[str] = _NEVER  # having, doing or lacking something
    months: tuple[str, ...] = ()  # January first
    since_words: tuple[str, ...] = ()  # "since 2023", "back in 2021"
    relative_years: dict[str, float] = field(default_factory=dict)  # "last year": 1 (years ago)
    duration_words: tuple[str, ...] = ()  # "for 2 years"
    approximately: tuple[str, ...] = ()  # "for about 2 years"
    duration_units: dict[str, float] = field(default_factory=dict)  # unit: months it is
    being_words: tuple[str, ...] = ()  # "been", "am": a duration at a level


@dataclass(frozen=True)
class SlotWords:
    """The words around levels, markets and years that say whose they are and what they mean."""

    number_words: dict[str, float] = field(default_factory=dict)
    year_units: frozenset[str] = frozenset()
    glued_year_units: tuple[str, ...] = ()  # "5yoe" (not "5yo")
    half_joiners: frozenset[str] = frozenset()  # "two and a half years"
    clock_suffixes: tuple[str, ...] = ()  # "9am"
    amount_suffixes: tuple[str, ...] = ()  # "120k"
    own_level_cues: tuple[tuple[str, ...], ...] = ()  # "i am", "as" before a level
    own_filler: frozenset[str] = frozenset()  # "i am a new senior"
    own_after: frozenset[str] = frozenset()  # "junior here", "london based"
    own_after_opening: frozenset[str] = frozenset()  # "tech lead at a startup"
    self_openings: frozenset[str] = frozenset()  # "been a senior for years"
    not_yet: frozenset[str] = frozenset()  # "how long until i am mid": a goal
    own_market_cues: frozenset[str] = frozenset()
    own_market_phrases: tuple[tuple[str, ...], ...] = ()
    hypothetical: frozenset[str] = frozenset()  # "and if i moved to toronto?"
    relocation: frozenset[str] = frozenset()
    back_references: tuple[tuple[str, ...], ...] = ()  # "how long to get there"
    next_level: tuple[tuple[str, ...], ...] = ()  # "the next level"
    timeframe_words: frozenset[str] = frozenset()  # "in 2 years" is no experience
    market_nouns: frozenset[str] = frozenset()  # "us salary": "us" is a place
    pronouns: frozenset[str] = frozenset()
    place_words: frozenset[str] = frozenset()  # "in the us"
    first_person: frozenset[str] = frozenset()
    denial_skipped: frozenset[str] = frozenset()  # "not yet a staff"
    negators: frozenset[str] = frozenset()
    someone_with: tuple[tuple[str, ...], ...] = ()  # years of someone else
    from_words: frozenset[str] = frozenset()  # the level moved from
    to_words: frozenset[str] = frozenset()  # the level moved to
    into_words: frozenset[str] = frozenset()
    promotion_words: frozenset[str] = frozenset()  # "got promoted to senior" (canonical word)
    get_words: frozenset[str] = frozenset()  # "how do juniors get promoted"
    got_words: frozenset[str] = frozenset()
    just_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SituationWords:
    """What tells the speaker's situation: headlines about oneself, whose a role is."""

    headline_after: frozenset[str] = frozenset()  # "DS here", "DS with 4 yoe"
    articles: frozenset[str] = frozenset()
    self_words: frozenset[str] = frozenset()  # "I" makes a role one's own ("my" alone does not)
    from_words: frozenset[str] = frozenset()  # "moving from data science"
    # After a role: a group, not the speaker ("DS folks, are you...", "skepticism from DS circles")
    group_words: frozenset[str] = frozenset()
    ml_words: tuple[tuple[str, ...], ...] = ()  # after a level: an ML level ("senior mle")


@dataclass(frozen=True)
class LadderWords:
    """How company levels are written ("L5", "E6", "level 63", "SDE II")."""

    code_letters: tuple[str, ...] = ()
    code_plural: tuple[str, ...] = ()  # "E5s"
    level_words: frozenset[str] = frozenset()  # "level 63"
    own_cues: tuple[tuple[str, ...], ...] = ()  # "i am an l5"
    numerals: dict[str, float] = field(default_factory=dict)  # "SDE II"


@dataclass(frozen=True)
class PlanWords:
    """How plan items are named in free text."""

    clause_breaks: tuple[str, ...] = ()  # "I know docker but not kubernetes"
    generic: frozenset[str] = frozenset()  # too common to name an item in part


@dataclass(frozen=True)
class TeamWords:
    """How people say the size and reach of what they lead."""

    number_words: dict[str, float] = field(default_factory=dict)
    size_units: tuple[str, ...] = ()  # "a 3-person team"
    team_of: tuple[str, ...] = ()  # "team of 5"
    approximately: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()  # "5 ml engineers"
    members: tuple[str, ...] = ()  # "4 reports"
    team_words: tuple[str, ...] = ()  # one team
    organisation_words: tuple[str, ...] = ()  # across the organisation
    determiners: tuple[str, ...] = ()  # "on our recsys team"
    team: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Word lists of one language (lower case), as the language file gives them."""

    affirmative: tuple[str, ...] = ()
    declines: tuple[str, ...] = ()  # a message made only of these refuses ("no wait dont")
    more: tuple[str, ...] = ()  # a whole message asking for the rest of a long answer
    backgrounds: tuple[Background, ...] = ()
    goal_words: tuple[str, ...] = ()
    other_person: tuple[str, ...] = ()
    not_in_ml_yet: tuple[str, ...] = ()
    plan_reset: tuple[str, ...] = ()
    plan_remove: tuple[str, ...] = ()
    legal_words: tuple[str, ...] = ()  # visas, permits, non-competes: pointed to official sources
    arrow: str = "to"  # what "->" reads as ("mid -> senior")
    dictionary: str = "en"  # the language of the real-word dictionary (pyspellchecker's)
    function_words: frozenset[str] = frozenset()  # how something is asked, not what about
    suffixes: tuple[str, ...] = ()  # a known word plus one of these is that word ("skills")
    plural_suffixes: tuple[str, ...] = ()  # one plural rule for every phrase list
    questions: QuestionWords = QuestionWords()
    statements: StatementWords = StatementWords()
    slots: SlotWords = SlotWords()
    situation: SituationWords = SituationWords()
    ladders: LadderWords = LadderWords()
    plans: PlanWords = PlanWords()
    teams: TeamWords = TeamWords()


_LISTS = (
    "affirmative",
    "declines",
    "more",
    "goal_words",
    "other_person",
    "not_in_ml_yet",
    "plan_reset",
    "plan_remove",
    "legal_words",
)
_SECTIONS = {
    "questions": QuestionWords,
    "statements": StatementWords,
    "slots": SlotWords,
    "situation": SituationWords,
    "ladders": LadderWords,
    "plans": PlanWords,
    "teams": TeamWords,
}


def alternation(items: tuple[str, ...]) -> str:
    """One regular expression matching any of the phrases (longest first; `*`: rest of a word)."""
    ordered = sorted(items, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\*", r"\w*") for p in ordered)


def _entry(node: Node, kind: str) -> Any:
    if kind == "words":
        found = node.texts(max_len=40)
        for child, word in zip(node.items(), found, strict=True):
            if " " in word.strip():
                raise child.fail(f"'{word}' is more than one word (this list takes words)")
        return frozenset(w.lower() for w in found)
    if kind in ("phrases", "alternation", "cues"):
        items = tuple(t.lower() for t in node.texts(max_len=80))
        if kind == "cues":
            return tuple(tuple(t.split()) for t in items)
        if kind == "alternation":
            return re.compile(rf"\b(?:{alternation(items)})\b")
        return items
    if kind == "numbers":
        node.mapping(optional=tuple(node.value) if isinstance(node.value, dict) else ())
        return {str(k).lower(): v.number() for k, v in node.value.items()}
    try:
        return re.compile(node.text(400))
    except re.error as exc:
        raise node.fail(f"not a valid regular expression: {exc}") from exc


def _section(node: Node, cls: type[Any]) -> Any:
    names = tuple(f.name for f in fields(cls))
    node.mapping(required=names)
    return cls(**{f.name: _entry(node.get(f.name), _kind_of(f)) for f in fields(cls)})


def _kind_of(f: Field[Any]) -> str:
    return "regex" if f.name in _REGEXES else _KINDS[str(f.type)]


def _backgrounds(root: Node, problems: list[Problem]) -> tuple[Background, ...]:
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
    return tuple(backgrounds)


def read(root: Node, problems: list[Problem]) -> Lexicon:
    """The lexicon of a loaded language file; problems are appended, one per bad entry."""
    singles = ("arrow", "dictionary", "function_words", "suffixes", "plural_suffixes")
    try:
        root.mapping(required=(*_LISTS, "backgrounds", *singles, *_SECTIONS))
    except Invalid as exc:
        problems.append(exc.problem)
        return Lexicon()
    values: dict[str, Any] = {}
    for key in (*_LISTS, "suffixes", "plural_suffixes"):
        values[key] = _guarded(problems, lambda k=key: _entry(root.get(k), "phrases"), ())
    values["function_words"] = _guarded(
        problems, lambda: _entry(root.get("function_words"), "words"), frozenset()
    )
    values["arrow"] = _guarded(problems, lambda: root.get("arrow").text(20).lower(), "to")
    values["dictionary"] = _guarded(problems, lambda: root.get("dictionary").text(10), "en")
    for key, cls in _SECTIONS.items():
        values[key] = _guarded(problems, lambda k=key, c=cls: _section(root.get(k), c), cls())
    return Lexicon(backgrounds=_backgrounds(root, problems), **values)


def _guarded(problems: list[Problem], build: Any, default: Any) -> Any:
    try:
        return build()
    except Invalid as exc:
        problems.append(exc.problem)
        return default
