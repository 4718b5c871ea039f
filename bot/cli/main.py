"""The `careerbot` command: local chat, one-shot questions, evaluation, knowledge checks. Each
subcommand is one function here; the arguments are in `parser`, the work in `chat` and `tools`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.cli import chat, tools
from bot.cli.parser import build_parser
from bot.cli.tools import EXIT_USAGE
from bot.config import ConfigError, Settings, default_db
from bot.knowledge import loader
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.yamlnodes import KnowledgeError
from bot.storage.health import DatabaseProblem, InstanceLock, check_database


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `careerbot` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command
    if command is None:
        command = "run" if os.environ.get("TELEGRAM_BOT_TOKEN") else "chat"
        if command == "chat":
            args = parser.parse_args([*(argv or sys.argv[1:]), "chat"])
    return SUBCOMMANDS[command](args)


def load_kb(directory: str | None) -> KnowledgeBase:
    """Load the knowledge base or exit with its problems listed as file:line."""
    try:
        return loader.load(Path(directory) if directory else None)
    except KnowledgeError as exc:
        print("The knowledge base is invalid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from exc


def kb_command(args: argparse.Namespace) -> int:
    """`careerbot kb check [DIR] [--sources PATH] [--all]`."""
    return tools.kb_check(args.dir or args.knowledge, args.sources, args.all)


def eval_command(args: argparse.Namespace) -> int:
    """`careerbot eval [FILE] [--errors]`: the packaged held-out set by default."""
    from bot.cli import evaluation

    labelled = args.file or tools.eval_set()
    if labelled is None:
        print("careerbot eval: no labelled set is installed with this copy; give one: "
              "careerbot eval PATH/TO/questions.yaml (tests/eval/ in the source "
              "repository)", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    kb = load_kb(args.knowledge)
    return evaluation.main(kb, str(labelled), args.errors)


def nudges_command(args: argparse.Namespace) -> int:
    """`careerbot nudges preview --user ID`: reads an existing database, never creates one."""
    kb = load_kb(args.knowledge)
    db = args.db or default_db()
    if db != ":memory:" and not Path(db).is_file():
        # A preview only reads: a mistyped path must not leave an empty database behind.
        print(f"careerbot: no database at {db} (give the bot's with --db)", file=sys.stderr)
        return 1
    return asyncio.run(tools.preview_nudge(kb, db, args.user, sys.stdout))


def chart_command(args: argparse.Namespace) -> int:
    """`careerbot chart LEVEL [MARKET] [--out FILE]`."""
    return tools.draw_chart(load_kb(args.knowledge), args.level, args.market, args.out)


def ask_command(args: argparse.Namespace) -> int:
    """`careerbot ask QUESTION`: one answer (or one command's reply), then exit."""
    kb, db, files = _session_setup(args)
    return _until_interrupted(
        chat.ask_once(kb, db, args.user, args.question, args.json, sys.stdout, files)
    )


def chat_command(args: argparse.Namespace) -> int:
    """`careerbot chat`: a conversation on the terminal until end of input."""
    kb, db, files = _session_setup(args)
    return _until_interrupted(chat.chat(kb, db, args.user, args.json, sys.stdin, sys.stdout, files))


def _session_setup(args: argparse.Namespace) -> tuple[KnowledgeBase, str, Path | None]:
    """The knowledge base, database and output folder of a terminal session."""
    kb = load_kb(args.knowledge)
    db = args.db or default_db()
    return kb, db, Path(args.out) if args.out else None


def _until_interrupted(session: Coroutine[Any, Any, int]) -> int:
    """Run a terminal session; Ctrl-C and a closed pipe end it quietly."""
    try:
        return asyncio.run(session)
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


SUBCOMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "kb": kb_command,
    "eval": eval_command,
    "run": run_bot,
    "nudges": nudges_command,
    "chart": chart_command,
    "ask": ask_command,
    "chat": chat_command,
}


if __name__ == "__main__":
    raise SystemExit(main())
