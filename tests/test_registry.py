"""The intent registry and the policy are data: an intent added in YAML alone is understood and
answered; the stages of the pipeline each return a typed result; a bad registry or policy entry
is one `file:line` problem."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.domain import Profile
from bot.knowledge import loader, registry
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.yamlnodes import KnowledgeError
from bot.storage.store import Storage
from bot.understanding import conditions
from bot.understanding.pipeline import Pipeline
from bot.understanding.scoring import Candidate, Example, Utterance

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

NEW_INTENT = """
  - id: side_projects
    name: side projects
    labels: ["Side projects for {level}", Side projects]
    answer: {topic: side_projects}
    examples:
      - should i do side projects
      - are side projects worth it
      - what side project should i build
      - do side projects help you get hired
      - side projects on weekends, worth the time?
      - which side projects impress hiring managers
      - is it ok to have no side projects
      - how many side projects do i need
      - side projects
"""

NEW_TOPIC = """
  - id: side_projects
    title: "Side projects"
    sections:
      - title: "What they are for"
        items:
          - text: "Pick one that shows a skill your next level asks for, and finish it"
            based_on: [rb_guide]
"""


def _with_new_intent(kb_copy: Path) -> KnowledgeBase:
    intents = kb_copy / "intents.yaml"
    intents.write_text(intents.read_text() + NEW_INTENT)
    topics = kb_copy / "topics.yaml"
    topics.write_text(topics.read_text() + NEW_TOPIC)
    return loader.load(kb_copy)


async def test_an_intent_added_in_yaml_alone_is_understood_and_answered(kb_copy: Path) -> None:
    kb = _with_new_intent(kb_copy)
    storage = await Storage.open(":memory:")
    try:
        advisor = Advisor(kb, storage)
        reply = await advisor.ask(1, "Are side projects worth doing, I'm a senior?", NOW)
        assert reply.intent == "side_projects"
        text = advisor.plain(reply.answer)
        assert text.startswith("Side projects")
        assert "Pick one that shows" in text
        # Its label is a suggestion the pipeline understands, and a follow-up keeps the topic.
        label = advisor.answers.label(reply.query)
        assert label is not None and advisor.pipeline.match(label).intent == "side_projects"
        follow = await advisor.ask(1, "and for staff?", NOW)
        assert (follow.intent, follow.query.level) == ("side_projects", "staff")
    finally:
        await storage.close()


def test_a_registry_entry_names_only_known_builders_topics_and_conditions(kb_copy: Path) -> None:
    path = kb_copy / "intents.yaml"
    text = path.read_text()
    text = text.replace("answer: {topic: pitfalls}", "answer: {builder: pitfalls}")
    text = text.replace("unlikely_when: [level_stated]", "unlikely_when: [level_stateed]")
    path.write_text(text)
    with pytest.raises(KnowledgeError) as raised:
        loader.load(kb_copy)
    problems = [str(p) for p in raised.value.problems]
    assert any("answer.builder: 'pitfalls' is not one of" in p for p in problems), problems
    assert any("unknown condition 'level_stateed'" in p for p in problems), problems


def test_a_policy_rule_names_known_intents_and_the_read_stage_ends_with_a_catch_all(
    kb_copy: Path,
) -> None:
    path = kb_copy / "policy.yaml"
    text = path.read_text().replace("then: getting_started", "then: getting_startd")
    text = text.replace("  - if: []\n    then: best\n    why: The best reading.\n", "")
    path.write_text(text)
    with pytest.raises(KnowledgeError) as raised:
        loader.load(kb_copy)
    problems = [str(p) for p in raised.value.problems]
    assert any("'getting_startd' is no intent" in p for p in problems), problems
    assert any("the last rule of 'read' has no conditions" in p for p in problems), problems


def test_every_condition_is_documented_and_computed() -> None:
    assert set(registry.CONDITIONS) == set(conditions.CONDITIONS)


def test_each_stage_returns_a_typed_result(pipeline: Pipeline) -> None:
    normalised = pipeline.normalise("How much does a Sr MLE make in London??")
    assert normalised.tokens[:3] == ("how", "much", "does")
    spelled = pipeline.spell(normalised)
    assert "salary" in spelled.words  # "how much does" is a synonym of salary
    phrases = pipeline.find_phrases(spelled)
    assert (phrases.slots.level, phrases.slots.market, phrases.question) == ("senior", "uk", True)
    ranked = pipeline.score(phrases)
    assert ranked[0] == Candidate("salary", ranked[0].score) and 0 < ranked[0].score <= 1
    assert pipeline.scope(phrases).in_scope
    facts = pipeline.in_context(
        pipeline.read("How much does a Sr MLE make in London??"), Profile(1)
    )
    decision = pipeline.decide(facts)
    assert decision.intent == "salary" and decision.reasons == ("The best reading.",)


def test_the_scorer_is_a_seam(kb: KnowledgeBase) -> None:
    """Any scorer built from the examples can replace the example scorer."""

    class Always:
        def __init__(self, kb: KnowledgeBase, examples: list[Example]) -> None:
            assert examples and all(isinstance(e.utterance, Utterance) for e in examples)

        def rank(self, utterance: Utterance) -> list[Candidate]:
            return [Candidate("resume", 0.9), Candidate("salary", 0.2)]

    pipeline = Pipeline(kb, scorer=Always)
    decision = pipeline.match("what do you think about my portfolio and the kaggle stuff")
    assert decision.intent == "resume"
