"""The `leanwatch` command. Library errors become one-line messages and exit codes here only."""

from __future__ import annotations

import json
import logging
import os
import smtplib
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from leanwatch import __version__
from leanwatch.errors import LeanwatchError, SettingError
from leanwatch.logs import configure_logging
from leanwatch.settings import Settings, declared, format_value, load_settings

if TYPE_CHECKING:
    from ingest.http import HttpClient
    from ingest.run import RunCounts, Source, SourceUpdate
    from leanwatch.store import Store

# Commands import the store and the HTTP client when they run, so `--help` and `settings` start fast.

log = logging.getLogger("leanwatch")


@dataclass
class AppContext:
    flags: dict[str, str] = field(default_factory=dict)
    verbose: bool = False

    def settings(self, **extra: str) -> Settings:
        return load_settings(flags={**self.flags, **extra})


class LeanwatchGroup(click.Group):
    """Turns library errors into one line on stderr and an exit code; --verbose adds the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LeanwatchError as exc:
            _fail(ctx, str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", 130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: still one line, the traceback on --verbose
            _fail(ctx, f"unexpected {type(exc).__name__}: {exc} (run with --verbose for the traceback)", 1)


def _fail(ctx: click.Context, message: str, code: int) -> NoReturn:
    obj = ctx.find_object(AppContext)
    if obj is not None and obj.verbose:
        traceback.print_exc()
    click.echo(f"leanwatch: error: {message}", err=True)
    ctx.exit(code)
    raise AssertionError("ctx.exit raises")


def _parse_set(values: tuple[str, ...]) -> dict[str, str]:
    flags = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        flags[name.strip().replace("-", "_")] = value
    return flags


@click.group(cls=LeanwatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path), help="Data directory (LEANWATCH_DATA_DIR).")
@click.option("--db-path", type=click.Path(path_type=Path), help="Store file (LEANWATCH_DB_PATH).")
@click.option("--wait-seconds", type=float, help="Wait this long for another writer (0: fail at once).")
@click.option("-s", "--set", "set_", multiple=True, metavar="NAME=VALUE", help="Override any setting.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging and tracebacks on errors.")
@click.version_option(__version__, prog_name="leanwatch")
@click.pass_context
def cli(
    ctx: click.Context,
    data_dir: Path | None,
    db_path: Path | None,
    wait_seconds: float | None,
    set_: tuple[str, ...],
    verbose: bool,
) -> None:
    """leanwatch: research intelligence on efficient AI.

    Settings come from defaults, then LEANWATCH_* environment variables, then these flags;
    `leanwatch settings` shows each with where it came from.
    """
    configure_logging(verbose)
    flags = _parse_set(set_)
    for name, value in (("data_dir", data_dir), ("db_path", db_path), ("writer_wait_seconds", wait_seconds)):
        if value is not None:
            flags[name] = str(value)
    obj = AppContext(flags=flags, verbose=verbose)
    ctx.obj = obj
    obj.settings()  # fail early, as one line, on a bad setting


pass_app = click.make_pass_decorator(AppContext)


def _shown(name: str, value: Any) -> str:
    """A setting's value as printed; secrets are never echoed, only whether they are set."""
    if "password" in name:
        return "(set, hidden)" if value else ""
    return format_value(value)


