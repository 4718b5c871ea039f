"""The topics real people ask that the five guides barely cover (issue 10): job offers, the job
market, research careers, AI engineering and wellbeing. Each is sourced, says plainly what the
sources do not cover, and the two about jobs and pay refuse immigration and legal advice."""

from __future__ import annotations

import pytest

from bot.knowledge.model import Item, KnowledgeBase, Topic

NEW_TOPICS = ("job_offer", "job_market", "research_path", "ai_engineering", "wellbeing")
GUIDES = {"rb_guide", "salary_245k", "ladder_page", "job_guide", "blog_2026"}
NOT_COVERED = "What the sources do not cover"


def _items(topic: Topic) -> list[Item]:
    return [item for section in topic.sections for item in section.items]


def test_the_new_topics_are_known_and_loaded(kb: KnowledgeBase) -> None:
    assert set(NEW_TOPICS) <= set(kb.topics)
    for topic_id in NEW_TOPICS:
        topic = kb.topics[topic_id]
        assert topic.title and len(topic.sections) >= 3, topic_id
        assert all(section.title and section.items for section in topic.sections), topic_id


@pytest.mark.parametrize("topic_id", NEW_TOPICS)
def test_each_new_topic_cites_known_sources_and_the_guides(
    kb: KnowledgeBase, topic_id: str
) -> None:
    items = _items(kb.topics[topic_id])
    cited = {s for item in items for s in item.sources}
    assert all(item.sources for item in items), topic_id
    assert cited <= set(kb.sources), cited - set(kb.sources)
    # What the guides say comes first; other public references only fill gaps.
    facts = {s for item in items if not (item.ours or item.absent) for s in item.sources}
    assert facts & GUIDES, topic_id


def test_other_references_name_where_to_find_them(kb: KnowledgeBase) -> None:
    references = [s for s in kb.sources.values() if s.kind == "reference"]
    assert len(references) >= 5
    for source in references:
        assert source.url and source.url.startswith("https://"), source.id
        assert source.date and source.publisher, source.id
        assert source.url in source.citation and source.date in source.citation, source.id
    cited = {s for t in NEW_TOPICS for item in _items(kb.topics[t]) for s in item.sources}
    assert {s.id for s in references} <= cited


@pytest.mark.parametrize("topic_id", NEW_TOPICS)
def test_each_new_topic_says_what_the_sources_do_not_cover(
    kb: KnowledgeBase, topic_id: str
) -> None:
    sections = [s for s in kb.topics[topic_id].sections if s.title == NOT_COVERED]
    assert len(sections) == 1, topic_id
    (section,) = sections
    assert section.level is None and not section.backgrounds  # shown to everyone
    # Statements about the sources are ours (our reading of what they leave out, or our
    # advice), and none is presented as a source's claim.
    assert section.items and all(item.ours or item.absent for item in section.items), topic_id
    assert any(item.absent and set(item.sources) & GUIDES for item in section.items), topic_id


@pytest.mark.parametrize("topic_id", ["job_offer", "job_market"])
def test_jobs_and_pay_topics_refuse_immigration_and_legal_advice(
    kb: KnowledgeBase, topic_id: str
) -> None:
    refusals = [
        item for item in _items(kb.topics[topic_id])
        if "no immigration or legal advice" in item.text.lower()
    ]  # fmt: skip
    assert len(refusals) == 1, topic_id
    (item,) = refusals
    assert item.ours and not item.differ
    # It points to the official sources of the covered markets.
    for official in ("USCIS", "GOV.UK", "IRCC", "Home Affairs"):
        assert official in item.text, official


def test_the_new_topics_keep_the_llm_disagreement_next_to_the_llm_facts(
    kb: KnowledgeBase,
) -> None:
    for topic_id in ("ai_engineering", "job_market"):
        differ = [i for i in _items(kb.topics[topic_id]) if i.differ]
        assert any("llm" in i.text.lower() and "expected" in i.text.lower() for i in differ)
        assert all(i.text.startswith("Sources differ") for i in differ)
