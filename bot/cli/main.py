"""The `careerbot` command: local chat, one-shot questions, evaluation, knowledge checks."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.advisor import Advisor
from bot.coaching import nudges, plans
from bot.config import ConfigError, Settings, default_db
from bot.knowledge import copycheck, loader
from bot.knowledge.model import KnowledgeBase, Tip
from bot.knowledge.yamlnodes import KnowledgeError
from bot.storage.health import DatabaseProblem, InstanceLock, check_database
from bot.storage.store import Storage

EXIT_USAGE = 2


def load_kb(directory: str | None) -> KnowledgeBase:
    """Load the knowledge base or exit with its problems listed as file:line."""
    try:
        return loader.load(Path(directory) if directory else None)
    except KnowledgeError as exc:
        print("The knowledge base is invalid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from exc


def now() -> datetime:
    """The wall clock, read only by entry points."""
    return datetime.now(UTC)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="careerbot",
        description="Career advice for ML engineers. Without a command: the Telegram bot when "
        "TELEGRAM_BOT_TOKEN is set, otherwise a local chat.",
    )
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge base directory "
                        "(default: $CAREERBOT_KNOWLEDGE or the bundled one)")  # fmt: skip
    sub = parser.add_subparsers(dest="command")

    def conversation(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="one JSON object per reply")
        p.add_argument("--db", metavar="PATH", default=None,
                       help="SQLite database (default: $CAREERBOT_DB or the user data dir; "
                       "':memory:' keeps nothing)")  # fmt: skip
        p.add_argument("--user", type=_positive_int, default=1, metavar="ID",
                       help="user id (default 1)")  # fmt: skip
        p.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                       help="knowledge base directory")  # fmt: skip

    conversation(sub.add_parser("chat", help="talk to the advisor on the terminal"))
    ask = sub.add_parser("ask", help="ask one question and print the answer")
    ask.add_argument("question")
    conversation(ask)

    ev = sub.add_parser("eval", help="score intent and slot matching on a labelled question set")
    ev.add_argument("file", nargs="?", help="labelled set (default: tests/eval/questions.yaml)")
    ev.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS)
    ev.add_argument("--errors", action="store_true", help="list every miss")

    run = sub.add_parser("run", help="run the Telegram bot (long polling, or a webhook server)")
    run.add_argument("--token", help="bot token (prefer $TELEGRAM_BOT_TOKEN: flags show in ps)")
    run.add_argument("--api-base-url", help="Bot API base URL ($TELEGRAM_API_BASE_URL)")
    run.add_argument("--db", help="SQLite database ($CAREERBOT_DB)")
    run.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS)
    run.add_argument("--admin-ids", help="user ids allowed /stats ($CAREERBOT_ADMIN_IDS)")
    run.add_argument("--log-level", help="DEBUG, INFO, WARNING... ($CAREERBOT_LOG_LEVEL)")
    run.add_argument("--keep-unanswered", choices=("on", "off"),
                     help="keep unanswered questions, without user ids "
                     "($CAREERBOT_KEEP_UNANSWERED, default on)")  # fmt: skip
    run.add_argument(
        "--webhook-url", help="public https URL: webhook mode ($CAREERBOT_WEBHOOK_URL)"
    )
    run.add_argument("--listen", help="webhook server address ($CAREERBOT_LISTEN, 127.0.0.1)")
    run.add_argument("--port", help="webhook server port ($CAREERBOT_PORT, 8443)")
    run.add_argument("--secret-token", help="webhook secret ($CAREERBOT_WEBHOOK_SECRET; "
                     "random for each run when unset)")  # fmt: skip
    run.add_argument("--max-pending", help="stop fetching while this many updates wait "
                     "($CAREERBOT_MAX_PENDING, 1000)")  # fmt: skip
    run.add_argument("--send-retry", help="seconds a reply is retried while it is not "
                     "delivered ($CAREERBOT_SEND_RETRY, 600)")  # fmt: skip
    run.add_argument("--read-timeout", help="seconds to wait for Telegram's answer to a send "
                     "($CAREERBOT_READ_TIMEOUT, 30)")  # fmt: skip
    run.add_argument("--start-timeout", help="seconds to keep trying to reach the Bot API at "
                     "start ($CAREERBOT_START_TIMEOUT, 300)")  # fmt: skip

    nudge = sub.add_parser("nudges", help="nudge tools")
    nudge_sub = nudge.add_subparsers(dest="nudges_command", required=True)
    preview = nudge_sub.add_parser("preview", help="a user's next nudge and when it is due")
    preview.add_argument("--user", type=_positive_int, required=True, metavar="ID")
    preview.add_argument("--db", metavar="PATH", default=None)
    preview.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS)

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate a knowledge base directory")
    check.add_argument("dir", nargs="?", help="directory (default: the one in use)")
    check.add_argument(
        "--sources",
        metavar="PATH",
        action="append",
        default=[],
        help="source documents (a directory of .txt/.md files, or a file; repeatable): report "
        f"the longest run of words each text shares with them; {copycheck.MAX_RUN} or more is "
        "a copied sentence",
    )
    check.add_argument(
        "--all", action="store_true", help="with --sources: list every text, not only copies"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `careerbot` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command
    if command is None:
        command = "run" if os.environ.get("TELEGRAM_BOT_TOKEN") else "chat"
        if command == "chat":
            args = parser.parse_args([*(argv or sys.argv[1:]), "chat"])
    if command == "kb":
        return kb_check(args.dir or args.knowledge, args.sources, args.all)
    if command == "eval":
        from bot.cli import evaluation

        kb = load_kb(args.knowledge)
        return evaluation.main(kb, args.file, args.errors)
    if command == "run":
        return run_bot(args)
    if command == "nudges":
        kb = load_kb(args.knowledge)
        return asyncio.run(preview_nudge(kb, args.db or default_db(), args.user, sys.stdout))
    kb = load_kb(args.knowledge)
    db = args.db or default_db()
    try:
        if command == "ask":
            return asyncio.run(ask_once(kb, db, args.user, args.question, args.json, sys.stdout))
        return asyncio.run(chat(kb, db, args.user, args.json, sys.stdin, sys.stdout))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`careerbot ask ... | head`): nothing left to say.
        sys.stderr.close()
        return 0


def run_bot(args: argparse.Namespace) -> int:
    """`careerbot run`: validate settings and knowledge, then serve until stopped."""
    flags = {
        name: getattr(args, name, None)
        for name in ("token", "api_base_url", "db", "admin_ids", "log_level", "keep_unanswered",
                     "webhook_url", "listen", "port", "secret_token", "knowledge", "max_pending",
                     "send_retry", "start_timeout", "read_timeout")
    }  # fmt: skip
    try:
        settings = Settings.load(os.environ, **flags)
    except ConfigError as exc:
        print(f"careerbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    kb = load_kb(settings.knowledge)
    # The database is checked, and locked for this process, before Telegram is contacted: a
    # bad file or a second instance is one clear line and exit 2, not a traceback loop.
    lock = InstanceLock(settings.db) if settings.db != ":memory:" else None
    try:
        check_database(settings.db)
        if lock is not None:
            lock.acquire()
    except DatabaseProblem as exc:
        print(f"careerbot: database {settings.db}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # Imported here: the local chat and the tools do not need python-telegram-bot loaded.
    from bot.tg.app import run

    try:
        return run(settings, kb)
    finally:
        if lock is not None:
            lock.release()


async def preview_nudge(kb: KnowledgeBase, db: str, user: int, out: TextIO) -> int:
    """`careerbot nudges preview`: the user's schedule and the tip their next nudge carries."""
    storage = await Storage.open(db)
    try:
        profile, _ = await storage.load(user)
        state = profile.nudges
        out.write(f"user {user}: nudges {nudges.describe(state)}\n")
        if state.active and state.next_due:
            local = nudges.local_time(state.next_due, state.tz)
            out.write(f"next due: {local} ({state.tz}) = {state.next_due.isoformat()}\n")
        elif state.active:
            out.write("next due: not scheduled (the user blocked the bot)\n")
        plan = plans.plan_from(kb, profile.level)
        open_items = plans.open_items(plan, await storage.plan_statuses(user)) if plan else []
        step, _ = nudges.pick_step(
            open_items, kb.tips, profile.level, await storage.tips_seen(user)
        )
        cited = step.based_on if isinstance(step, Tip) else step.sources
        sources = ", ".join(kb.sources[s].short for s in cited)
        text = step.text if isinstance(step, Tip) else f"{step.name} (from the plan): {step.show}"
        out.write(f"next step ({step.id}, for {profile.level or 'any level'}): {text}\n")
        out.write(f"our suggestion, building on: {sources}\n")
    finally:
        await storage.close()
    return 0


