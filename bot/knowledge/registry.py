"""The intent registry: what each intent is, as `knowledge/intents.yaml` declares it, and the tuned
settings of understanding. Code holds no lists of intents: it asks an intent's spec."""

from __future__ import annotations

from dataclasses import dataclass

# The facts about a message that rules may name (`not NAME` negates one; `intent.FLAG`,
# `best.FLAG` and `second.FLAG` read an attribute of an intent). The understanding code
# computes each one (bot/understanding/conditions.py); a test keeps the two lists equal.
CONDITIONS = {
    # the form of the message
    "question": "it asks something: a question mark, a question word opening a clause",
    "asks_for_more": 'the whole message is one of the language\'s `more` phrases ("go on")',
    "slot_only": 'slots and follow-up words only ("and in london?"), not recognised otherwise',
    "first_person": "a first-person word (I, me, my)",
    "reports_on_self": 'a first-person word, or a report of something done ("gave a talk")',
    "claims": 'says the speaker has, does or lacks something ("I know Docker")',
    "negated": "says something is not, or not yet, so",
    "dated_level": 'a level (or "my level") with a date: "senior since 2023"',
    "acknowledgement": 'the whole message only acknowledges ("ok", "alright")',
    # slots
    "level_stated": "a level named or stated as one's own, or years of experience",
    "speaker_involved": "the speaker's own level, years, or a first-person word",
    "about_self": "the speaker's own level or title, or years of experience",
    "own_level": "the speaker states their own level",
    "own_market": "the speaker states where they work",
    "others_levels_only": 'every level named is someone else\'s ("I mentor two juniors")',
    "market_named": "a market or one of its cities is named",
    "level_named": "a level is named (not as the speaker's own)",
    "levels_named": "a level, or a level moved from, is named",
    "level_or_own_named": "a level is named, or stated as the speaker's own",
    "level_mentioned": "some level word appears",
    "years": "years of experience are given",
    "next_level": 'a level named relative to another ("the next level")',
    "names_a_move": 'a move between two levels ("from mid to senior")',
    "comparison": 'two levels compared ("senior vs staff")',
    "goal_beyond_entry": "the level aimed at has `goal_rank` or above, or is a company title",
    "names_plan_item": 'a plan item named whole ("kubernetes", "gave a talk")',
    "company_level": 'a company level ("L5 at Google", "sde2")',
    "company_named": "a company named without a level of its own",
    "company_rungs": "the company level is one the ladders know",
    # scores and scope
    "clears_threshold": "the best reading scores at least `threshold`",
    "weak_match": "the best reading scores below the bar (`long_threshold` for a long message "
    "clearly about careers, else `threshold`)",
    "close_second": "the runner-up clears `threshold` and is within `margin` of the best",
    "weak_statement": "the reading judged scores below `statement_bar`",
    "weak_reading": "the reading so far is less sure than `ladder_bar`",
    "long_story": "what is left of a statement about oneself is `long_rest` words or more",
    "plain_statement": "what is left of a statement about oneself asks nothing (below "
    "`statement_bar`) and is short (below `long_rest` words)",
    "off_topic_words": "the scope model reads the words as about something else",
    "foreign_subject": "words only off-topic examples use, and nothing anchoring the message",
    # the conversation
    "asked_for_level": "the bot has just asked for the speaker's level",
    "names_own_plan_item": "names an item of the speaker's own plan",
    "move_from_entry": "the query is a move from (or to) the entry level",
}
# How an intent is answered: a knowledge answer built by code (`builder`), a topic of
# topics.yaml rendered as it is (`topic`), a reply about the conversation (`reply`), or an
# action on what is stored (`action`). The names each kind accepts are listed where they live.
ANSWER_KINDS = ("builder", "topic", "reply", "action")
# How the levels of a query are resolved (see bot/understanding/dialogue.py).
LEVEL_RULES = ("one", "move", "pair", "company", "profile", "none")
# What a company level ("L5 at Google") makes of a reading (see bot/understanding/decision.py).
COMPANY_LEVEL_RULES = ("level", "move", "translate")
# What a dated statement of one's level ("senior since 2023") makes of a reading.
DATED_RULES = ("stays", "plan", "plan_unless_negated")
# The names each answer kind accepts: the builders of bot/answering/answers.py (True: it reads
# the topic its intent names), the replies of bot/answering/chat_replies.py and bot/answering/
# translator.py, and the advisor's actions on what is stored (bot/advisor.py).
BUILDERS = {
    "skills": True, "salary": False, "timeline": False, "promotion": True,
    "level_overview": False, "compare_levels": False, "next_steps": True, "stuck": True,
    "interviews": True, "soft_skills": True,
}  # fmt: skip
REPLIES = ("level_set", "market_set", "greeting", "help", "out_of_scope", "translator")
ACTIONS = ("nudges", "forget", "plan", "profile", "undo", "small_talk", "more")
# What a statement about oneself states.
STATED = ("level", "market")
# The slots a suggestion label may name: "{level}", "{from_level}", "{market}" (its name), and
# "{in_market}" (" in United Kingdom", or nothing when no market is known).
LABEL_SLOTS = ("level", "from_level", "market", "in_market")


