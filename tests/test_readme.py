"""The README's samples are the real bot's output (regenerate: python -m tests.readme_samples
--update), and its counts are the knowledge base's."""

from __future__ import annotations

from bot.knowledge.model import KnowledgeBase
from tests import readme_samples


async def test_the_readme_samples_are_what_the_bot_says(kb: KnowledgeBase) -> None:
    readme = readme_samples.README.read_text(encoding="utf-8")
    assert len(readme_samples.SAMPLE.findall(readme)) >= 3
    assert await readme_samples.render(kb, readme) == readme, (
        "the README's samples are stale: run python -m tests.readme_samples --update"
    )


def test_the_readme_counts_the_sources_as_the_knowledge_base_does(kb: KnowledgeBase) -> None:
    readme = readme_samples.README.read_text(encoding="utf-8")
    assert kb.describe_sources() in readme
    assert "five public career guides" not in readme