def kb_check(directory: str | None, sources: Sequence[str] = (), every: bool = False) -> int:
    """Validate a knowledge base: `file:line: problem` lines and exit 1 when invalid; with
    `sources`, also the longest run of words each text shares with those documents."""
    try:
        kb = loader.load(Path(directory) if directory else None)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"{kb.root}: OK ({len(kb.sources)} sources: {kb.describe_sources()}; "
        f"{len(kb.levels)} levels, {len(kb.bands)} salary figures, "
        f"{len(kb.transitions)} transitions, {len(kb.topics)} topics, {len(kb.tips)} tips, "
        f"{len(kb.intents)} intents, "
        f"{sum(len(i.examples) for i in kb.intents.values())} example phrasings)"
    )
    return copy_check(kb, sources, every) if sources else 0


def copy_check(kb: KnowledgeBase, sources: Sequence[str], every: bool = False) -> int:
    """The longest run of words each knowledge text shares with the source documents; exit 1
    when some text copies a sentence (a run of `copycheck.MAX_RUN` words or more)."""
    paths = copycheck.document_paths(Path(s) for s in sources)
    if not paths:
        print(f"no source documents found in: {', '.join(sources)}", file=sys.stderr)
        return EXIT_USAGE
    titles = [s.title for s in kb.sources.values()]
    overlaps = copycheck.check(kb.root, copycheck.Documents(paths), kb.quoted_names, titles)
    copied = [o for o in overlaps if o.length >= copycheck.MAX_RUN]
    for o in overlaps if every else copied:
        verdict = "copied sentence" if o.length >= copycheck.MAX_RUN else "longest shared run"
        shared = f": “{o.run}” ({o.document})" if o.length else ""
        print(f"{o.text.file}:{o.text.line}: {verdict}, {o.length} words{shared}")
    top = overlaps[0] if overlaps else None
    where = f" ({top.text.file}:{top.text.line})" if top else ""
    print(
        f"{len(overlaps)} texts compared with {len(paths)} documents: longest shared run "
        f"{top.length if top else 0} words{where}; {len(copied)} copied (a run of "
        f"{copycheck.MAX_RUN} words or more, quoted names left out)."
    )
    return 1 if copied else 0


