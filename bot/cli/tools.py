"""The operator tools: `kb check` (with the copy check), `chart`, `nudges preview`, and where
`eval` finds its default labelled set."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.advisor import Advisor
from bot.answering.chart import Charts, NoFigures
from bot.coaching import nudges
from bot.knowledge import copycheck, loader
from bot.knowledge.model import KnowledgeBase, Tip
from bot.knowledge.yamlnodes import KnowledgeError
from bot.services import Services
from bot.storage.store import Storage
from bot.understanding import classifier
from bot.understanding.pipeline import Pipeline

EXIT_USAGE = 2
# The labelled set `careerbot eval` scores by default: packaged with the bot (pyproject.toml
# copies tests/eval into the wheel), else the checkout's tests/eval.
EVAL_SET = "questions.yaml"


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
        f"{sum(len(i.examples) for i in kb.intents.values())} example phrasings, "
        f"{len(kb.messages)} real messages)"
    )
    # The intent model is trained now and cached (a start-up then loads it in milliseconds):
    # the Docker image runs this at build time.
    Pipeline(kb)
    print(f"intent model: cached in {classifier.cache_dir()}")
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
