"""Telegram commands: each is `bot.front`'s command of the same name (the terminal chat runs the
same ones), plus the operators' /stats."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.answering.answer import Answer
from bot.front import COMMANDS
from bot.tg.deps import CommandBody, Ctx, Handler, command, send, show, speaker

# Commands that change what is stored: refused to a speaker who cannot be told apart.
CHANGES = frozenset({"level", "market", "forget", "plan", "nudges", "timezone"})


def argument(context: Ctx) -> str:
    """A command's arguments as one string."""
    return " ".join(context.args or []).strip()


def front_command(name: str) -> Handler:
    """The handler of one of the front end's commands."""

    async def body(update: Update, context: Ctx) -> str | None:
        d = context.deps
        who = speaker(update)
        assert who is not None
        for shown in await d.shows.command(who, name, argument(context), d.clock()):
            await show(update, context, shown)
        return None

    body.__name__ = f"{name}_command"
    # /forget only asks: the user is noted as seen once they answer.
    wrapped: CommandBody = body
    return command(name, note_seen=name != "forget", changes=name in CHANGES)(wrapped)


HANDLERS = {name: front_command(name) for name, _ in COMMANDS}


@command("stats")
async def stats_command(update: Update, context: Ctx) -> str | None:
    """/stats for admins: users, activity, questions per intent, unanswered questions."""
    d = context.deps
    user = update.effective_user
    if user is None or user.id not in d.settings.admin_ids or speaker(update) != user.id:
        await send(update, context, Answer("/stats is for the bot's operators."))
        return "command:stats:denied"
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        # The figures include questions people asked: never shown to a group.
        await send(update, context, Answer("/stats works in a private chat with me only."))
        return "command:stats:group"
    await send(update, context, await d.core.stats(d.clock(), d.settings.keep_unanswered))
    return None


@command("unknown", note_seen=False)
async def unknown_command(update: Update, context: Ctx) -> None:
    """A command the bot does not have."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    # Not escaped here: the renderer escapes every piece of an answer, exactly once.
    name = text.split()[0][:40] if text.split() else "that"
    names = ", ".join(f"/{n}" for n, _ in COMMANDS)
    await send(update, context, Answer(f"I don't know {name}.", f"Try one of: {names}."))
