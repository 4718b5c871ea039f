"""Questions this bot does not answer, pointed to where they are answered: visas, work permits
and non-compete clauses are law, and the career guides behind the knowledge base do not cover
them."""

from __future__ import annotations

from bot.answering.answer import Answer
from bot.domain import Query
from bot.knowledge.model import KnowledgeBase
from bot.reply import says_any, with_note

LEGAL = (
    "No immigration or legal advice here: for visas, sponsorship and work permits see the "
    "official government pages (USCIS in the US, GOV.UK in the UK, IRCC in Canada, the "
    "Department of Home Affairs in Australia), and ask a qualified lawyer about contracts."
)


def referred(kb: KnowledgeBase, asked: Query, text: str, answer: Answer) -> Answer:
    """`answer` with the pointer to official sources when the message (`text`) names a legal or
    immigration matter (the language file's `legal_words`) and is answered as a question, from
    the knowledge base or as out of scope; small talk and actions are left as they are."""
    spec = kb.intents.get(asked.intent)
    if spec is None or not (spec.answer.from_knowledge or spec.fallback):
        return answer
    if not says_any(text, kb.lexicon.legal_words) or LEGAL in (answer.note or ""):
        return answer
    return with_note(answer, LEGAL, first=False)
