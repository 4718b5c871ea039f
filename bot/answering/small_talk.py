"""Small talk: thanks, goodbyes and "ok" get one line back, not the whole greeting."""

from __future__ import annotations

from bot.answering.answer import Answer
from bot.understanding.language import normalize
from bot.understanding.matching import OUT_OF_SCOPE, Match

INTENT = "small_talk"
# Whole messages that only acknowledge: these words carry no intent for the matcher (they are
# stopwords), so a message of them alone would otherwise read as out of scope.
ACKNOWLEDGEMENTS = frozenset({"ok", "okay", "okey", "k", "kk", "alright", "all right", "fine"})


def said(match: Match, text: str) -> bool:
    """True for small talk: the matcher's `small_talk`, or a bare acknowledgement ("ok")."""
    if match.intent == INTENT:
        return True
    plain = " ".join(normalize(text).replace("|", " ").split())
    return match.intent == OUT_OF_SCOPE and plain in ACKNOWLEDGEMENTS


def reply(match: Match) -> Answer:
    """One line: welcome for thanks, good luck for a goodbye, both for both."""
    words = set(match.content)
    thanks, bye = "thanks" in words, "bye" in words
    if thanks and bye:
        return Answer("You're welcome, and good luck! I'm here whenever you need me.")
    if thanks:
        return Answer("You're welcome! Ask me anything else whenever you like.")
    if bye:
        return Answer("Bye, and good luck! I'm here whenever you need me.")
    return Answer("Good. Ask me anything else whenever you like.")
