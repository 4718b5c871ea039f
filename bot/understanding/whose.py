"""Whose a level or market is: the words around it in its clause say it is the speaker's own
("I'm a senior", "London based"), a goal ("how long until I'm mid"), denied ("not senior") or
a what-if ("and if I moved to Toronto?"). Pure functions of masked words and the language file."""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge.lexicon import SlotWords
from bot.understanding.language import BOUNDARY
from bot.understanding.scoring import LEVEL


def contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    """Whether the phrase appears, whole and in order, among the words."""
    size = len(phrase)
    # Most phrases are absent: one scan for the first word settles those.
    if size and phrase[0] not in words:
        return False
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def clause_before(out: Sequence[str], end: int, width: int) -> list[str]:
    """Up to `width` words before position `end`, within its clause."""
    start = end
    while start > 0 and end - start < width and out[start - 1] != BOUNDARY:
        start -= 1
    return list(out[start:end])


def clause_at(out: Sequence[str], pos: int) -> list[str]:
    """The words of the clause around position `pos` (between boundary marks)."""
    start = pos
    while start > 0 and out[start - 1] != BOUNDARY:
        start -= 1
    end = pos
    while end < len(out) and out[end] != BOUNDARY:
        end += 1
    return list(out[start:end])


def denied(w: SlotWords, out: Sequence[str], pos: int) -> bool:
    """ "not senior", "not a staff", "not yet staff": the level at `pos` is denied."""
    before = [x for x in out[max(0, pos - 3) : pos] if x not in w.denial_skipped]
    return bool(before) and before[-1] in w.negators


def speaks_of_self(w: SlotWords, out: Sequence[str], pos: int) -> bool:
    """The clause of `pos` has a first-person word, or opens with the level ("senior here") or
    a word that speaks of oneself ("been a senior for years")."""
    clause = clause_at(out, pos)
    opening = clause[:1]
    own_opening = opening == [LEVEL] or (bool(opening) and opening[0] in w.self_openings)
    return any(x in w.first_person for x in clause) or own_opening


def cue_has_subject(w: SlotWords, out: Sequence[str], pos: int) -> bool:
    """A cue that needs no "I": "(just) got promoted to senior" says it of the speaker."""
    before = clause_before(out, pos, 5)
    promoted = any(x in w.promotion_words for x in before)
    return promoted and (any(x in w.got_words for x in before) or before[:1] in _firsts(w))


def _firsts(w: SlotWords) -> list[list[str]]:
    return [[x] for x in w.just_words]


def own_before(w: SlotWords, out: Sequence[str], end: int) -> bool:
    """True when the words before position `end` state the user's own level or experience."""
    before = clause_before(out, end, 6)
    while before and before[-1] in w.own_filler:
        before.pop()
    for cue in w.own_level_cues:
        if tuple(before[-len(cue) :]) == cue:
            # "how long until i am mid" is a goal, not a statement.
            ahead = before[: -len(cue)]
            return not (ahead and ahead[-1] in w.not_yet)
    return False


def relocating(w: SlotWords, out: Sequence[str]) -> bool:
    """A move stated as happening, not weighed ("is it worth moving from london to ...")."""
    clause = clause_before(out, len(out), 12)
    moves = any(x in w.relocation for x in clause)
    return moves and not any(x in w.hypothetical for x in clause)


def own_market_before(w: SlotWords, out: Sequence[str], end: int) -> bool:
    """The words before a market state it is where the speaker is ("based in", "i work in")."""
    before = clause_before(out, end, 4)
    if any(x in w.hypothetical for x in before):
        # "and if i moved to toronto?": a what-if, not where the user is.
        return False
    if any(x in w.own_market_cues for x in before):
        return True
    return any(contains(before, phrase) for phrase in w.own_market_phrases)
