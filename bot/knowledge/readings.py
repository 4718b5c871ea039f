"""How the sources read what users say about themselves: years of experience and titles whose
level depends on the company. Pure functions over the knowledge base, for understanding code.

- `level_and_note_for_years(kb, 8)` gives ("senior", a "sources differ" item) when the sources
  place 8 years at different levels, and (level, None) when they agree.
- `find_title(kb, "i'm a tech lead at a startup")` gives the company-dependent title named, if any.
- `level_for_title(kb, title, words, years)` gives the level most sources give the title in that
  context, or None when the bot should ask.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.knowledge.lexicon import TeamWords, alternation
from bot.knowledge.model import CompanyTitle, Item, KnowledgeBase, YearsReading


@lru_cache(maxsize=8)
def _team_patterns(
    numbers: tuple[str, ...],
    units: tuple[str, ...],
    team_of: tuple[str, ...],
    about: tuple[str, ...],
    qualifiers: tuple[str, ...],
    members: tuple[str, ...],
    determiners: tuple[str, ...],
    team: tuple[str, ...],
) -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str]]:
    """The patterns of a team's size ("a 3-person team", "team of 5", "5 engineers", "4
    reports") and of one's own team named ("on our recsys team")."""
    count = rf"(\d{{1,3}}|{alternation(numbers)})"
    approx = "".join(f"{re.escape(a)} |" for a in about)[:-1]
    sizes = (
        re.compile(rf"\b{count}[- ]?(?:{alternation(units)})\b"),
        re.compile(rf"\b(?:{alternation(team_of)}) (?:{approx})?{count}\b"),
        re.compile(rf"\b{count} (?:(?:{alternation(qualifiers)}) )?(?:{alternation(members)})\b"),
    )
    own = re.compile(rf" (?:{alternation(determiners)}) (?:[\w-]+ ){{0,2}}(?:{alternation(team)}) ")
    return sizes, own


def _patterns(teams: TeamWords) -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str]]:
    return _team_patterns(
        tuple(teams.number_words),
        teams.size_units,
        teams.team_of,
        teams.approximately,
        teams.qualifiers,
        teams.members,
        teams.determiners,
        teams.team,
    )


def _text(words: str | Sequence[str]) -> str:
    joined = words if isinstance(words, str) else " ".join(words)
    return " " + re.sub(r"[^\w+'-]+", " ", joined.lower().replace("’", "'")).strip() + " "


def level_and_note_for_years(kb: KnowledgeBase, years: float) -> tuple[str | None, Item | None]:
    """The level most sources give for `years` of experience, and an item saying where the
    sources differ (None when they agree): 8 → ("senior", "Sources differ at 8 years: ...")."""
    reading = kb.years_reading(years)
    return reading.level, years_note(kb, reading)


def years_note(kb: KnowledgeBase, reading: YearsReading) -> Item | None:
    """ "Sources differ at 8 years: senior 5–8 years (...) vs staff 8+ years (...); most say
    senior." for a reading where the sources disagree."""
    if not reading.differ or reading.level is None:
        return None
    placed: dict[str, list[str]] = {}
    later: list[str] = []
    for claim in reading.claims:
        if claim.contains(reading.years):
            placed.setdefault(claim.level, []).extend(claim.sources)
        else:  # a gap: this source's next range starts later
            shorts = ", ".join(kb.sources[s].short for s in claim.sources)
            later.append(f"{claim.level} only from {claim.min:g} years in the {shorts}")
    parts = []
    for level, cited in placed.items():
        unique = list(dict.fromkeys(cited))
        shorts = ", ".join(kb.sources[s].short for s in unique)
        parts.append(f"{level} in {_count_word(len(unique))} ({shorts})")
    text = f"Sources differ at {reading.years:g} years: {', '.join(parts + later)}; "
    text += f"most say {reading.level}."
    sources = tuple(dict.fromkeys(s for c in reading.claims for s in c.sources))
    return Item(text, sources, differ=True)


_COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve")  # fmt: skip


def _count_word(n: int) -> str:
    """A small count as a word, in the answers' English ("two")."""
    return _COUNTS[n] if n < len(_COUNTS) else str(n)


def find_title(kb: KnowledgeBase, text: str | Sequence[str]) -> CompanyTitle | None:
    """The company-dependent title a message names ("tech lead", "head of AI"), longest alias
    first; call it on statements about oneself, since "lead" is also a verb."""
    padded = _text(text)
    best: tuple[int, CompanyTitle] | None = None
    for title in kb.titles.values():
        for alias in title.aliases:
            if f" {alias} " in padded and (best is None or len(alias) > best[0]):
                best = (len(alias), title)
    return best[1] if best else None


def team_size(words: str | Sequence[str], teams: TeamWords) -> int | None:
    """The size of a team a message mentions ("a 3-person team", "team of 5", "4 reports")."""
    text = _text(words)
    for pattern in _patterns(teams)[0]:
        found = pattern.search(text)
        if found:
            count = found.group(1)
            return int(count) if count.isdigit() else int(teams.number_words[count])
    return None


def scope_of(words: str | Sequence[str], teams: TeamWords) -> str | None:
    """How far a stated role reaches: "team", "organisation", or None when the words don't say.
    Language cues, not career facts: which level a scope means is in the titles' readings."""
    text = _text(words)
    if any(f" {w} " in text for w in teams.organisation_words):
        return "organisation"
    if team_size(text, teams) is not None or any(f" {w} " in text for w in teams.team_words):
        return "team"
    if _patterns(teams)[1].search(text):
        return "team"
    return None


def level_for_title(
    kb: KnowledgeBase,
    title: CompanyTitle | str,
    words: str | Sequence[str] = (),
    years: float | None = None,
) -> str | None:
    """The level most sources give a company-dependent title in this context, or None to ask.

    `words`: the message (team size and scope narrow the readings: a lead of a 3-person team is
    not the ladder page's company-wide Lead level); `years`: stated experience, which decides
    between the readings left. Without years, a level needs at least two sources and more than
    half of those reading the title: "I'm a tech lead at a startup" gives None.
    """
    found = kb.titles.get(title) if isinstance(title, str) else title
    if isinstance(title, str) and found is None:
        found = find_title(kb, title)
    if found is None:
        return None
    readings = list(found.readings)
    scope = scope_of(words, kb.lexicon.teams)
    if scope == "team":
        readings = [r for r in readings if r.scope != "organisation"]
    elif scope == "organisation":
        readings = [r for r in readings if r.scope == "organisation"]
    if not readings:
        return None
    if years is not None:
        level = kb.level_for_years(years)
        return level if level in {r.level for r in readings} else None
    votes: dict[str, set[str]] = {}
    for reading in readings:
        votes.setdefault(reading.level, set()).update(reading.item.sources)
    everyone: set[str] = set().union(*votes.values())
    best = max(votes, key=lambda lv: len(votes[lv]))
    agreed = len(votes[best]) >= 2 and 2 * len(votes[best]) > len(everyone)
    return best if agreed else None
