"""Slot extraction: the levels, market and years of experience a message names, and whose."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.knowledge.model import KnowledgeBase
from bot.understanding.language import BOUNDARY
from bot.understanding.scoring import LEVEL, MARKET, TIME, YEARS

# An amount of money ("120k", "95000"): a word like any other, which pay examples teach.
MONEY = "<money>"

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "half": 0.5,
}  # fmt: skip
_YEAR_UNITS = frozenset({"year", "years", "yr", "yrs", "yoe", "y", "yo"})
_TIME_OF_DAY = re.compile(r"^\d{1,2}(?:h\d{2}|h|am|pm)$")
_AMOUNT = re.compile(r"^(?:\d{1,4}(?:\.\d{1,2})?[km]|\d{5,7})$")
_GLUED_YEARS = re.compile(r"^(\d{1,2}(?:\.\d)?)\+?(?:y|yr|yrs|yoe|years?)$")
_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d)?)\+?$")

# Words right before a level that make it the user's own ("i am a senior", "as a mid"), checked
# after dropping filler words such as "a" and "currently".
_OWN_LEVEL_CUES = (
    ("i", "am"), ("as",), ("work", "as"), ("my", "level"), ("my", "title"), ("title",),
    ("promoted", "to"), ("i", "was"), ("been",), ("i", "have"), ("have",), ("level",),
    ("role", "is"), ("still",),
    # "promoted" reads as "promotion" here: "got promoted to senior", "they promoted me to staff"
    ("got", "promotion", "to"), ("was", "promotion", "to"), ("been", "promotion", "to"),
    ("just", "promotion", "to"), ("finally", "promotion", "to"), ("promotion", "me", "to"),
)  # fmt: skip
# Words between the cue and the level that do not break the statement ("i am a new senior").
_OWN_FILLER = frozenset(
    {"a", "an", "the", "now", "currently", "just", "already", "is", "new", "fresh"}
)
# Words right after a level or market that make it the user's own ("junior here", "london based").
_OWN_AFTER = frozenset({"here", "based", "myself"})
_OWN_AFTER_OPENING = frozenset({"at", "right", "now", "currently"})
# Words that turn a level into a goal ("i am trying to become senior").
_GOAL_WORDS = frozenset(
    {"become", "becoming", "to", "want", "reach", "get", "be", "next", "aspire", "aiming", "into"}
)
_OWN_MARKET_CUES = frozenset(
    {"based", "live", "living", "located", "from", "reside", "relocated", "relocating", "moved",
     "moving", "stay", "staying", "working", "work", "works"}
)  # fmt: skip
_BACK_REFERENCES = (
    ("get", "there"), ("reach", "that"), ("that", "level"), ("get", "that"), ("that", "jump"),
    ("that", "step"), ("that", "move"), ("the", "jump"), ("that", "be"), ("reach", "it"),
    ("make", "it", "there"), ("that", "promotion"), ("that", "transition"), ("for", "it"),
    ("for", "that"), ("does", "that"),
)  # fmt: skip
_NEXT_LEVEL = (("next", "level"), ("next", "one"), ("level", "above"), ("above", "mine"),
               ("next", "rung"), ("next", "grade"), ("after", "that"))  # fmt: skip
NEXT_LEVEL_WORDS = frozenset(w for cue in _NEXT_LEVEL for w in cue)
_NOT_YET = frozenset({"until", "till", "til", "untill", "when", "before", "once", "if", "unless"})
_TIMEFRAME_WORDS = frozenset({"in", "within", "after", "next", "than", "under", "by"})
# Words after a guarded alias that make it a place ("us based", "us salary").
_MARKET_NOUNS = frozenset({"salary", "market", "jobs", "job", "companies", "company", "citizen"})
_PRONOUNS = frozenset({"us", "me", "we", "it", "i", "you", "he", "she", "they"})
# Words that make a place a what-if ("and if i moved to toronto?"), not where one is.
_HYPOTHETICAL = frozenset({"if", "were", "would", "could", "should", "considering", "thinking",
                           "worth", "want", "wants", "planning", "maybe"})  # fmt: skip
# Verbs of an actual move: "moving from the bay area to melbourne" names where one will be.
_RELOCATION = frozenset({"moved", "moving", "relocated", "relocating"})
_PLACE_WORDS = frozenset({"the", "in", "from", "to", "across", "within", "outside", "into"})
_FIRST_PERSON = frozenset({"i", "me", "my", "im", "ive", "mine", "myself"})


@dataclass
class Extraction:
    """What a message says about levels, market and experience; its tokens with slots masked."""

    tokens: list[str]
    level: str | None = None
    from_level: str | None = None
    mentioned: list[str] = field(default_factory=list)
    own_level: str | None = None
    own_position: int | None = None  # where, among the masked tokens, the own level stands
    others_only: bool = False  # every level named is someone else's ("I mentor two juniors")
    market: str | None = None
    own_market: bool = False
    years: float | None = None
    refers_back: bool = False
    next_level: bool = False  # "the next level", "the level above mine"
    first_person: bool = False
    comparison: bool = False
    transition: bool = False
    level_positions: list[int] = field(default_factory=list)
    title: str | None = None  # a title whose level depends on the company ("tech lead")
    own_title: bool = False  # stated as the user's own ("i'm a tech lead")


class SlotExtractor:
    """Finds level and market aliases (longest phrase first) and experience in canonical tokens."""

    def __init__(
        self, kb: KnowledgeBase, canonical: dict[str, tuple[str, ...]], stopwords: frozenset[str]
    ) -> None:
        """`canonical` maps each alias to its tokens after the same canonicalisation as messages."""
        self.kb = kb
        self.phrases: dict[tuple[str, ...], tuple[str, str]] = {}
        for level in kb.levels.values():
            for alias in level.aliases:
                self.phrases[canonical[alias]] = ("level", level.id)
        for market in kb.markets.values():
            for alias in market.aliases:
                self.phrases[canonical[alias]] = ("market", market.id)
        # Titles whose level depends on the company read like a level but set none (see
        # knowledge.readings); one word ("lead", "architect") is as often a verb.
        for title in kb.titles.values():
            for alias in title.aliases:
                if len(canonical[alias]) > 1:
                    self.phrases.setdefault(canonical[alias], ("title", title.id))
        self.longest = max((len(p) for p in self.phrases), default=1)
        # An alias that is also a common word ("us") only counts after a place preposition.
        common = stopwords | _PRONOUNS
        self.guarded = frozenset(p for p in self.phrases if len(p) == 1 and p[0] in common)

    def extract(self, words: Sequence[str]) -> Extraction:
        """Extract slots from canonical tokens."""
        ex = Extraction(tokens=[], first_person=any(w in _FIRST_PERSON for w in words))
        out = ex.tokens
        level_spans: list[tuple[int, str, bool]] = []  # (position in out, level, own)
        i, n = 0, len(words)
        while i < n:
            years, used = _years_at(words, i)
            # "in 2 years" is a time frame, not experience.
            if years is not None and (i == 0 or words[i - 1] not in _TIMEFRAME_WORDS):
                out.append(YEARS)
                i += used
                if ex.years is None:
                    ex.years = years
                continue
            size, hit = self._phrase_at(words, i)
            if hit is None:
                word = words[i]
                out.append(
                    TIME if _TIME_OF_DAY.match(word) else MONEY if _AMOUNT.match(word) else word
                )
                i += 1
                continue
            kind, value = hit
            if kind == "title":
                if ex.title is None:
                    after = words[i + size] if i + size < n else ""
                    ex.title = value
                    opening = i == 0 and after in _OWN_AFTER_OPENING
                    ex.own_title = after in _OWN_AFTER or opening or _own_before(out, len(out))
                out.append(LEVEL)
                i += size
                continue
            after = words[i + size] if i + size < n else ""
            # "tech lead at a startup", "intern right now": a message that opens with a level.
            own_after = after in _OWN_AFTER or (i == 0 and after in _OWN_AFTER_OPENING)
            if kind == "level":
                ex.level_positions.append(len(out))
                level_spans.append((len(out), value, own_after or _own_before(out, len(out))))
                out.append(LEVEL)
            else:
                # "from the bay area to melbourne": the place moved to is the one that counts.
                moving_on = ex.market is not None and out[-1:] == ["to"] and _relocating(out)
                if ex.market is None or moving_on:
                    ex.market = value
                    ex.own_market = own_after or _own_market_before(out, len(out))
                out.append(MARKET)
            i += size
        ex.refers_back = any(_contains(out, cue) for cue in _BACK_REFERENCES)
        ex.next_level = not level_spans and any(_contains(out, cue) for cue in _NEXT_LEVEL)
        self._assign_levels(ex, level_spans)
        # Years say which level only when no level is named: "junior for 3 years" is time spent
        # at junior, not three years of experience overall.
        if ex.years is not None and not level_spans:
            stated = self.kb.level_for_years(ex.years)
            if ex.first_person and not _contains(out, ("someone", "with")):
                ex.own_level = stated
            else:
                ex.level = stated
        return ex

    def _phrase_at(self, words: Sequence[str], i: int) -> tuple[int, tuple[str, str] | None]:
        """The longest level or market alias starting at words[i] (plurals too: "juniors")."""
        n = len(words)
        for size in range(min(self.longest, n - i), 0, -1):
            phrase = tuple(words[i : i + size])
            hit = self.phrases.get(phrase)
            last = phrase[-1]
            if hit is None and len(last) > 3 and last.endswith("s"):
                hit = self.phrases.get((*phrase[:-1], last[:-1]))
            if hit is None:
                continue
            after = words[i + size] if i + size < n else ""
            if (
                phrase in self.guarded
                and (i == 0 or words[i - 1] not in _PLACE_WORDS)
                and (after not in _OWN_AFTER and after not in _MARKET_NOUNS)
            ):
                continue
            return size, hit
        return 0, None

    def _assign_levels(self, ex: Extraction, spans: list[tuple[int, str, bool]]) -> None:
        out = ex.tokens
        # A cue without "I" ("have", "as", "been") makes a level one's own only in a clause that
        # speaks of oneself: "do canadian companies even have staff roles" is a question about
        # others, "as a senior, should i..." is about oneself.
        spans = [(p, lvl, own and (_speaks_of_self(out, p) or _cue_has_subject(out, p)))
                 for p, lvl, own in spans]  # fmt: skip
        # "i meant mid, not senior": a level denied next to one stated is no slot.
        kept = [s for s in spans if not _denied(out, s[0])]
        if kept and len(kept) < len(spans):
            spans = kept
        others = [(pos, lvl) for pos, lvl, own in spans if not own]
        owns = [(pos, lvl) for pos, lvl, own in spans if own]
        ex.own_position, ex.own_level = owns[0] if owns else (None, None)
        ex.mentioned = [lvl for _, lvl, _ in spans]
        rank = self.kb.levels
        if len(others) >= 2:
            (p1, l1), (p2, l2) = others[0], others[1]
            between = out[p1 + 1 : p2]
            if (p1 > 0 and out[p1 - 1] == "from") or between[-1:] == ["to"] or "into" in between:
                ex.from_level, ex.level, ex.transition = l1, l2, True
            else:
                low, high = sorted((l1, l2), key=lambda lv: rank[lv].rank)
                ex.from_level, ex.level, ex.comparison = low, high, True
        elif len(others) == 1:
            pos, lvl = others[0]
            # "from mid", "how do juniors usually get promoted": the level moved from.
            after = out[pos + 1 : pos + 5]
            promoted = "promotion" in after and "get" in after[: after.index("promotion")]
            if (pos > 0 and out[pos - 1] == "from") or promoted:
                ex.from_level = lvl
            else:
                ex.level = lvl
                if ex.own_level and ex.own_level != lvl:
                    ex.from_level = ex.own_level


def _denied(out: Sequence[str], pos: int) -> bool:
    """ "not senior", "not a staff", "not yet staff": the level at `pos` is denied."""
    before = [w for w in out[max(0, pos - 3) : pos] if w not in ("a", "an", "yet", "really")]
    return bool(before) and before[-1] in ("not", "no", "never")


def _contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def _years_at(words: Sequence[str], i: int) -> tuple[float | None, int]:
    """Years of experience starting at words[i] ("3 years", "3+ yrs", "5yoe", "three years")."""
    word = words[i]
    glued = _GLUED_YEARS.match(word)
    if glued:
        return float(glued.group(1)), 1
    if i + 1 >= len(words):
        return None, 0
    number = _NUMBER.match(word)
    value = float(number.group(1)) if number else _NUMBER_WORDS.get(word)
    nxt = words[i + 1]
    if value is not None and nxt in _YEAR_UNITS:
        # "a year" only counts with a unit, and "a 3 year" does not happen: fine either way.
        return float(value), 2
    if (
        value is not None
        and nxt in ("and", "a")
        and i + 3 < len(words)
        and words[i + 3] in _YEAR_UNITS
    ):
        return float(value) + 0.5, 4  # "two and a half years"
    return None, 0


def _clause_before(out: Sequence[str], end: int, width: int) -> list[str]:
    start = end
    while start > 0 and end - start < width and out[start - 1] != BOUNDARY:
        start -= 1
    return list(out[start:end])


def _clause_at(out: Sequence[str], pos: int) -> list[str]:
    """The words of the clause around position `pos` (between boundary marks)."""
    start = pos
    while start > 0 and out[start - 1] != BOUNDARY:
        start -= 1
    end = pos
    while end < len(out) and out[end] != BOUNDARY:
        end += 1
    return list(out[start:end])


# Clause openings that speak of oneself without "I": "senior here", "been a senior for years".
_SELF_OPENINGS = ([LEVEL], ["been"], ["currently"], ["still"])


def _speaks_of_self(out: Sequence[str], pos: int) -> bool:
    """The clause of `pos` has a first-person word, or opens with the level ("senior here")."""
    clause = _clause_at(out, pos)
    return any(w in _FIRST_PERSON for w in clause) or clause[:1] in _SELF_OPENINGS


def _cue_has_subject(out: Sequence[str], pos: int) -> bool:
    """A cue that needs no "I": "(just) got promoted to senior" says it of the speaker."""
    before = _clause_before(out, pos, 5)
    return "promotion" in before and ("got" in before or before[:1] == ["just"])


def _own_before(out: Sequence[str], end: int) -> bool:
    """True when the words before position `end` state the user's own level or experience."""
    before = _clause_before(out, end, 6)
    while before and before[-1] in _OWN_FILLER:
        before.pop()
    for cue in _OWN_LEVEL_CUES:
        if tuple(before[-len(cue) :]) == cue:
            # "how long until i am mid" is a goal, not a statement.
            ahead = before[: -len(cue)]
            return not (ahead and ahead[-1] in _NOT_YET)
    return False


def _relocating(out: Sequence[str]) -> bool:
    """A move stated as happening, not weighed ("is it worth moving from london to ...")."""
    clause = _clause_before(out, len(out), 12)
    return any(w in _RELOCATION for w in clause) and not any(w in _HYPOTHETICAL for w in clause)


def _own_market_before(out: Sequence[str], end: int) -> bool:
    before = _clause_before(out, end, 4)
    if any(w in _HYPOTHETICAL for w in before):
        # "and if i moved to toronto?": a what-if, not where the user is.
        return False
    if any(w in _OWN_MARKET_CUES for w in before):
        return True
    return _contains(before, ("i", "am", "in")) or _contains(before, ("work", "in"))
