"""Slot extraction: the levels, market and years of experience a message names, and whose."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.knowledge.lexicon import alternation
from bot.knowledge.model import KnowledgeBase
from bot.understanding import whose
from bot.understanding.scoring import LEVEL, MARKET, TIME, YEARS
from bot.understanding.whose import contains

# A number of years, written in digits ("3", "2.5", "10+").
_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d)?)\+?$")

# An amount of money ("120k", "95000"): a word like any other, which pay examples teach.
MONEY = "<money>"


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
    """Finds level and market aliases (longest phrase first) and experience in canonical tokens;
    the language file's `slots` words say whose each one is."""

    def __init__(
        self, kb: KnowledgeBase, canonical: dict[str, tuple[str, ...]], stopwords: frozenset[str]
    ) -> None:
        """`canonical` maps each alias to its tokens after the same canonicalisation as messages."""
        self.kb = kb
        self.w = w = kb.lexicon.slots
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
        self.starts = frozenset(p[0] for p in self.phrases if p)  # an alias of no words: none
        # An alias that is also a common word ("us") only counts after a place preposition.
        common = stopwords | w.pronouns
        self.guarded = frozenset(p for p in self.phrases if len(p) == 1 and p[0] in common)
        self.next_level_words = frozenset(x for cue in w.next_level for x in cue)
        units = alternation(w.glued_year_units)
        self._glued_years = re.compile(rf"^(\d{{1,2}}(?:\.\d)?)\+?(?:{units})$")
        self._time_of_day = re.compile(
            rf"^\d{{1,2}}(?:h\d{{2}}|h|{alternation(w.clock_suffixes)})$"
        )
        amounts = alternation(w.amount_suffixes)
        self._amount = re.compile(rf"^(?:\d{{1,4}}(?:\.\d{{1,2}})?(?:{amounts})|\d{{5,7}})$")

    def extract(self, words: Sequence[str]) -> Extraction:
        """Extract slots from canonical tokens."""
        w = self.w
        ex = Extraction(tokens=[], first_person=any(x in w.first_person for x in words))
        spans: list[tuple[int, str, bool]] = []  # (position in tokens, level, own)
        i, n = 0, len(words)
        while i < n:
            years, used = self._years_at(words, i)
            # "in 2 years" is a time frame, not experience.
            if years is not None and (i == 0 or words[i - 1] not in w.timeframe_words):
                ex.tokens.append(YEARS)
                if ex.years is None:
                    ex.years = years
                i += used
                continue
            size, hit = self._phrase_at(words, i)
            if hit is None:
                ex.tokens.append(self._word(words[i]))
                i += 1
                continue
            self._slot(ex, spans, hit, words, i, size)
            i += size
        present = frozenset(ex.tokens)
        ex.refers_back = _says_any(ex.tokens, present, w.back_references)
        ex.next_level = not spans and _says_any(ex.tokens, present, w.next_level)
        self._assign_levels(ex, spans)
        # Years say which level only when no level is named: "junior for 3 years" is time spent
        # at junior, not three years of experience overall.
        if ex.years is not None and not spans:
            stated = self.kb.level_for_years(ex.years)
            someone = _says_any(ex.tokens, present, w.someone_with)
            if ex.first_person and not someone:
                ex.own_level = stated
            else:
                ex.level = stated
        return ex

    def _word(self, word: str) -> str:
        """A word as scoring sees it: a time of day and an amount of money are masked."""
        if self._time_of_day.match(word):
            return TIME
        return MONEY if self._amount.match(word) else word

    def _slot(
        self,
        ex: Extraction,
        spans: list[tuple[int, str, bool]],
        hit: tuple[str, str],
        words: Sequence[str],
        i: int,
        size: int,
    ) -> None:
        """Record a level, market or title found at words[i:i+size] and mask it."""
        w, out = self.w, ex.tokens
        kind, value = hit
        after = words[i + size] if i + size < len(words) else ""
        # "tech lead at a startup", "intern right now": a message that opens with a level.
        own_after = after in w.own_after or (i == 0 and after in w.own_after_opening)
        if kind == "title":
            if ex.title is None:
                ex.title = value
                ex.own_title = own_after or whose.own_before(w, out, len(out))
            out.append(LEVEL)
        elif kind == "level":
            ex.level_positions.append(len(out))
            spans.append((len(out), value, own_after or whose.own_before(w, out, len(out))))
            out.append(LEVEL)
        else:
            # "from the bay area to melbourne": the place moved to is the one that counts.
            to = bool(out) and out[-1] in w.to_words
            moving_on = ex.market is not None and to and whose.relocating(w, out)
            if ex.market is None or moving_on:
                ex.market = value
                ex.own_market = own_after or whose.own_market_before(w, out, len(out))
            out.append(MARKET)

    def _phrase_at(self, words: Sequence[str], i: int) -> tuple[int, tuple[str, str] | None]:
        """The longest level or market alias starting at words[i] (plurals too: "juniors")."""
        n = len(words)
        w = self.w
        first = words[i]
        # Most words open no alias (nor does their singular): settle those at once.
        if first not in self.starts and not (
            len(first) > 3 and first.endswith("s") and first[:-1] in self.starts
        ):
            return 0, None
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
                and (i == 0 or words[i - 1] not in w.place_words)
                and (after not in w.own_after and after not in w.market_nouns)
            ):
                continue
            return size, hit
        return 0, None

    def _assign_levels(self, ex: Extraction, spans: list[tuple[int, str, bool]]) -> None:
        w, out = self.w, ex.tokens
        # A cue without "I" ("have", "as", "been") makes a level one's own only in a clause that
        # speaks of oneself: "do canadian companies even have staff roles" is a question about
        # others, "as a senior, should i..." is about oneself.
        spans = [
            (p, lvl, own and (whose.speaks_of_self(w, out, p) or whose.cue_has_subject(w, out, p)))
            for p, lvl, own in spans
        ]
        # "i meant mid, not senior": a level denied next to one stated is no slot.
        kept = [s for s in spans if not whose.denied(w, out, s[0])]
        if kept and len(kept) < len(spans):
            spans = kept
        others = [(pos, lvl) for pos, lvl, own in spans if not own]
        owns = [(pos, lvl) for pos, lvl, own in spans if own]
        ex.own_position, ex.own_level = owns[0] if owns else (None, None)
        ex.mentioned = [lvl for _, lvl, _ in spans]
        if len(others) >= 2:
            self._two_levels(ex, others[0], others[1])
        elif len(others) == 1:
            self._one_level(ex, *others[0])

    def _two_levels(self, ex: Extraction, first: tuple[int, str], second: tuple[int, str]) -> None:
        """Two levels: a move ("from mid to senior") or a comparison ("senior vs staff")."""
        w, out = self.w, ex.tokens
        (p1, l1), (p2, l2) = first, second
        between = out[p1 + 1 : p2]
        moving = (p1 > 0 and out[p1 - 1] in w.from_words) or (
            bool(between) and between[-1] in w.to_words
        )
        if moving or any(x in w.into_words for x in between):
            ex.from_level, ex.level, ex.transition = l1, l2, True
        else:
            low, high = sorted((l1, l2), key=lambda lv: self.kb.levels[lv].rank)
            ex.from_level, ex.level, ex.comparison = low, high, True

    def _one_level(self, ex: Extraction, pos: int, level: str) -> None:
        """One level not the speaker's: the level asked about, or the one moved from ("from
        mid", "how do juniors usually get promoted")."""
        w, out = self.w, ex.tokens
        after = out[pos + 1 : pos + 5]
        at = next((k for k, x in enumerate(after) if x in w.promotion_words), None)
        promoted = at is not None and any(x in w.get_words for x in after[:at])
        if (pos > 0 and out[pos - 1] in w.from_words) or promoted:
            ex.from_level = level
        else:
            ex.level = level
            if ex.own_level and ex.own_level != level:
                ex.from_level = ex.own_level

    def _years_at(self, words: Sequence[str], i: int) -> tuple[float | None, int]:
        """Years of experience starting at words[i] ("3 years", "3+ yrs", "5yoe", "three
        years")."""
        w = self.w
        word = words[i]
        glued = self._glued_years.match(word)
        if glued:
            return float(glued.group(1)), 1
        if i + 1 >= len(words):
            return None, 0
        number = _NUMBER.match(word)
        value = float(number.group(1)) if number else w.number_words.get(word)
        if value is None:
            return None, 0
        nxt = words[i + 1]
        if nxt in w.year_units:
            # "a year" only counts with a unit, and "a 3 year" does not happen: fine either way.
            return float(value), 2
        if nxt in w.half_joiners and i + 3 < len(words) and words[i + 3] in w.year_units:
            return float(value) + 0.5, 4  # "two and a half years"
        return None, 0


def _says_any(
    words: Sequence[str], present: frozenset[str], cues: Iterable[tuple[str, ...]]
) -> bool:
    """Whether any cue appears whole among the words (`present`: the words as a set, so that a
    cue whose first word is absent, nearly all of them, costs one lookup)."""
    return any((not cue or cue[0] in present) and contains(words, cue) for cue in cues)
