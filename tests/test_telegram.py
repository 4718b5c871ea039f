"""The Telegram bot through the real Application against the strict fake Bot API."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from bot.front import COMMANDS
from bot.knowledge.model import KnowledgeBase
from bot.tg import delivery
from bot.tg.app import PerChatUpdateProcessor
from bot.tg.logs import RedactToken, configure_logging
from tests import tghtml
from tests.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram
from tests.test_matching import _with_shared_example
from tests.tg_harness import Harness

USER = 4242


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> Any:
    async with Harness(kb, tmp_path / "bot.sqlite3", admin_ids=frozenset({7})) as harness:
        yield harness
        assert harness.api.rejected == [], "Telegram would have rejected a reply"


def _visible(message: dict[str, Any]) -> str:
    return tghtml.parse(message["text"]) if message.get("parse_mode") == "HTML" else message["text"]


# -- /start and free text ---------------------------------------------------------------------


async def test_start_asks_level_then_market_and_stores_both(bot: Harness) -> None:
    (welcome,) = await bot.say(USER, "/start")
    assert "career advisor" in _visible(welcome)
    labels = [label for label, _ in bot.api.buttons(welcome)]
    assert labels == [
        "Aspiring",
        "Junior · 0–2 y",
        "Mid · 2–5 y",
        "Senior · 5–8 y",
        "Staff+ · 8+ y",
    ]
    confirmed, market_question = await bot.press(USER, "lvl|senior")
    assert "you're a senior ML engineer" in _visible(confirmed)
    assert [d for _, d in bot.api.buttons(market_question)][-1] == "mkt|skip"
    done, offer = await bot.press(USER, "mkt|uk")
    assert "you work in United Kingdom" in _visible(done)
    assert "small next step" in _visible(offer)
    assert [d for _, d in bot.api.buttons(offer)] == ["nud|weekly", "nud|daily", "nud|no"]
    profile, _ = await bot.storage.load(USER)
    assert (profile.level, profile.market) == ("senior", "uk")
    assert len(bot.api.callback_answers) == 2  # every button press is answered
    assert (await bot.storage.load(USER))[0].nudges.cadence == "off"  # nothing without opting in

    (back,) = await bot.say(USER, "/start")
    assert "Welcome back!" in _visible(back)
    assert "you are a senior ML engineer and you work in United Kingdom" in _visible(back)


async def test_free_text_answer_is_html_with_follow_up_buttons(bot: Harness) -> None:
    (answer,) = await bot.say(USER, "what skills for senior?")
    assert answer["parse_mode"] == "HTML"
    assert answer["text"].startswith("<b>Skills for a senior ML engineer</b>")
    buttons = bot.api.buttons(answer)
    # A phone screen of the answer, "More …" for the rest, and up to three follow-ups.
    assert buttons[0][0] == "More …" and 2 <= len(buttons) <= 4
    assert all(len(data.encode()) <= 64 for _, data in buttons)
    (rest,) = await bot.press(USER, buttons[0][1])
    assert "(continued)" in _visible(rest)
    data = next(d for label, d in buttons if label == "Salary for senior")
    (follow,) = await bot.press(USER, data)
    assert "Senior ML engineer pay" in _visible(follow)


async def test_did_you_mean_offers_both_intents(kb_copy: Path, tmp_path: Path) -> None:
    kb = _with_shared_example(kb_copy)
    async with Harness(kb, tmp_path / "db.sqlite3") as bot:
        (question,) = await bot.say(USER, "zorble quandary flumph")
        first_line = _visible(question).splitlines()[0]
        assert first_line.startswith("Did you mean ") and first_line.endswith("?")
        assert "pay" in first_line and "how to get promoted" in first_line
        data = {d.split("|")[1]: d for _, d in bot.api.buttons(question)}
        assert set(data) == {"salary", "promotion"}
        (answer,) = await bot.press(USER, data["promotion"])
        assert "Getting promoted" in _visible(answer)


async def test_out_of_scope_is_a_kind_reply_with_examples(bot: Harness) -> None:
    (reply,) = await bot.say(USER, "what's the weather in Paris tomorrow?")
    text = _visible(reply)
    assert "outside what I know" in text and "What skills for senior?" in text
    assert bot.api.buttons(reply)


@pytest.mark.parametrize(
    "text", ["<b>", "&", "<script>alert(1)</script>", "a < b", "&amp;", "\u202e\x00😀", "x" * 5000]
)
async def test_any_user_text_gives_a_reply_telegram_accepts(bot: Harness, text: str) -> None:
    replies = await bot.say(USER, text)
    assert len(replies) == 1
    replies = await bot.say(USER, f"/level {text}")
    assert len(replies) == 1  # the bad argument is echoed back, escaped


# -- commands ---------------------------------------------------------------------------------


async def test_commands_are_registered_with_telegram(bot: Harness) -> None:
    names = [c["command"] for c in bot.api.commands]
    assert names == ["start", "help", "level", "market", "profile", "forget", "sources", "plan",
                     "chart", "nudges", "timezone"]  # fmt: skip


async def test_help_fits_a_phone_screen_and_sources_are_clean(bot: Harness) -> None:
    kb = bot.deps.kb
    (help_reply,) = await bot.say(USER, "/help")
    text = _visible(help_reply)
    assert len(text.splitlines()) <= 15, text
    for name, _ in COMMANDS:
        assert name in ("start", "help") or f"/{name}" in text, name
    # One true count of the sources, the same everywhere.
    assert kb.describe_sources().startswith("five career guides, three compilations of big-tech")
    assert kb.describe_sources() in text
    (start,) = await bot.say(USER + 1, "/start")
    assert kb.describe_sources() in _visible(start)
    (typed,) = await bot.say(USER, "what can you do?")
    assert kb.describe_sources() in _visible(typed)
    (sources,) = await bot.say(USER, "/sources")
    text = _visible(sources)
    assert kb.describe_sources() in text
    for source in kb.sources.values():
        assert f"{source.short}: {source.citation}" in text
        assert source.note is None or source.note not in text
    assert "Not named" not in text


@pytest.mark.parametrize(
    ("command", "level"),
    [("/level senior", "senior"), ("/level 6 years", "senior"), ("/level new grad", "junior"),
     ("/level staff+", "staff")],
)  # fmt: skip
async def test_level_command(bot: Harness, command: str, level: str) -> None:
    (reply,) = await bot.say(USER, command)
    assert "Got it" in _visible(reply)
    assert (await bot.storage.load(USER))[0].level == level


async def test_level_and_market_commands_explain_bad_arguments(bot: Harness) -> None:
    (reply,) = await bot.say(USER, "/level wizard")
    text = _visible(reply)
    assert "I don't know the level “wizard”" in text
    assert "aspiring, junior, mid, senior, staff, principal" in text and "/level 6 years" in text
    assert bot.api.buttons(reply)  # and the picker
    (reply,) = await bot.say(USER, "/market mars")
    assert "I have no figures for “mars”" in _visible(reply)
    assert "us, uk, canada, australia" in _visible(reply)
    (picker,) = await bot.say(USER, "/market")
    assert ("Skip", "mkt|skip") in bot.api.buttons(picker)
    (reply,) = await bot.say(USER, "/market london")
    assert (await bot.storage.load(USER))[0].market == "uk"
    (reply,) = await bot.say(USER, "/level")
    assert len(bot.api.buttons(reply)) == 5


async def test_profile_shows_what_is_stored(bot: Harness) -> None:
    await bot.say(USER, "I have 3 years of experience and I'm in Toronto")
    (reply,) = await bot.say(USER, "/profile")
    text = _visible(reply)
    assert "Level: mid-level ML engineer" in text and "Market: Canada" in text
    assert "last topic" in text


async def test_forget_asks_for_confirmation(bot: Harness) -> None:
    await bot.say(USER, "I'm a staff engineer")
    (confirm,) = await bot.say(USER, "/forget")
    assert [d for _, d in bot.api.buttons(confirm)] == ["fgt|yes", "fgt|no"]
    (kept,) = await bot.press(USER, "fgt|no")
    assert "Nothing was deleted" in _visible(kept)
    assert (await bot.storage.load(USER))[0].level == "staff"
    (gone,) = await bot.press(USER, "fgt|yes")
    assert "deleted everything" in _visible(gone)
    assert await bot.storage.load(USER) == ((await bot.storage.load(USER))[0], None)
    assert (await bot.storage.load(USER))[0].level is None


async def test_forget_is_answered_by_typing_too(bot: Harness) -> None:
    """Under /forget's question, a typed "yes" deletes as the button does; a short refusal is
    answered as one; any other message keeps the data and is answered as itself."""
    await bot.say(USER, "I'm a staff engineer")
    (confirm,) = await bot.say(USER, "/forget")
    assert "your level (staff ML engineer)" in _visible(confirm)
    (refused,) = await bot.say(USER, "no wait dont")
    assert _visible(refused).startswith("Cancelled: nothing was deleted.")
    assert (await bot.storage.load(USER))[0].level == "staff"
    await bot.say(USER, "/forget")
    (answered,) = await bot.say(USER, "what skills for senior?")
    assert "Skills for a senior" in _visible(answered)
    assert "Cancelled: nothing was deleted." in _visible(answered)
    (late,) = await bot.say(USER, "yes")
    assert "deleted everything" not in _visible(late)
    assert (await bot.storage.load(USER))[0].level == "staff"
    await bot.say(USER, "/forget")
    (gone,) = await bot.say(USER, "yes")
    assert "deleted everything" in _visible(gone)
    assert (await bot.storage.load(USER))[0].level is None


async def test_a_yes_after_cancel_or_another_command_deletes_nothing(bot: Harness) -> None:
    """The question waits for the very next thing the user does: Cancel, /forget no, or any
    other command or button answers it, and a later "yes" is just a message."""
    await bot.say(USER, "I'm a staff engineer")
    for cancel in ("button", "/forget no", "/profile", "/sources", "forget me + /help"):
        if cancel.startswith("forget me"):
            await bot.say(USER, "forget me")
            await bot.say(USER, "/help")
        else:
            await bot.say(USER, "/forget")
            if cancel == "button":
                await bot.press(USER, "fgt|no")
            else:
                await bot.say(USER, cancel)
        await bot.say(USER, "sure")
        assert (await bot.storage.load(USER))[0].level == "staff", cancel


async def test_unknown_command_and_stale_button(bot: Harness) -> None:
    (reply,) = await bot.say(USER, "/teleport now")
    assert "I don't know /teleport" in _visible(reply)
    replies = await bot.press(USER, "q|nonsense|||")
    assert replies == []
    assert "no longer valid" in bot.api.callback_answers[-1]["text"]


async def test_stats_is_for_admins_only(bot: Harness) -> None:
    await bot.say(USER, "what skills for senior?")
    await bot.say(USER, "how do I bake sourdough bread")
    await bot.say(99, "how do I bake sourdough bread")
    (denied,) = await bot.say(USER, "/stats")
    assert "for the bot's operators" in _visible(denied)
    (stats,) = await bot.say(7, "/stats")
    text = _visible(stats)
    assert "Users: 3 (active in the last 7 days: 3)" in text
    assert "skills: 1 / 1" in text and "out_of_scope: 2 / 2" in text
    assert "2× how do i bake sourdough bread" in text
    rows = await bot.storage._db.execute_fetchall("SELECT * FROM unanswered")
    assert all(str(USER) not in " ".join(map(str, row)) for row in rows)


async def test_unanswered_questions_can_be_switched_off(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with Harness(
        kb, tmp_path / "db.sqlite3", keep_unanswered=False, admin_ids=frozenset({7})
    ) as bot:
        await bot.say(USER, "how do I bake sourdough bread")
        (stats,) = await bot.say(7, "/stats")
        assert "unanswered" not in _visible(stats).lower()
        rows = await bot.storage._db.execute_fetchall("SELECT * FROM unanswered")
        assert list(rows) == []


# -- groups -----------------------------------------------------------------------------------


async def test_groups_answer_only_commands_mentions_and_replies(bot: Harness) -> None:
    group = -100
    assert await bot.say(USER, "what skills for senior?", chat_id=group, chat_type="group") == []
    (mention,) = await bot.say(USER, f"@{BOT_USERNAME} what skills for senior?", chat_id=group,
                               chat_type="supergroup")  # fmt: skip
    assert mention["chat_id"] == group and "Skills for a senior" in _visible(mention)
    (reply,) = await bot.say(USER, "and salary?", chat_id=group, chat_type="group",
                             reply_to_bot=True)  # fmt: skip
    assert "Senior ML engineer pay" in _visible(reply)
    (help_reply,) = await bot.say(USER, f"/help@{BOT_USERNAME}", chat_id=group, chat_type="group")
    assert "/forget" in _visible(help_reply)
    assert await bot.say(USER, "@someone_else what skills?", chat_id=group, chat_type="group") == []


# -- robustness -------------------------------------------------------------------------------


async def test_blocked_user_is_marked_and_cleared_when_they_write_again(bot: Harness) -> None:
    await bot.say(USER, "hello")
    bot.api.blocked.add(USER)
    assert await bot.say(USER, "what skills for senior?") == []
    assert await bot.storage.is_blocked(USER)
    assert bot.api.rejected == [("sendMessage", "Forbidden: bot was blocked by the user")]
    bot.api.rejected.clear()
    (other,) = await bot.say(USER + 1, "what skills for junior?")
    assert other["chat_id"] == USER + 1  # everyone else is still served
    bot.api.blocked.discard(USER)
    (reply,) = await bot.say(USER, "hello again")
    assert reply["chat_id"] == USER
    assert not await bot.storage.is_blocked(USER)


async def test_flood_control_is_waited_out_and_the_reply_delivered(bot: Harness) -> None:
    bot.api.flood, bot.api.flood_retry_after = 2, 1
    started = time.monotonic()
    (reply,) = await bot.say(USER, "what skills for senior?")
    assert time.monotonic() - started >= 2.0
    assert "Skills for a senior" in _visible(reply)
    assert [m for m, d in bot.api.rejected if "Too Many Requests" in d] == ["sendMessage"] * 2
    bot.api.rejected.clear()


async def test_network_errors_are_retried_with_backoff(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "BACKOFF_START", 0.01)
    bot.api.network_failures, bot.api.server_errors = 2, 2
    (reply,) = await bot.say(USER, "what skills for senior?")
    assert "Skills for a senior" in _visible(reply)
    assert [d for _, d in bot.api.rejected] == ["Bad Gateway"] * 2
    bot.api.rejected.clear()


async def test_a_late_answer_is_not_sent_again(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.api.late_answers = 1
    with caplog.at_level(logging.WARNING):
        (reply,) = await bot.say(USER, "what skills for senior?")
    assert "Skills for a senior" in _visible(reply)
    assert len(bot.api.sent) == 1
    assert any("may or may not have arrived" in r.getMessage() for r in caplog.records)


async def test_a_failing_handler_is_logged_and_the_user_told(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.deps.advisor, "ask", broken)
    with caplog.at_level(logging.INFO):
        (reply,) = await bot.say(USER, "what skills for senior?")
    assert "something went wrong" in _visible(reply)
    failure = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure and f"user={USER}" in failure[0].getMessage() and failure[0].exc_info


async def test_one_log_line_per_update_without_text_unless_debug(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        await bot.say(USER, "secret: what is the salary for senior")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert len(lines) == 1
    assert f"user={USER} intent=salary latency_ms=" in lines[0]
    assert "secret" not in lines[0]
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="bot.updates"):
        await bot.say(USER, "secret: what is the salary for senior")
    assert any("secret" in r.getMessage() for r in caplog.records)


async def test_memory_is_kept_across_a_restart(kb: KnowledgeBase, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    async with Harness(kb, db) as first:
        await first.say(USER, "I have 9 years of experience, based in Sydney")
    async with Harness(kb, db) as second:
        (reply,) = await second.say(USER, "how much should I earn?")
        assert "Staff ML engineer pay in Australia" in _visible(reply)


def test_long_html_is_split_at_line_breaks() -> None:
    lines = [f"<b>line {i}</b> " + "x" * 90 for i in range(100)]
    parts = delivery.split_html("\n".join(lines))
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)
    for part in parts:
        tghtml.parse(part)


def test_token_is_redacted_from_logs() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", TOKEN)
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logger = logging.getLogger("telegram.ext.Updater")
    logger.warning("GET https://api.telegram.org/bot%s/getUpdates failed", TOKEN)
    try:
        raise ConnectionError(f"https://api.telegram.org/bot{TOKEN}/sendMessage")
    except ConnectionError:
        logger.exception("network error")
    assert TOKEN not in stream.getvalue()
    assert "<token>" in stream.getvalue()
    assert any(isinstance(f, RedactToken) for f in handler.filters)
    logging.getLogger().handlers.clear()


async def test_updates_of_one_chat_run_in_order_others_concurrently() -> None:
    from telegram import Chat, Update, User
    from telegram import Message as TgMessage

    processor = PerChatUpdateProcessor(8)
    events: list[str] = []

    def update(chat_id: int) -> Update:
        chat = Chat(chat_id, "private")
        message = TgMessage(1, NOW_FIXED, chat, from_user=User(chat_id, "A", False), text="x")
        return Update(chat_id, message=message)

    async def work(name: str, delay: float) -> None:
        events.append(f"start {name}")
        await asyncio.sleep(delay)
        events.append(f"end {name}")

    await asyncio.gather(
        processor.do_process_update(update(1), work("a1", 0.05)),
        processor.do_process_update(update(1), work("a2", 0.0)),
        processor.do_process_update(update(2), work("b1", 0.0)),
    )
    assert events.index("end a1") < events.index("start a2")  # same chat: in order
    assert events.index("end b1") < events.index("end a1")  # other chat: not held up


NOW_FIXED = __import__("datetime").datetime(2026, 3, 2, tzinfo=__import__("datetime").UTC)


def test_fake_rejects_what_telegram_rejects() -> None:
    api = FakeTelegram()
    ok = {"chat_id": 1, "text": "<b>fine</b>", "parse_mode": "HTML"}
    assert api.handle(TOKEN, "sendMessage", ok)[0] == 200
    for bad in (
        {"chat_id": 1, "text": "<b>unclosed", "parse_mode": "HTML"},
        {"chat_id": 1, "text": "a < b", "parse_mode": "HTML"},
        {"chat_id": 1, "text": "Tom & Jerry", "parse_mode": "HTML"},
        {"chat_id": 1, "text": "   "},
        {"chat_id": 1, "text": "x" * 4097},
        {
            "chat_id": 1,
            "text": "hi",
            "reply_markup": {"inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]},
        },
    ):
        assert api.handle(TOKEN, "sendMessage", bad)[0] == 400, bad
    assert api.handle("wrong", "getMe", {})[0] == 401
