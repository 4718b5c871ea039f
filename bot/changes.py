"""What a message may change in what the bot keeps. A fuzzy match may choose what to answer; on
its own it never chooses what to destroy or rewrite:

- a profile field that is empty may be filled from what a message says about the speaker; one
  that is set is rewritten only by a statement about oneself (the `set_level` and `set_market`
  intents), and never by a forwarded message;
- what would rewrite a set field otherwise is held back and offered as a choice;
- destroying something (deleting everything, resetting a plan, taking items off it) waits for
  the user's "yes" on the next message: a pending action, kept with the conversation.

Pure: the advisor applies the outcome to storage.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from bot.domain import PROFILE_FIELDS, Profile
from bot.knowledge.lexicon import Lexicon
from bot.understanding.language import plain, says_exactly

# Kinds of pending action (the part of `Context.confirm` before ":").
FORGET, PLAN_RESET, PLAN_SKIP = "forget", "plan_reset", "plan_skip"


@dataclass(frozen=True)
class Gated:
    """A message's profile changes after the rules: what to keep, and what was held back."""

    profile: Profile
    held: dict[str, object]  # field -> the value the message named, offered as a choice


def gate(before: Profile, proposed: Profile, rewrites: Collection[str], forwarded: bool) -> Gated:
    """Apply the rules to the profile a message would leave (`proposed`); `rewrites`: the
    fields its intent may rewrite (a statement about oneself: all of them)."""
    if forwarded:
        # Someone else's words: nothing in them is about the person who forwarded them.
        return Gated(before, {})
    kept, held = proposed, {}
    for name in PROFILE_FIELDS:
        old, new = getattr(before, name), getattr(proposed, name)
        if old == new or old is None or name in rewrites:
            continue
        held[name] = new
        kept = replace(kept, **{name: old})
    return Gated(kept, held)


def affirms(lexicon: Lexicon, text: str) -> bool:
    """Whether a whole message says yes ("yes", "yep, do it"); anything else does not."""
    return says_exactly(text, lexicon.affirmative)


def declines(lexicon: Lexicon, text: str) -> bool:
    """Whether a message only refuses ("no", "nope, keep it", "no wait dont"): every word is
    a word of refusal, so "stop the nudges" is a request, not a refusal."""
    words = plain(text).split()
    return bool(words) and all(w in lexicon.declines for w in words)


def cancelled(waiting: str) -> str:
    """What not doing a pending action leaves, said as a note ("Cancelled: ...")."""
    kind, _ = parse_pending(waiting)
    return "Cancelled: " + ("nothing was deleted." if kind == FORGET else "your plan is as it was.")


def pending(kind: str, items: tuple[str, ...] = ()) -> str:
    """The pending action as stored: "plan_skip:a,b"."""
    return f"{kind}:{','.join(items)}" if items else kind


def parse_pending(value: str) -> tuple[str, tuple[str, ...]]:
    """(kind, item ids) of a stored pending action."""
    kind, _, rest = value.partition(":")
    return kind, tuple(i for i in rest.split(",") if i)