@dataclass(frozen=True)
class AnswerSpec:
    """How an intent is answered: `kind` (see ANSWER_KINDS) and `name`; `topic` is the topic a
    builder reads (a `topic` answer's name is its topic)."""

    kind: str
    name: str
    topic: str | None = None

    @property
    def from_knowledge(self) -> bool:
        """Built from the knowledge base (a builder or a topic), not a reply or an action."""
        return self.kind in ("builder", "topic")


@dataclass(frozen=True)
class SlotRules:
    """Which slots an intent's query takes and how a follow-up fills them."""

    levels: str = "one"  # see LEVEL_RULES
    market: bool = True
    # Answered for the user's own level: without one, the bot asks for it first.
    needs_level: bool = False
    # A first-person question is about the speaker's own level, not the thread's ("what should
    # my salary be" after talking about staff).
    first_person_is_own: bool = False


@dataclass(frozen=True)
class Message:
    """A real person's message, rewritten and labelled (knowledge/messages/): the intent model
    learns from these as well as from the example phrasings."""

    text: str
    intents: tuple[str, ...]  # every intent the message asks about, the main one first


@dataclass(frozen=True)
class IntentSpec:
    """One intent: how users phrase it, how it is answered, and the rules that concern it."""

    id: str
    examples: tuple[str, ...]
    answer: AnswerSpec
    # An intent that changes what is stored is only chosen by a match at least this good
    # ("pushing back on PMs" must not read as "undo").
    min_score: float = 0.0
    name: str | None = None  # how "did you mean ..." names it
    labels: tuple[str, ...] = ()  # suggestion labels, the first whose slots are all known
    slots: SlotRules = SlotRules()
    states: str | None = None  # a statement about oneself: the field it states
    asks: bool = True  # a match to it makes what is left of a statement a question
    clarify: bool = True  # may compete with another reading in "did you mean"
    topical: bool = True  # answering it becomes the thread of the conversation
    follow_up: bool = True  # a message of slots alone ("and for staff?") continues it
    keeps_plan_news: bool = False  # stays itself when it also names plan items
    dated: str = "stays"  # see DATED_RULES
    company_levels: str = "level"  # see COMPANY_LEVEL_RULES
    one_level: bool = False  # about one level: a question naming a move is not this intent
    changes_state: bool = False  # its answer changes what is stored: never for forwarded words
    rewrites: tuple[str, ...] = ()  # PROFILE_FIELDS it may rewrite (others: fill when empty)
    fallback: bool = False  # the reading of a message that is about none of the others
    # Conditions under which it is not a plausible reading (each: all of its conditions hold).
    unlikely_when: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and tuned constants of understanding, tuned with `careerbot eval` (each one
    explained where intents.yaml sets it)."""

    threshold: float
    margin: float
    beta: float
    min_evidence: float
    unknown_evidence: float
    scope_bias: float
    bayes_weight: float
    classifier_weight: float
    clearly_in_scope: float
    long_message: int
    long_threshold: float
    ladder_bar: float
    statement_bar: float
    long_rest: int
    foreign_evidence: float
    informative_weight: float
    common_postings: int
    max_postings: int
    min_weight: float
    support_scale: float
    unknown_weight: float
    placeholder_weight: float
    goal_rank: int
    typo_ratio: float
    typo_min_length: int
    max_chars: int
    spell_min_length: int
    spell_strict_length: int
    spell_one_edit_length: int
    spell_known_length: int
    dictionary_min_count: int


# The stages of the policy (knowledge/policy.yaml), in the order they run: `read` picks a reading
# from the scores; `recognise` lets what the message names (plan items, a company level) change
# it; `follow` applies the conversation; `settle` runs once the query's slots are resolved.
POLICY_STAGES = ("read", "recognise", "follow", "settle")
# What a rule may conclude besides an intent id: the best-scoring reading, the runner-up, the
# reading so far,
# or the intent of the conversation's thread.
TARGETS = ("best", "second", "keep", "context")
# How a rule sets the confidence: the best score, one minus it (how sure the message is about
# none of the intents), how plainly a statement is one (1 - rest/2), certain, at least 0.5, or
# unchanged.
CONFIDENCES = ("best", "inverse", "statement", "certain", "at_least_half", "keep")
# What a rule does to the slots besides choosing the intent (bot/understanding/decision.py).
EFFECTS = ("dated_level_is_own", "company_level", "company_slots", "entry_level")


@dataclass(frozen=True)
class Rule:
    """One rule of the policy: when all its conditions hold, the reading becomes `then`."""

    conditions: tuple[str, ...]
    then: str
    why: str
    confidence: str = "keep"
    effect: str | None = None
    clarify: bool = False  # ask "did you mean" between the best reading and the runner-up


@dataclass(frozen=True)
class Policy:
    """The rules of each stage, tried in order: the first whose conditions hold decides."""

    stages: dict[str, tuple[Rule, ...]]

    def rules(self, stage: str) -> tuple[Rule, ...]:
        """The rules of one stage."""
        return self.stages.get(stage, ())
