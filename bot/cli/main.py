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
from bot.answering.chart import Charts, NoFigures
from bot.cli.terminal import Terminal
from bot.coaching import nudges
from bot.config import ConfigError, Settings, default_db
from bot.front import Front
from bot.knowledge import copycheck, loader
from bot.knowledge.model import KnowledgeBase, Tip
from bot.knowledge.yamlnodes import KnowledgeError
from bot.services import Services
from bot.storage.health import DatabaseProblem, InstanceLock, check_database
from bot.storage.store import Storage

EXIT_USAGE = 2
# The labelled set `careerbot eval` scores by default: packaged with the bot (pyproject.toml
# copies tests/eval into the wheel), else the checkout's tests/eval.
EVAL_SET = "questions.yaml"


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
        p.add_argument("--out", metavar="DIR", default=None,
                       help="where /plan export and charts are written (default: the current "
                       "directory)")  # fmt: skip

    conversation(sub.add_parser("chat", help="talk to the advisor on the terminal; choices are "
                                "numbered: type the number to pick one"))  # fmt: skip
    ask = sub.add_parser("ask", help="ask one question (or run one /command) and print the answer")
    ask.add_argument("question", help="the question, in quotes")
    conversation(ask)

    chart = sub.add_parser("chart", help="draw the pay ranges per source for a level and market "
                           "as a PNG")  # fmt: skip
    chart.add_argument("level", help="a level id: " + ", ".join(("junior", "mid", "senior",
                       "staff", "principal")))  # fmt: skip
    chart.add_argument("market", nargs="?", default="us",
                       help="a market id or city (default: us)")  # fmt: skip
    chart.add_argument("--out", metavar="FILE", default=None,
                       help="PNG file to write (default: pay-LEVEL-MARKET.png here)")  # fmt: skip
    chart.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                       help="knowledge base directory")  # fmt: skip

    ev = sub.add_parser("eval", help="score intent and slot matching on a labelled question set")
    ev.add_argument("file", nargs="?", help="labelled set (default: the packaged "
                    "questions.yaml, the held-out set)")  # fmt: skip
    ev.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                    help="knowledge base directory")  # fmt: skip
    ev.add_argument("--errors", action="store_true", help="list every miss")

    run = sub.add_parser("run", help="run the Telegram bot (long polling, or a webhook server)")
    run.add_argument("--token", help="bot token (prefer $TELEGRAM_BOT_TOKEN: flags show in ps)")
    run.add_argument("--api-base-url", help="Bot API base URL ($TELEGRAM_API_BASE_URL)")
    run.add_argument("--db", help="SQLite database ($CAREERBOT_DB)")
    run.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                     help="knowledge base directory ($CAREERBOT_KNOWLEDGE)")  # fmt: skip
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
    preview.add_argument("--user", type=_positive_int, required=True, metavar="ID",
                         help="the user's id (their Telegram user id)")  # fmt: skip
    preview.add_argument("--db", metavar="PATH", default=None,
                         help="SQLite database (default: $CAREERBOT_DB or the user data dir); "
                         "never created")  # fmt: skip
    preview.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                         help="knowledge base directory")  # fmt: skip

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

        labelled = args.file or eval_set()
        if labelled is None:
            print("careerbot eval: no labelled set is installed with this copy; give one: "
                  "careerbot eval PATH/TO/questions.yaml (tests/eval/ in the source "
                  "repository)", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        kb = load_kb(args.knowledge)
        return evaluation.main(kb, str(labelled), args.errors)
    if command == "run":
        return run_bot(args)
    if command == "nudges":
        kb = load_kb(args.knowledge)
        db = args.db or default_db()
        if db != ":memory:" and not Path(db).is_file():
            # A preview only reads: a mistyped path must not leave an empty database behind.
            print(f"careerbot: no database at {db} (give the bot's with --db)", file=sys.stderr)
            return 1
        return asyncio.run(preview_nudge(kb, db, args.user, sys.stdout))
    if command == "chart":
        return draw_chart(load_kb(args.knowledge), args.level, args.market, args.out)
    kb = load_kb(args.knowledge)
    db = args.db or default_db()
    files = Path(args.out) if args.out else None
    try:
        if command == "ask":
            return asyncio.run(ask_once(kb, db, args.user, args.question, args.json, sys.stdout,
                                        files))  # fmt: skip
        return asyncio.run(chat(kb, db, args.user, args.json, sys.stdin, sys.stdout, files))
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
    """`careerbot nudges preview`: the user's schedule and the tip their next nudge carries.
    Reads only: a database that does not exist is not created, an unknown user is said so."""
    storage = await Storage.open(db)
    try:
        services = Services(kb, storage, Advisor(kb, storage))
        preview = await services.nudge_preview(user)
    finally:
        await storage.close()
    if preview is None:
        print(f"careerbot: user {user} is not in {db}: nothing stored, no nudges",
              file=sys.stderr)  # fmt: skip
        return 1
    state, step = preview.state, preview.step
    out.write(f"user {user}: nudges {nudges.describe(state)}\n")
    if state.active and state.next_due:
        local = nudges.local_time(state.next_due, state.tz)
        out.write(f"next due: {local} ({state.tz}) = {state.next_due.isoformat()}\n")
    elif state.active:
        out.write("next due: not scheduled (the user blocked the bot)\n")
    cited = step.based_on if isinstance(step, Tip) else step.sources
    sources = ", ".join(kb.sources[s].short for s in cited)
    text = step.text if isinstance(step, Tip) else f"{step.name} (from the plan): {step.show}"
    out.write(f"next step ({step.id}, for {preview.level or 'any level'}): {text}\n")
    out.write(f"our suggestion, building on: {sources}\n")
    return 0


def eval_set() -> Path | None:
    """The default labelled set: the one packaged with the bot, else the checkout's."""
    from importlib import resources

    packaged = Path(str(resources.files("bot"))) / "_eval" / EVAL_SET
    if packaged.is_file():
        return packaged
    # A source checkout (editable install): the repository's tests/eval, wherever we run.
    checkout = Path(__file__).resolve().parents[2] / "tests" / "eval" / EVAL_SET
    return checkout if checkout.is_file() else None


def draw_chart(kb: KnowledgeBase, level: str, market: str, out: str | None) -> int:
    """`careerbot chart LEVEL [MARKET] --out FILE.png`: the picture Telegram's Chart button
    sends."""
    from bot.understanding.pipeline import Pipeline

    slots = Pipeline(kb).match(f"salary for {level} in {market}").slots
    level_id = level if level in kb.levels else slots.level
    market_id = market if market in kb.markets else slots.market
    if level_id is None or market_id is None:
        what = f"level '{level}'" if level_id is None else f"market '{market}'"
        print(f"careerbot chart: unknown {what}; levels: {', '.join(kb.levels)}; markets: "
              f"{', '.join(m.id for m in kb.covered_markets)}", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    charts = Charts(kb)
    try:
        data = charts.png(level_id, market_id)
    except NoFigures as exc:
        print(f"careerbot chart: {exc}", file=sys.stderr)
        return 1
    path = Path(out) if out else Path(charts.filename(level_id, market_id))
    path.write_bytes(data)
    print(f"{path}: {charts.caption(level_id, market_id)}")
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
    kb: KnowledgeBase, db: str, user: int, question: str, as_json: bool, out: TextIO,
    files: Path | None = None,
) -> int:  # fmt: skip
    """Answer one question (or run one command)."""
    storage = await Storage.open(db)
    try:
        terminal = Terminal(make_front(kb, storage), out, now, as_json=as_json, files=files,
                            numbered=False)  # fmt: skip
        await terminal.turn(user, question)
    finally:
        await storage.close()
    return 0


def make_front(kb: KnowledgeBase, storage: Storage) -> Front:
    """The core front end over an open database: what the terminal draws."""
    advisor = Advisor(kb, storage)
    return Front(Services(kb, storage, advisor))


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
    kb: KnowledgeBase, db: str, user: int, as_json: bool, inp: TextIO, out: TextIO,
    files: Path | None = None,
) -> int:  # fmt: skip
    """A terminal conversation; with --json, one JSON line out per line in, in order."""
    storage = await Storage.open(db)
    terminal = Terminal(make_front(kb, storage), out, now, as_json=as_json, files=files)
    interactive = inp.isatty() and not as_json
    try:
        if interactive:
            out.write("Career advisor for ML engineers. Ask anything, /help for commands, a "
                      "number to pick a choice; Ctrl-D to quit.\n\n")  # fmt: skip
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
            await terminal.turn(user_id, text)
    finally:
        await storage.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
