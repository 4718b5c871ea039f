"""Finding big-tech levels in a message: "L5 at Google", "meta e6", "level 63 at microsoft"."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.knowledge.lexicon import LadderWords, alternation
from bot.knowledge.model import Ladders, Rung

_NUMBER_CODE = re.compile(r"^\d{2}$")
_LONGEST_TITLE = 3


@dataclass(frozen=True)
class LadderMention:
    """A company level named in a message: the matching rungs (one once the company is known)."""

    rungs: tuple[Rung, ...]
    company: str | None
    code: str | None
    own: bool

    @property
    def level(self) -> str | None:
        """This bot's level, when every candidate rung agrees on it."""
        levels = {r.level for r in self.rungs}
        return levels.pop() if len(levels) == 1 else None


class LadderFinder:
    """Finds "L5 at Google", "meta e6", "level 63 at microsoft" in canonical tokens."""

    def __init__(
        self, ladders: Ladders, writing: LadderWords, canonical: Callable[[str], list[str]]
    ) -> None:
        """`writing`: how company levels are written (the language file); `canonical` turns a
        title into tokens the way messages are turned into tokens."""
        self.ladders = ladders
        self.words = writing
        letters = alternation(writing.code_letters)
        plural = alternation(writing.code_plural)
        self._letter_code = re.compile(rf"^(?:{letters})\d{{1,2}}(?:{plural})?$")
        self._plural = tuple(p.upper() for p in writing.code_plural)
        self._numerals = {k: f"{v:g}" for k, v in writing.numerals.items()}
        self.numbered = frozenset(c.id for c in ladders.companies.values() if c.numbered)
        self.company_of = {a: c.id for c in ladders.companies.values() for a in c.aliases}
        self.rungs_of: dict[str, list[Rung]] = {}
        # Titles of two words or more ("SDE II", "Senior Staff"): one word ("Staff") is this
        # bot's level name as often as a company's title.
        self.titles: dict[str, list[Rung]] = {}
        for rung in ladders.rungs:
            for code in rung.codes:
                self.rungs_of.setdefault(code, []).append(rung)
            for title in (rung.title or "", *rung.aliases):
                words = canonical(title)
                if len(words) >= 2:
                    self.titles.setdefault(self._title_key(words), []).append(rung)
        # Every start of a title key: a word that starts none opens no title (nearly all words).
        self._title_starts = frozenset(k[:j] for k in self.titles for j in range(1, len(k) + 1))

    def find(self, words: Sequence[str], company: str | None = None) -> LadderMention | None:
        """The company level a message names, or just the company it asks about, if any;
        `company` is the one the conversation is about, for a message that names none."""
        named = next((self.company_of[w] for w in words if w in self.company_of), None)
        company = named or company
        coded = self.codes(words, company)
        if coded:
            return coded[0]
        titled = self._by_title(words, company)
        if titled:
            return titled
        if named is not None:
            # "what's mid level at microsoft": a company named, with no level of its own; the
            # company of the conversation alone does not make "and a senior?" such a question.
            return LadderMention((), named, None, False)
        return None

    def codes(self, words: Sequence[str], company: str | None) -> list[LadderMention]:
        """Every company level code in the message, in order ("from L4 to L5")."""
        found = []
        for i, word in enumerate(words):
            code = None
            if self._letter_code.match(word):
                code = word.upper().rstrip("".join(self._plural))  # "E5s" are E5 engineers
            elif _NUMBER_CODE.match(word) and (
                company in self.numbered or (i > 0 and words[i - 1] in self.words.level_words)
            ):
                code = word
            if code is None:
                continue
            rungs = [r for r in self.rungs_of.get(code, []) if company in (None, r.company)]
            # A number is a level only when the ladder has it ("i'm 35", "50 hours" are not).
            if not rungs and (company is None or code.isdigit()):
                continue
            found.append(LadderMention(tuple(rungs), company, code, self._is_own(words, i)))
        return found

    def _title_key(self, words: Sequence[str]) -> str:
        """ "SDE II", "sde 2" and "sde2" alike: "sde2"."""
        numerals = self._numerals
        return "".join(numerals.get(w, w) if i else w for i, w in enumerate(words))

    def _is_own(self, words: Sequence[str], i: int) -> bool:
        """Whether the level at `i` is stated as the speaker's own ("i am an l5")."""
        before = tuple(words[max(0, i - 4) : i])
        return any(
            tuple(before[j : j + len(cue)]) == cue
            for cue in self.words.own_cues
            for j in range(len(before) - len(cue) + 1)
        )

    def _by_title(self, words: Sequence[str], company: str | None) -> LadderMention | None:
        """ "amazon senior sde", "sde2": a title names the rung; without the company, only a
        numbered title that a single company uses."""
        for i in range(len(words)):
            if words[i] not in self._title_starts:
                continue
            for n in range(_LONGEST_TITLE, 1, -1):
                key = self._title_key(words[i : i + n])
                # "sde2" written as one word
                rungs = self.titles.get(key) or (self.titles.get(words[i]) if n == 2 else None)
                if not rungs:
                    continue
                if company is not None:
                    rungs = [r for r in rungs if r.company == company]
                elif len({r.company for r in rungs}) > 1 or not any(c.isdigit() for c in key):
                    continue
                if rungs:
                    code = rungs[0].codes[0]
                    own = self._is_own(words, i)
                    return LadderMention(tuple(rungs), rungs[0].company, code, own)
        return None
