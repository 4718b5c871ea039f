"""A plan's keyboard: a heading and status buttons per item, five items a page, with the way to
the other pages; and which plan an item belongs to."""

from __future__ import annotations

from bot.advisor import Reply
from bot.coaching import plans
from bot.coaching.planner import PlanReply
from bot.domain import Query
from bot.front.shown import Option, Row, cut
from bot.knowledge.model import KnowledgeBase
from bot.services import Services

# Plan items per page of buttons: five rows of status buttons fit a phone screen.
PAGE = 5
STATUS_BUTTONS = {"done": "✓ Done", "doing": "… In progress", "skip": "Not relevant",
                  "todo": "↺ To do"}  # fmt: skip


class PlanKeyboard:
    """The buttons under a plan, from the user's marks."""

    def __init__(self, services: Services, kb: KnowledgeBase) -> None:
        self.services = services
        self.kb = kb

    async def rows(self, user_id: int, reply: Reply, item: str | None,
                   page: int | None = None) -> list[Row]:  # fmt: skip
        """A heading and a row of status buttons per item, five items a page, with the way to
        the other pages ("Items 6–10 of 14 ›")."""
        statuses = await self.services.plan_marks(user_id)
        ids = [i for i, _ in reply.items]
        if page is None:
            page = ids.index(item) // PAGE if item in ids else 0
        page = max(0, min(page, (len(ids) - 1) // PAGE))
        rows = [
            _item_row(item_id, name, statuses.get(item_id, "todo"))
            for item_id, name in reply.items[page * PAGE : (page + 1) * PAGE]
        ]
        pages = (len(ids) + PAGE - 1) // PAGE
        plan_id = self.plan_of(ids[0]) if ids else None
        if pages > 1 and plan_id:
            rows.append(_page_row(plan_id, page, pages, len(ids)))
        return rows

    def plan_of(self, item_id: str) -> str | None:
        """The id (its from-level) of the plan an item belongs to."""
        return next((k for k, p in self.kb.plans.items() if any(i.id == item_id for i in p.items)),
                    None)  # fmt: skip

    def reply(self, planned: PlanReply, plan_from: str) -> Reply:
        """The planner's reply as the advisor would give it, with the plan's items."""
        plan = self.kb.plans[plan_from]
        return Reply(Query("plan", plan.to_level, plan.from_level), 1.0, planned.answer, (),
                     planned.document, planned.items)  # fmt: skip


def _item_row(item_id: str, name: str, status: str) -> Row:
    """An item's name and status over a button for each other status."""
    mark = plans.MARKS[status]
    heading = Option(f"{mark} {name}", "", "pli", (item_id,), cut(f"{mark} {name}"))
    options = tuple(
        Option(f"{plans.STATUS_LABELS[s].capitalize()}: {name}", f"/plan {s} {item_id}",
               "pl", (item_id, s), STATUS_BUTTONS[s])
        for s in ("done", "doing", "skip") if s != status
    ) + ((Option(f"To do: {name}", f"/plan todo {item_id}", "pl", (item_id, "todo"),
                 STATUS_BUTTONS["todo"]),) if status != "todo" else ())  # fmt: skip
    return Row(options, heading)


def _page_row(plan_id: str, page: int, pages: int, count: int) -> Row:
    """The way to the previous and the next page of items."""
    nav = []
    if page > 0:
        lo, hi = (page - 1) * PAGE + 1, page * PAGE
        nav.append(Option(f"‹ Items {lo}–{hi}", f"/plan page {page}", "plp",
                          (plan_id, str(page - 1))))  # fmt: skip
    if page < pages - 1:
        lo, hi = (page + 1) * PAGE + 1, min(count, (page + 2) * PAGE)
        nav.append(Option(f"Items {lo}–{hi} of {count} ›", f"/plan page {page + 2}",
                          "plp", (plan_id, str(page + 1))))  # fmt: skip
    return Row(tuple(nav))
