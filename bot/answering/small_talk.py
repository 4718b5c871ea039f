"""Small talk: thanks, goodbyes and "ok" get one line back, not the whole greeting (a bare
acknowledgement is small talk by the policy: knowledge/policy.yaml)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.answer import Answer


def reply(words: Sequence[str]) -> Answer:
    """One line: welcome for thanks, good luck for a goodbye, both for both (`words`: the
    message's canonical words, where every thanks is "thanks" and every goodbye "bye")."""
    said = set(words)
    thanks, bye = "thanks" in said, "bye" in said
    if thanks and bye:
        return Answer("You're welcome, and good luck! I'm here whenever you need me.")
    if thanks:
        return Answer("You're welcome! Ask me anything else whenever you like.")
    if bye:
        return Answer("Bye, and good luck! I'm here whenever you need me.")
    return Answer("Good. Ask me anything else whenever you like.")