@cli.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def settings_cmd(app: AppContext, as_json: bool) -> None:
    """Print every setting, its value and where the value came from."""
    settings = app.settings()
    rows = [
        {
            "name": info.name,
            "env": info.env,
            "value": _shown(info.name, getattr(settings, info.name)),
            "source": settings.origin.get(info.name, "default"),
            "help": info.help,
        }
        for info in declared()
    ]
    if as_json:
        click.echo(json.dumps({row["name"]: row for row in rows}, indent=2))
        return
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['value'] or '(unset)'}  [{row['source']}]")
    click.echo(f"\nstore: {settings.db}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, for scripts and monitoring.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Counts per table and source, the last run of each source, the store's size."""
    from leanwatch.status import store_status

    report = store_status(app.settings())
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    click.echo(_format_status(report))


def _format_status(report: Mapping[str, Any]) -> str:
    store = report["store"]
    lines = [f"store: {store['path']} ({_size(store['size_bytes'])}, schema v{store['schema_version']})"]
    if store["snapshot_at"] is None:
        lines.append(
            "  empty: nothing ingested yet. Try `leanwatch update` or `leanwatch ingest arxiv --from FILE`."
        )
    else:
        lines.append(f"  as of {store['snapshot_at']}")
    lines.append("tables:")
    lines += [f"  {name:<18} {count:>10,}" for name, count in report["tables"].items()]
    lines.append("sources:")
    if not report["sources"]:
        lines.append("  (no source has run yet)")
    for name, info in report["sources"].items():
        last = info.get("last_run") or {}
        run = f"  last run {last.get('started_at')} {last.get('status')}" if last else ""
        lines.append(f"  {name:<18} papers {info.get('papers', 0):>8,}{run}")
        if last.get("message"):  # in full in --json
            message = last["message"]
            lines.append(f"  {'':<18} {message[:150] + '...' if len(message) > 150 else message}")
        for key, state in info.get("state", {}).items():
            cursor = state["cursor"] or ("etag " + state["etag"] if state["etag"] else "-")
            lines.append(f"  {'':<18} {key or '(all)'}: {cursor} (updated {state['updated_at']})")
    return "\n".join(lines)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed.")
@pass_app
def index(app: AppContext, force: bool) -> None:
    """Rebuild the app's paper catalog and full-text search index (every writing command does this
    when its data changed; run it by hand for a store written by an older leanwatch)."""
    from leanwatch.store import catalog, open_writer

    with open_writer(app.settings(), "leanwatch index") as store:
        rebuilt = store.refresh_catalog(force=force)
        if catalog.fts_extension() is None:
            click.echo("index: no full-text search extension for this platform; search matches substrings")
    click.echo("index: rebuilt " + (", ".join(rebuilt) if rebuilt else "nothing (already current)"))


@cli.command()
@pass_app
def update(app: AppContext) -> None:
    """The main job: refresh every configured source, then tag and extract.

    A source that cannot be reached fails fast with one line; the others go on. Exits 1 if any
    source failed.
    """
    from analysis import tagger as tg
    from ingest.sources import SOURCES

    settings = app.settings()
    unknown = [name for name in settings.sources if name not in SOURCES]
    if unknown:
        raise SettingError(f"sources: unknown {unknown}; known: {', '.join(SOURCES)}")
    failed = _run_sources(settings, "leanwatch update", [SOURCES[name] for name in settings.sources])
    _tag_store(settings, tg.load(tg.model_path(settings)))
    _extract_store(settings, fetch=settings.fulltext_per_run)
    _write_feeds(settings)
    if failed:
        click.echo(f"update: {len(failed)} source(s) failed: {', '.join(failed)}", err=True)
        sys.exit(1)


def _write_feeds(settings: Settings) -> None:
    """Rewrite the per-label and per-watchlist Atom feeds from the snapshot the update just published."""
    from analysis import watchlists
    from analysis.feeds import write_label_feeds, write_watchlist_feeds
    from leanwatch.store import open_reader

    folder = settings.data_dir / "feeds"
    with open_reader(settings) as reader:
        if reader.empty:
            return
        written = write_label_feeds(reader, folder)
        watched = write_watchlist_feeds(reader, folder, watchlists.load_all(settings.data_dir))
    click.echo(f"feeds: {written} label feeds and {watched} watchlist feed(s) written to {folder}")


def _run_sources(
    settings: Settings, command: str, sources: list[Source], search_index: bool = True
) -> list[str]:
    """Run each source under the writer lock, print its one-line outcome; return those that failed."""
    from ingest.http import HttpClient
    from ingest.run import run_source
    from leanwatch.store import open_writer

    failed = []
    with open_writer(settings, command, search_index) as store, HttpClient(settings) as client:
        for source in sources:
            outcome = run_source(store, settings, client, source, command)
            click.echo(outcome.line, err=outcome.status == "failed")
            if outcome.status == "failed":
                failed.append(source.name)
    return failed


def _from_files(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The `--from FILE...` option every ingest command takes."""
    return click.option("--from", "from_", multiple=True, type=click.Path(path_type=Path), help=help_text)


def _run_one(settings: Settings, name: str, run: SourceUpdate) -> None:
    """`leanwatch ingest ...`: one source run, recorded under `name`; exit 1 if it failed.

    Loading files can add a million papers at once: the search index (two minutes at that size) is
    then left to `leanwatch index` or the next update, and the command says so."""
    from ingest.run import Source

    bulk = name.endswith("_files")
    failed = _run_sources(settings, f"leanwatch ingest ({name})", [Source(name, name, 0, run)], not bulk)
    if bulk:
        click.echo(
            "search index: not rebuilt for a file load; run `leanwatch index` (or the next update)", err=True
        )
    if failed:
        sys.exit(1)


@cli.group()
def ingest() -> None:
    """Ingest one source, live or from local files (--from)."""


@ingest.command("arxiv")
@click.option(
    "--rss", "mode", flag_value="rss", help="Today's RSS announcement per watched category (default)."
)
@click.option("--api", "mode", flag_value="api", help="The query API, by submission date (--since/--until).")
@click.option(
    "--oai", "mode", flag_value="oai", help="OAI-PMH, incremental by datestamp; resumes after a failure."
)
@_from_files("Local files or directories: snapshot JSONL (.gz), saved API pages, OAI-PMH XML, RSS.")
@click.option("--since", help="From this date, YYYY-MM-DD (API: default a week ago; OAI: the stored cursor).")
@click.option("--until", help="Up to this date, YYYY-MM-DD (default today).")
@click.option("--all-categories", is_flag=True, help="Keep every paper, not only the watched categories.")
@pass_app
def ingest_arxiv(
    app: AppContext,
    mode: str | None,
    from_: tuple[Path, ...],
    since: str | None,
    until: str | None,
    all_categories: bool,
) -> None:
    """arXiv: daily RSS, the query API, OAI-PMH, or the metadata snapshot and saved responses."""
    from ingest import arxiv

    if from_ and mode:
        raise click.UsageError("--from reads files; it does not combine with --rss, --api or --oai")
    settings = app.settings()
    since_day = arxiv.parse_day(since) if since else None
    until_day = arxiv.parse_day(until) if until else None

    def run(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
        if from_:
            return arxiv.ingest_files(store, settings, from_, all_categories)
        if mode == "api":
            start, end = arxiv.default_window(since_day, until_day, datetime.now(UTC).date())
            return arxiv.ingest_api(store, settings, client, start, end, all_categories)
        if mode == "oai":
            return arxiv.harvest_oai(store, settings, client, since_day, until_day, all_categories)
        return arxiv.ingest_rss(store, settings, client, all_categories)

    _run_one(settings, "arxiv_files" if from_ else f"arxiv_{mode or 'rss'}", run)


@ingest.command("blogs")
@click.option("--list", "list_feeds", is_flag=True, help="Show the configured feeds and exit.")
@_from_files("Saved feeds (RSS, Atom, RDF), files or directories.")
@pass_app
def ingest_blogs(app: AppContext, list_feeds: bool, from_: tuple[Path, ...]) -> None:
    """AI lab blog feeds: posts as text, linked to the arXiv papers they cite."""
    from ingest import blogs

    settings = app.settings()
    if list_feeds:
        for feed in blogs.load_feeds(settings.blog_feeds_file):
            click.echo(f"{feed.lab:<20} {feed.kind:<10} {feed.name:<32} {feed.url}")
        return

    def run(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
        if from_:
            return blogs.ingest_files(store, settings, from_)
        return blogs.update(store, settings, client)

    _run_one(settings, "blogs_files" if from_ else "blogs", run)


@ingest.command("hf-papers")
@_from_files("Saved daily_papers responses: JSON files, directories, .tar.xz archives of them.")
@click.option("--since", help="Backfill from this day, YYYY-MM-DD (default: the day before the last read).")
@click.option("--until", help="Backfill up to this day, YYYY-MM-DD (default today, UTC).")
@pass_app
def ingest_hf_papers(app: AppContext, from_: tuple[Path, ...], since: str | None, until: str | None) -> None:
    """Hugging Face daily papers: upvotes, comments, code, organisations, AI keywords."""
    from ingest import arxiv, hf_papers

    if from_ and (since or until):
        raise click.UsageError("--from reads files; it does not combine with --since/--until")
    since_day = arxiv.parse_day(since) if since else None
    until_day = arxiv.parse_day(until) if until else None

    def run(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
        if from_:
            return hf_papers.ingest_files(store, settings, from_)
        if since_day is None and until_day is None:
            return hf_papers.update(store, settings, client)
        end = until_day or datetime.now(UTC).date()
        return hf_papers.fetch_days(store, settings, client, since_day or end, end)

    _run_one(app.settings(), "hf_papers_files" if from_ else "hf_papers", run)


@ingest.command("pwc")
@_from_files(
    "Papers with Code files or directories: evaluation-tables.json, papers-with-abstracts.json, "
    "links-between-papers-and-code.json, methods.json (.json or .json.gz), the AxCell leaderboards, "
    "model-index.yml / metafile.yml."
)
@pass_app
def ingest_pwc(app: AppContext, from_: tuple[Path, ...]) -> None:
    """Papers with Code's archived formats: leaderboards, papers, code links, methods, model cards."""
    from ingest import pwc

    if not from_:
        raise click.UsageError("Papers with Code closed in July 2025: ingest its dumps with --from PATH")

    def run(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
        return pwc.ingest_files(store, from_)

    _run_one(app.settings(), "pwc_files", run)


@ingest.command("epoch")
@_from_files("Epoch CSVs (notable, large-scale, all models); the date in the file name is the snapshot's.")
@click.option("--snapshot-date", help="The snapshot's date, YYYY-MM-DD, when the file name does not say.")
@pass_app
def ingest_epoch(app: AppContext, from_: tuple[Path, ...], snapshot_date: str | None) -> None:
    """Epoch AI models: parameters, training compute, hardware; says what a new snapshot revised."""
    from ingest import arxiv, epoch

    if snapshot_date and not from_:
        raise click.UsageError("--snapshot-date applies to --from files (a download is dated today)")
    day = arxiv.parse_day(snapshot_date) if snapshot_date else None

    def run(store: Store, settings: Settings, client: HttpClient) -> RunCounts:
        if from_:
            return epoch.ingest_files(store, from_, day)
        return epoch.update(store, settings, client)

    _run_one(app.settings(), "epoch_files" if from_ else "epoch", run)


@cli.group()
def verify() -> None:
    """Re-run claimed results on this machine's CPU and GPUs and record which claims hold."""


@verify.command("list")
@click.option("--json", "as_json", is_flag=True, help='A JSON list of {"name", "claim", "needs_gpu"}.')
@pass_app
def verify_list(app: AppContext, as_json: bool) -> None:
    """The recipes: built-in ones and DATA_DIR/recipes/*.toml."""
    from harness import recipe as rc

    recipes = rc.available(app.settings().data_dir)
    if as_json:
        listed = [{"name": r.name, "claim": r.claim_text, "needs_gpu": r.gpus > 0} for r in recipes.values()]
        click.echo(json.dumps(listed, indent=2))
        return
    for r in recipes.values():
        click.echo(f"{r.name:<30} {'GPU ' if r.gpus else 'CPU '} {r.claim_text}")


@verify.command("new")
@click.option("--claim", "claim_id", required=True, help="A stored claim's id (`leanwatch export claims`).")
@click.option("--name", help="Recipe name (default: from the claim).")
@pass_app
def verify_new(app: AppContext, claim_id: str, name: str | None) -> None:
    """Write a recipe for a stored claim into DATA_DIR/recipes/, to edit and run."""
    from harness import newrecipe
    from leanwatch.store import open_reader

    settings = app.settings()
    with open_reader(settings) as reader:
        path = newrecipe.from_claim(reader, claim_id, settings.data_dir / "recipes", name)
    click.echo(f"verify new: wrote {path}; fill in [run] and run `leanwatch verify run {path.stem}`")


def _store_runs(settings: Settings, runs: list[Any]) -> None:
    from harness.records import row
    from leanwatch.store import open_writer

    with open_writer(settings, "leanwatch verify run") as store:
        store.upsert("verification_runs", [row(run) for run in runs])


def _verify_local(
    settings: Settings,
    names: tuple[str, ...],
    parallel: int = 1,
    python: str | None = None,
    gpus: str | None = None,
    network: bool = False,
) -> list[Any]:
    """Run recipes on this machine, `parallel` at a time, and store the runs."""
    from harness import recipe as rc
    from harness.runner import run_many

    chosen = [rc.find(settings.data_dir, name) for name in names]
    gpu_ids = [int(g) for g in gpus.split(",") if g.strip()] if gpus is not None else None
    for recipe in chosen:
        click.echo(
            f"verify: running {recipe.name} ({len(recipe.seeds)} seed(s), limit {recipe.time_limit_s:g} s)",
            err=True,
        )
    runs = run_many(chosen, settings.data_dir / "runs", parallel, gpu_ids, python, True if network else None)
    _store_runs(settings, runs)
    return runs


def _verify_on_ray(
    settings: Settings, names: tuple[str, ...], address: str | None, python: str | None, network: bool
) -> list[Any]:
    from harness import recipe as rc
    from harness.cluster import run_on_ray

    chosen = [rc.find(settings.data_dir, name) for name in names]
    click.echo(f"verify: submitting {len(chosen)} run(s) to Ray ({address or 'a local instance'})", err=True)
    runs = run_on_ray(chosen, settings.data_dir / "runs", address, python, True if network else None)
    _store_runs(settings, runs)
    return runs


def _print_run(record: Mapping[str, Any]) -> None:
    click.echo(f"run {record['run_id']}: {record['recipe']} - {record['verdict']} ({record['status']})")
    click.echo(f"  claim: {record.get('claim')}")
    if record.get("message"):
        click.echo(f"  {record['message']}")
    for v in record["verdicts"]:
        measured = "-" if v["measured"] is None else f"{v['measured']:.6g}"
        spread = f" +- {v['spread']:.3g}" if v.get("spread") else ""
        click.echo(f"  {v['metric']}: claimed {v['claimed']}, measured {measured}{spread}: {v['verdict']}")
        if v.get("note"):
            click.echo(f"    {v['note']}")
    fp = record["fingerprint"]
    gpus = ", ".join(g["name"] for g in fp.get("gpus", [])) or "no GPU"
    click.echo(f"  on {fp.get('cpu')} ({fp.get('cpu_count')} cores, {fp.get('ram_gb')} GB), {gpus}")
    click.echo(f"  network: {fp.get('network')}; logs in {record['run_dir']}")


@verify.command("run")
@click.argument("names", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print each run as JSON (verdicts and fingerprint).")
@click.option("--python", help="Interpreter that runs Python recipes (default: this one).")
@click.option(
    "--gpus", help="GPU indices to use, e.g. 0,1 (CUDA_VISIBLE_DEVICES); default: the first free ones."
)
@click.option("--allow-network", is_flag=True, help="Let the recipe reach the network.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=1,
    help="Local runs at a time (each on GPUs of its own).",
)
@click.option("--address", help="Ray cluster address (ray://host:10001, or auto); default: a local instance.")
@pass_app
def verify_run(
    app: AppContext,
    names: tuple[str, ...],
    as_json: bool,
    python: str | None,
    gpus: str | None,
    allow_network: bool,
    executor: str,
    parallel: int,
    address: str | None,
) -> None:
    """Run recipes (by name or .toml path), here one after another or all at once on a Ray
    cluster. Exit 1 when a run errs or times out; "not reproduced" is a result, not an error."""
    settings = app.settings()
    if executor == "ray":
        runs = _verify_on_ray(settings, names, address, python, allow_network)
    elif parallel > 1:
        runs = _verify_local(settings, names, parallel, python, gpus, allow_network)
    else:  # one after another, each stored as soon as it ends
        runs = [
            run for name in names for run in _verify_local(settings, (name,), 1, python, gpus, allow_network)
        ]
    failed = False
    for run in runs:
        record = run.as_dict()
        if as_json:
            click.echo(json.dumps(record, indent=2, default=str))
        else:
            _print_run(record)
        failed |= run.status in ("error", "timeout")
    if failed:
        sys.exit(1)


@verify.command("show")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@pass_app
def verify_show(app: AppContext, run_id: str, as_json: bool) -> None:
    """A stored run: its verdicts, fingerprint and where its logs are."""
    from harness.records import stored_run
    from leanwatch.store import open_reader

    with open_reader(app.settings()) as reader:
        record = stored_run(reader, run_id)
    if record is None:
        raise click.ClickException(
            f"no single run matches {run_id!r} (see the Verification page or `verify run`)"
        )
    if as_json:
        click.echo(json.dumps(record, indent=2, default=str))
    else:
        _print_run(record)


@verify.command("queue")
@click.argument("names", nargs=-1)
@click.option(
    "--run", "run_all", is_flag=True, help="Run every queued recipe, one after another, and empty the queue."
)
@pass_app
def verify_queue(app: AppContext, names: tuple[str, ...], run_all: bool) -> None:
    """Queue recipes for later (NAMES), list the queue (no arguments), or run it (--run): the app's
    Verification page and other users fill it, one worker (by hand or a timer) empties it."""
    from harness import queue

    settings = app.settings()
    waiting = queue.add(settings.data_dir, list(names)) if names else queue.queued(settings.data_dir)
    if not run_all:
        click.echo("\n".join(waiting) if waiting else "verify queue: empty")
        return
    failed = False
    while (name := queue.take_next(settings.data_dir)) is not None:
        (run,) = _verify_local(settings, (name,))
        _print_run(run.as_dict())
        failed |= run.status in ("error", "timeout")
    if failed:
        sys.exit(1)


@cli.command()
@click.option(
    "--retrain", is_flag=True, help="Rebuild the model from the shared corpora and the store's papers."
)
@click.option(
    "--evaluate", is_flag=True, help="Print precision, recall and F1 per label on the judged papers."
)
@click.option(
    "--from-jsonl",
    "from_jsonl",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Tag a JSONL file of {id, title, abstract} instead of the store.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where --from-jsonl writes {id, labels, scores} lines.",
)
@pass_app
def tag(app: AppContext, retrain: bool, evaluate: bool, from_jsonl: Path | None, out: Path | None) -> None:
    """Tag papers with efficiency techniques and evaluation themes (only those the model has not tagged)."""
    from analysis import tagger as tg
    from analysis import tagging, training

    settings = app.settings()
    if (from_jsonl is None) != (out is None):
        raise click.UsageError("--from-jsonl and --out go together")
    if retrain:
        click.echo(f"tag: training on {settings.shared_data} (a few minutes)...", err=True)
        model = training.train(settings.shared_data, _store_docs(settings))
        tg.save(model, settings.tagger_model)
        click.echo(f"tag: model {model.version} saved to {settings.tagger_model} ({model.meta['seconds']} s)")
    model = tg.load(tg.model_path(settings))
    if evaluate:
        for path in (training.DEVSET, training.HOLDOUT, training.HOLDOUT_2, training.HOLDOUT_3):
            judged = training.load_devset(settings.shared_data, path)
            scores = training.evaluate(model, judged)
            click.echo(
                training.format_scores(
                    scores, f"{path.name}: {len(judged)} judged papers, model {model.version}"
                )
            )
        return
    if from_jsonl is not None and out is not None:
        written = tagging.tag_jsonl(model, from_jsonl, out, settings.tag_workers)
        click.echo(f"tag: {written:,} papers from {from_jsonl} tagged by {model.version} into {out}")
        return
    _tag_store(settings, model)


_STORE_DOCS = (
    "SELECT p.arxiv_id, p.title, p.abstract, list(t.term) FILTER (t.term IS NOT NULL) "
    "FROM papers p LEFT JOIN paper_terms t USING (paper_id) "
    "WHERE p.arxiv_id IS NOT NULL GROUP BY ALL"
)


def _store_docs(settings: Settings) -> list[Any]:
    """The store's arXiv papers as training documents, with the terms sources gave them (HF
    ai_keywords, PwC methods and tasks, model-index training techniques) as weak-label hints."""
    from analysis.training import Doc
    from leanwatch.store import open_reader

    with open_reader(settings) as reader:
        if reader.empty:
            return []
        rows = reader.query(_STORE_DOCS)
    return [Doc(key, title, abstract or "", tuple(terms or ())) for key, title, abstract, terms in rows]


def _tag_store(settings: Settings, model: Any) -> None:
    from tqdm import tqdm

    from analysis import tagging
    from leanwatch.store import open_writer

    with open_writer(settings, "leanwatch tag") as store:
        total = tagging.untagged_count(store, model.version)
        with tqdm(total=total, unit="paper", disable=None, desc="tag") as bar:
            counts = tagging.tag_store(store, model, settings.tag_workers, bar.update)
    click.echo(counts.summary(model.version))


@cli.command()
@click.option(
    "--from-text",
    "from_text",
    is_flag=True,
    help="Read the PATHS given (.txt full texts, file stem = paper id, or folders of them), not the store.",
)
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="Where --from-text writes JSON lines."
)
@click.option(
    "--fetch",
    type=int,
    help="Fetch at most this many arXiv HTML full texts first (default LEANWATCH_FULLTEXT_PER_RUN; 0: none).",
)
@click.option(
    "--evaluate", is_flag=True, help="Print precision, recall and F1 per field on the judged papers."
)
@click.option("--show", metavar="PAPER", help="Print what was extracted for one paper (arxiv:ID or ID).")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@pass_app
def extract(
    app: AppContext,
    from_text: bool,
    out: Path | None,
    fetch: int | None,
    evaluate: bool,
    show: str | None,
    paths: tuple[Path, ...],
) -> None:
    """Extract reported compute (hardware, time, chip-hours, parameters, FLOPs, tokens), training-compute
    estimates, costs, the transparency checklist and result claims (only papers not yet read by the
    current extractor version).

    \b
    leanwatch extract                                   # the store's papers
    leanwatch extract --show arxiv:2508.06471           # what was found for one paper
    leanwatch extract --from-text DIR a.txt --out out.jsonl   # full texts, no store needed
    """
    from analysis import extraction

    settings = app.settings()
    if from_text or out is not None:
        if not from_text or out is None or not paths:
            raise click.UsageError("--from-text PATH... and --out OUT.jsonl go together")
        written = extraction.extract_texts(list(paths), out, settings.extract_workers, _utilization(settings))
        click.echo(f"extract: {written:,} full texts read by {extraction.EXTRACTOR_VERSION} into {out}")
        return
    if paths:
        raise click.UsageError("paths are read only with --from-text")
    if evaluate:
        from analysis import judged

        click.echo(judged.evaluate_all(settings.shared_data))
        return
    if show:
        from leanwatch.store import open_reader

        with open_reader(settings) as reader:
            if reader.empty:
                raise click.ClickException("the store is empty; run `leanwatch update` first")
            click.echo(extraction.describe(reader, show))
        return
    _extract_store(settings, fetch=settings.fulltext_per_run if fetch is None else fetch)


def _utilization(settings: Settings) -> Any:
    from analysis.extraction import Utilization

    return Utilization(settings.utilization_lm, settings.utilization_other)


def _extract_store(settings: Settings, fetch: int) -> None:
    from tqdm import tqdm

    from analysis import extraction
    from ingest.http import HttpClient
    from leanwatch.store import open_writer

    with open_writer(settings, "leanwatch extract") as store:
        if fetch > 0:
            with HttpClient(settings) as client:
                fetched = extraction.fetch_full_texts(store, client, settings.fulltext_url, fetch)
            click.echo(f"extract: {fetched:,} arXiv full texts fetched (at most {fetch} per run)")
        total = extraction.pending_count(store)
        with tqdm(total=total, unit="paper", disable=None, desc="extract") as bar:
            counts = extraction.extract_store(
                store, _utilization(settings), settings.extract_workers, bar.update
            )
    click.echo(counts.summary())


@cli.command()
@click.option("--week", help="ISO week, e.g. 2026-W14 (default: the last complete week in the store).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "atom"]), default="md", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@click.option("--watchlist", help="Only the papers a saved watchlist keeps (`leanwatch watchlist list`).")
@click.option("--send", is_flag=True, help="Also mail it to LEANWATCH_SMTP_TO through LEANWATCH_SMTP_HOST.")
@click.option(
    "--dry-run", is_flag=True, help="With --send: write the mail to DATA_DIR/digests/<week>.eml instead."
)
@pass_app
def digest(
    app: AppContext,
    week: str | None,
    fmt: str,
    out: Path | None,
    watchlist: str | None,
    send: bool,
    dry_run: bool,
) -> None:
    """Write the weekly digest: what moved, with numbers and their tests. Every digest is also kept
    in DATA_DIR/digests/ (Markdown and HTML) with an Atom feed of all of them (feed.atom)."""
    from analysis import digest as dg
    from analysis.trends import latest_week
    from leanwatch.store import open_reader

    settings = app.settings()
    with open_reader(settings) as reader:
        if reader.empty:
            raise click.ClickException("the store is empty; run `leanwatch update` first")
        try:
            monday = dg.parse_week(week) if week else latest_week(reader)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from exc
        if monday is None:
            raise click.ClickException("no dated paper in the store to write a digest about")
        made = dg.build(reader, monday, watchlist=_watchlist(settings, watchlist))
    feed = dg.save(made, settings.data_dir / "digests")
    if send:
        _mail_digest(settings, made, feed.parent, dry_run)
    text = {"md": dg.to_markdown, "html": dg.to_html}.get(fmt, lambda _: feed.read_text(encoding="utf-8"))(
        made
    )
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"digest {made.name}: written to {out} (kept in {feed.parent})", err=True)


def _mail_digest(settings: Settings, made: Any, folder: Path, dry_run: bool) -> None:
    from analysis import digest as dg

    message = dg.email(made, settings.smtp_from, settings.smtp_to)
    if dry_run:
        path = folder / f"{made.name}.eml"
        path.write_bytes(bytes(message))
        click.echo(f"digest {made.name}: mail written to {path} (dry run, nothing sent)", err=True)
        return
    if not settings.smtp_host or not settings.smtp_to:
        raise SettingError("digest --send needs LEANWATCH_SMTP_HOST and LEANWATCH_SMTP_TO (or use --dry-run)")
    try:
        dg.send(message, settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password)
    except (OSError, smtplib.SMTPException) as exc:
        raise LeanwatchError(
            f"mailing the digest through {settings.smtp_host}:{settings.smtp_port} failed: {exc}"
        ) from exc
    click.echo(f"digest {made.name}: mailed to {', '.join(settings.smtp_to)}", err=True)


def _watchlist(settings: Settings, name: str | None) -> Any:
    from analysis import watchlists

    return watchlists.get(settings.data_dir, name) if name else None


@cli.group()
def watchlist() -> None:
    """Saved paper filters that trends, the digest and exports can be restricted to."""


@watchlist.command("add")
@click.argument("name")
@click.option("--keyword", "keywords", help="In the title or abstract (any of them).", multiple=True)
@click.option("--exclude", help="Not in the title or abstract.", multiple=True)
@click.option("--label", "labels", help="A tag (any of them).", multiple=True)
@click.option("--author", "authors", help="Part of an author's name (any of them).", multiple=True)
@click.option(
    "--lab", "labs", help="A lab whose blog cites the paper, or its HF organisation.", multiple=True
)
@click.option("--category", "categories", help="An arXiv category (any of them).", multiple=True)
@pass_app
def watchlist_add(app: AppContext, name: str, **values: tuple[str, ...]) -> None:
    """Save (or replace) the watchlist NAME."""
    from analysis import watchlists
    from analysis.taxonomy import LABEL_NAMES

    unknown = [label for label in values["labels"] if label not in LABEL_NAMES]
    if unknown:
        raise click.BadParameter(
            f"unknown labels {unknown}; known: {', '.join(LABEL_NAMES)}", param_hint="--label"
        )
    if not any(values.values()):
        raise click.UsageError("a watchlist needs at least one filter (--keyword, --label, ...)")
    settings = app.settings()
    lists = watchlists.load_all(settings.data_dir)
    lists[name] = watchlists.Watchlist(name, **values)
    path = watchlists.save_all(settings.data_dir, lists)
    click.echo(f"watchlist {name}: saved in {path}")


@watchlist.command("list")
@pass_app
def watchlist_list(app: AppContext) -> None:
    """Show the saved watchlists."""
    from dataclasses import asdict

    from analysis import watchlists

    lists = watchlists.load_all(app.settings().data_dir)
    if not lists:
        click.echo("no watchlists yet; add one with `leanwatch watchlist add NAME --label quantization`")
    for name, saved in sorted(lists.items()):
        filters = {key: list(value) for key, value in asdict(saved).items() if key != "name" and value}
        click.echo(f"{name}: {filters}")


@watchlist.command("remove")
@click.argument("name")
@pass_app
def watchlist_remove(app: AppContext, name: str) -> None:
    """Delete the watchlist NAME."""
    from analysis import watchlists

    settings = app.settings()
    lists = watchlists.load_all(settings.data_dir)
    watchlists.get(settings.data_dir, name)  # a clear error when there is no such list
    del lists[name]
    watchlists.save_all(settings.data_dir, lists)
    click.echo(f"watchlist {name}: removed")


@cli.group()
def export() -> None:
    """Export CSVs (UTF-8, ISO dates; columns in docs/exports.md) from the published store."""


def _date(value: str | None, name: str) -> Any:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from exc


def _exported(settings: Settings, what: str, run: Callable[[Any], int], out: Path) -> None:
    from leanwatch.store import open_reader

    with open_reader(settings) as reader:
        if reader.empty:
            raise click.ClickException("the store is empty; run `leanwatch update` first")
        rows = run(reader)
    click.echo(f"export {what}: {rows:,} rows written to {out}")


_OUT = click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="CSV file.")


@export.command("trends")
@_OUT
@click.option("--period", type=click.Choice(["week", "month"]), default="week", show_default=True)
@click.option("--since", help="First day, YYYY-MM-DD.")
@click.option("--until", help="Last day, YYYY-MM-DD.")
@click.option("--watchlist", help="Only the papers a saved watchlist keeps.")
@pass_app
def export_trends(
    app: AppContext, out: Path, period: str, since: str | None, until: str | None, watchlist: str | None
) -> None:
    """Papers per label per ISO week (or month) with their share, and the transparency items' rates."""
    from analysis import export as ex

    settings = app.settings()
    first, last = _date(since, "--since"), _date(until, "--until")
    chosen = _watchlist(settings, watchlist)
    _exported(settings, "trends", lambda r: ex.export_trends(r, out, period, first, last, chosen), out)


@export.command("compute")
@_OUT
@pass_app
def export_compute(app: AppContext, out: Path) -> None:
    """Every compute fact, with its words, evidence sentence and offsets."""
    from analysis import export as ex

    _exported(app.settings(), "compute", lambda r: ex.export_compute(r, out), out)


@export.command("claims")
@_OUT
@pass_app
def export_claims(app: AppContext, out: Path) -> None:
    """Every claimed result: benchmark, metric, value, what it is compared with, evidence."""
    from analysis import export as ex

    _exported(app.settings(), "claims", lambda r: ex.export_claims(r, out), out)


@export.command("papers")
@_OUT
@click.option("--format", "fmt", type=click.Choice(["csv", "bibtex"]), default="csv", show_default=True)
@click.option("--view", default="", help="The app's Papers URL query, e.g. 'q=kv+cache&label=kv_cache'.")
@click.option("--search", "text", help="Full-text search over titles and abstracts (every word required).")
@click.option("--label", "labels", multiple=True, help="Papers with this tag (repeat for any of several).")
@click.option("--category", "categories", multiple=True, help="arXiv category (repeatable).")
@click.option("--since", help="First day, YYYY-MM-DD.")
@click.option("--until", help="Last day, YYYY-MM-DD.")
@click.option("--has-code", is_flag=True, help="Only papers with a code link.")
@click.option("--reports-compute", is_flag=True, help="Only papers that report their compute.")
@click.option("--author", help="An author's name contains this.")
@click.option("--exclude", multiple=True, help="Leave out papers with this word (repeatable).")
@pass_app
def export_papers(app: AppContext, out: Path, fmt: str, view: str, **options: Any) -> None:
    """Papers (filtered as on the app's Papers page) as CSV, or as BibTeX for reference managers."""
    from urllib.parse import parse_qs

    from analysis import export as ex
    from analysis.paper_filter import PaperFilter
    from analysis.taxonomy import LABEL_NAMES

    for label in options["labels"]:
        if label not in LABEL_NAMES:
            known = ", ".join(LABEL_NAMES)
            raise click.BadParameter(f"unknown label {label!r}; known: {known}", param_hint="--label")
    given = PaperFilter.from_query(parse_qs(view.lstrip("?")))
    changes = {key: value for key, value in options.items() if value not in (None, False, ())}
    for key in ("since", "until"):
        if key in changes:
            changes[key] = _date(changes[key], f"--{key}")
    chosen = replace(given, **changes)
    _exported(app.settings(), "papers", lambda r: ex.export_papers(r, out, chosen, fmt), out)


@export.command("frontier")
@_OUT
@click.option("--dataset", help="Benchmark dataset as the leaderboard names it, e.g. ImageNet-1k.")
@click.option("--metric", help='Metric as the leaderboard names it, e.g. "Top 1 Accuracy".')
@click.option("--task", help="Task, when the dataset has several.")
@click.option("--size", type=click.Choice(["parameters", "flops"]), default="parameters", show_default=True)
@pass_app
def export_frontier(
    app: AppContext, out: Path, dataset: str | None, metric: str | None, task: str | None, size: str
) -> None:
    """Score against size on one benchmark: each model, whether it is on the Pareto frontier, and the
    largest model (at least twice its size) whose score it matches or beats."""
    from analysis import export as ex
    from analysis.frontier import benchmarks, points
    from leanwatch.store import open_reader

    settings = app.settings()
    with open_reader(settings) as reader:
        known = [] if reader.empty else benchmarks(reader, 10)
        found = (
            points(reader, dataset, metric, task, size) if (dataset and metric and not reader.empty) else []
        )
    if not found:
        listed = (
            "; ".join(f"{d} / {m} ({n} results)" for _, d, m, n in known) or "none: ingest leaderboards first"
        )
        raise click.UsageError(f"no sized results for that benchmark; benchmarks with sizes: {listed}")
    _exported(
        settings,
        "frontier",
        lambda r: ex.export_frontier(r, out, dataset or "", metric or "", task, size),
        out,
    )


@cli.command()
@click.option("--port", type=int, help="Port to listen on (LEANWATCH_UI_PORT, default 8501).")
@pass_app
def ui(app: AppContext, port: int | None) -> None:
    """Serve the Streamlit app on the store (read-only)."""
    settings = app.settings(**({"ui_port": str(port)} if port is not None else {}))
    app_path = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    env = dict(os.environ)
    # The app reads its settings from the environment: hand it exactly what this command resolved.
    for info in declared():
        value = getattr(settings, info.name)
        if value is not None:
            env[info.env] = format_value(value)
    env["LEANWATCH_DATA_DIR"] = str(settings.data_dir.resolve())
    env["LEANWATCH_DB_PATH"] = str(settings.db.resolve())
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(settings.ui_port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]
    click.echo(f"leanwatch: serving {settings.db} on http://localhost:{settings.ui_port}", err=True)
    os.execve(sys.executable, argv, env)


def main() -> None:
    cli(prog_name="leanwatch")