async def ask_once(
    kb: KnowledgeBase, db: str, user: int, question: str, as_json: bool, out: TextIO
) -> int:
    """Answer one question."""
    storage = await Storage.open(db)
    try:
        advisor = Advisor(kb, storage)
        reply = await advisor.ask(user, question, now())
        if as_json:
            out.write(json.dumps(advisor.as_json(reply), ensure_ascii=False) + "\n")
        else:
            out.write(advisor.plain(reply.answer) + "\n")
    finally:
        await storage.close()
    return 0


def _parse_line(line: str, default_user: int) -> tuple[int, str] | str:
    """(user id, text) from a chat --json input line, or an error message."""
    stripped = line.strip()
    if not stripped.startswith("{"):
        return default_user, line.rstrip("\r\n")
    try:
        obj: Any = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(obj, dict):
        return "expected a JSON object"
    user, text = obj.get("user_id", default_user), obj.get("text")
    if isinstance(user, bool) or not isinstance(user, int) or user <= 0:
        return "user_id must be a positive integer"
    if not isinstance(text, str):
        return 'expected {"user_id": int, "text": str}'
    return user, text


async def chat(
    kb: KnowledgeBase, db: str, user: int, as_json: bool, inp: TextIO, out: TextIO
) -> int:
    """A terminal conversation; with --json, one JSON line out per line in, in order."""
    storage = await Storage.open(db)
    advisor = Advisor(kb, storage)
    interactive = inp.isatty() and not as_json
    try:
        if interactive:
            out.write("Career advisor for ML engineers. Ask anything; Ctrl-D to quit.\n\n")
        while True:
            if interactive:
                out.write("you> ")
                out.flush()
            line = await asyncio.to_thread(inp.readline)
            if not line:
                break
            parsed = _parse_line(line, user) if as_json else (user, line.rstrip("\r\n"))
            if isinstance(parsed, str):
                out.write(json.dumps({"error": parsed}) + "\n")
                out.flush()
                continue
            user_id, text = parsed
            if not as_json and not text.strip():
                continue
            reply = await advisor.ask(user_id, text, now())
            if as_json:
                out.write(json.dumps(advisor.as_json(reply), ensure_ascii=False) + "\n")
            else:
                out.write(advisor.plain(reply.answer) + "\n\n")
            out.flush()
    finally:
        await storage.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
