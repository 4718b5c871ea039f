"""Finding big-tech levels in a message: "L5 at Google", "meta e6", "level 63 at microsoft"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge import Ladders, Rung

_LETTER_CODE = re.compile(r"^[le]\d{1,2}s?$")
_NUMBER_CODE = re.compile(r"^\d{2}$")
# Words before a code that make it the speaker's own ("i am an l5", "i'm e5 at meta").
_OWN = (("i", "am"), ("im",), ("my", "level"), ("work", "as"), ("i", "was"), ("promoted", "to"))


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

    def __init__(self, ladders: Ladders) -> None:
        self.ladders = ladders
        self.company_of = {a: c.id for c in ladders.companies.values() for a in c.aliases}
        self.rungs_of: dict[str, list[Rung]] = {}
        for rung in ladders.rungs:
            for code in rung.codes:
                self.rungs_of.setdefault(code, []).append(rung)

    def find(self, words: Sequence[str]) -> LadderMention | None:
        """The company level a message names, or just the company it asks about, if any."""
        company = next((self.company_of[w] for w in words if w in self.company_of), None)
        for i, word in enumerate(words):
            code = None
            if _LETTER_CODE.match(word):
                code = word.upper().rstrip("S")  # "E5s" are E5 engineers
            elif _NUMBER_CODE.match(word) and (
                company == "microsoft" or words[i - 1 : i] == ["level"]
            ):
                code = word
            if code is None:
                continue
            rungs = [r for r in self.rungs_of.get(code, []) if company in (None, r.company)]
            if not rungs and company is None:
                continue
            before = tuple(words[max(0, i - 4) : i])
            own = any(
                tuple(before[j : j + len(cue)]) == cue
                for cue in _OWN
                for j in range(len(before) - len(cue) + 1)
            )
            return LadderMention(tuple(rungs), company, code, own)
        if company is not None:
            return LadderMention((), company, None, False)
        return None
