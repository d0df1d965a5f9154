"""Running compute and claim extraction: over the store, or over full-text files (the batch interface).

A paper is read once per extractor version: its abstract (and the full text when one was fetched)
gives compute facts and claims, the facts give a training-compute estimate and a cost, the text and
the paper's code links give the transparency checklist, and the models table gives the facts Epoch
and model-index report for the paper, with Epoch's training compute to compare ours against.
Reading is CPU-bound, so batches go to worker processes while the parent writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import claims as claim_rules
from analysis import compute
from analysis.chips import normalise_chip
from analysis.compute import Fact
from analysis.estimates import Estimate, epoch_ratio, estimate
from analysis.transparency import Item, checklist, score
from leanwatch.errors import InputFormatError, SourceUnreachableError
from leanwatch.files import replacing
from leanwatch.store import Store, utc_now
from leanwatch.store.schema import PAPER_DATE
from leanwatch.workers import map_in_workers

log = logging.getLogger(__name__)


def _rules_version() -> str:
    """The extractor's version: a hash of its rule files, so any change to the rules, the chip table
    or the benchmark list re-reads every paper once (and an unchanged extractor never does)."""
    here = Path(__file__).parent
    files = ("compute.py", "claims.py", "estimates.py", "transparency.py", "chips.py", "benchmarks.py",
             "models/chips.json", "models/benchmarks.json")  # fmt: skip
    digest = hashlib.sha1()
    for name in files:
        digest.update((here / name).read_bytes())
    return f"extract-v1-{digest.hexdigest()[:10]}"


EXTRACTOR_VERSION = _rules_version()
BATCH = 2_000
_LANGUAGE_MODEL = ("language model", "llm", "tokens", "transformer", "gpt", "bert", "llama")


@dataclass(frozen=True)
class PaperInput:
    paper_id: str
    title: str
    abstract: str
    full_text: str | None = None
    code_links: tuple[str, ...] = ()
    reported: tuple[Fact, ...] = ()  # facts from Epoch and model-index rows for this paper
    epoch_model_id: str | None = None
    epoch_flop: float | None = None


@dataclass(frozen=True)
class PaperOutput:
    paper_id: str
    facts: list[Fact]
    claims: list[claim_rules.Claim]
    estimate: Estimate
    checklist: list[Item]
    full_text: bool
    epoch_model_id: str | None
    epoch_flop: float | None


@dataclass(frozen=True)
class Utilization:
    language_model: float = 0.3
    other: float = 0.4


def read_paper(paper: PaperInput, utilization: Utilization) -> PaperOutput:
    """Everything extraction learns from one paper; pure, so it runs in worker processes."""
    facts = compute.extract_facts(paper.abstract, "abstract")
    if paper.full_text:
        seen = {(f.kind, f.chip, f.count, f.value) for f in facts}
        full = compute.extract_facts(paper.full_text)
        facts = compute.one_per_device(
            facts + [f for f in full if (f.kind, f.chip, f.count, f.value) not in seen]
        )
    found_claims = claim_rules.extract_claims(paper.abstract, "abstract")
    text = f"{paper.title}\n{paper.abstract}\n{paper.full_text or ''}"
    lowered = text.lower()
    language_model = any(word in lowered for word in _LANGUAGE_MODEL)
    ours = estimate(facts, language_model, utilization.language_model, utilization.other)
    items = checklist(text, facts, list(paper.code_links), lowered)
    return PaperOutput(
        paper.paper_id,
        facts + list(paper.reported),
        found_claims,
        ours,
        items,
        paper.full_text is not None,
        paper.epoch_model_id,
        paper.epoch_flop,
    )


_WORKER_UTILIZATION = Utilization()


def _init_worker(utilization: Utilization) -> None:
    global _WORKER_UTILIZATION
    _WORKER_UTILIZATION = utilization


def _read_batch(batch: list[PaperInput]) -> list[PaperOutput]:
    return [read_paper(paper, _WORKER_UTILIZATION) for paper in batch]


def read_batches(
    batches: Iterable[list[PaperInput]], utilization: Utilization, workers: int = 0
) -> Iterator[list[PaperOutput]]:
    """Outputs of each batch, in input order; `workers` 0 means one per CPU, 1 means in this process."""
    return map_in_workers(_read_batch, batches, workers, _init_worker, (utilization,))


# ---- the batch interface -------------------------------------------------------------------------


def text_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The `.txt` files named, or inside the directories named (sorted); anything else is an error."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
        elif path.is_file() and path.suffix == ".txt":
            yield path
        elif not path.exists():
            raise InputFormatError(f"{path}: no such file or directory")
        else:
            raise InputFormatError(f"{path}: expected a .txt full text (file stem = paper id) or a directory")


def _text_batches(files: Iterable[Path], size: int) -> Iterator[list[PaperInput]]:
    batch: list[PaperInput] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputFormatError(f"{path}: cannot read ({exc.strerror})") from exc
        # A full text has no separate abstract: the whole text is read as the full text.
        batch.append(PaperInput(path.stem, "", "", full_text=text))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def extract_texts(
    paths: list[Path], out: Path, workers: int = 0, utilization: Utilization = Utilization()
) -> int:
    """`leanwatch extract --from-text`: one JSON line per paper, in input order, written atomically."""
    files = list(text_files(paths))
    written = 0
    with replacing(out) as handle:
        for outputs in read_batches(_text_batches(files, 50), utilization, workers):
            for paper in outputs:
                record = compute.as_record(paper.paper_id, paper.facts)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


# ---- the store -----------------------------------------------------------------------------------

_PENDING = (
    "SELECT p.paper_id, p.title, p.abstract, f.text AS full_text FROM papers p "
    "LEFT JOIN extracted_papers e ON e.paper_id = p.paper_id AND e.extractor_version = ? "
    "LEFT JOIN full_texts f ON f.paper_id = p.paper_id AND f.status = 'ok' "
    "WHERE e.paper_id IS NULL"
)
_COUNT_PENDING = f"SELECT count(*) FROM ({_PENDING})"  # noqa: S608 - fixed SQL
_CODE_LINKS = "SELECT paper_id, repo_url FROM code_links WHERE paper_id IN (SELECT unnest(?))"
_MODELS = (
    "SELECT paper_id, model_id, source, parameters, training_compute_flop, training_tokens, training_hours, "
    "hardware, hardware_quantity, flops FROM models WHERE paper_id IN (SELECT unnest(?))"
)


@dataclass
class ExtractCounts:
    papers: int = 0
    full_texts: int = 0
    facts: int = 0
    claims: int = 0
    estimated: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        if not self.papers:
            return f"extract: nothing to read; every paper is extracted by {EXTRACTOR_VERSION}"
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in self.by_kind.most_common())
        methods = ", ".join(f"{m} {n:,}" for m, n in sorted(self.by_method.items()))
        return (
            f"extract: {self.papers:,} papers read by {EXTRACTOR_VERSION} "
            f"({self.full_texts:,} with full text): "
            f"{self.facts:,} compute facts ({kinds or 'none'}), {self.claims:,} claims; "
            f"training compute for {self.estimated:,} ({methods or 'none'})"
        )


def pending_count(store: Store) -> int:
    return int(store.query(_COUNT_PENDING, [EXTRACTOR_VERSION])[0][0])


def _reported_facts(rows: list[tuple[Any, ...]]) -> tuple[list[Fact], str | None, float | None]:
    """Facts the models table holds for a paper (Epoch and model-index), and Epoch's FLOP figure."""
    facts: list[Fact] = []
    epoch_id, epoch_flop = None, None
    for _, model_id, source, params, flop, tokens, hours, hardware, quantity, flops_per_pass in rows:
        location = "epoch" if source == "epoch" else "model_index"
        evidence = f"{source} {model_id}"
        common: dict[str, Any] = {
            "evidence": evidence,
            "location": location,
            "method": "reported",
            "confidence": 0.9,
        }
        if params:
            facts.append(Fact("parameters", params, "parameters", what=model_id, **common))
        if flop:
            facts.append(Fact("flops", flop, "FLOP", scope="training", what=model_id, **common))
        if flops_per_pass:
            facts.append(
                Fact("flops", flops_per_pass, "FLOP", scope="per_inference", what=model_id, **common)
            )
        if tokens:
            facts.append(Fact("tokens", tokens, "tokens", what=model_id, **common))
        if hours:
            facts.append(Fact("duration", hours, "hours", scope="train", what=model_id, **common))
        if hardware:
            chip = normalise_chip(str(hardware).split(",")[0].strip()) or str(hardware)
            facts.append(
                Fact("hardware", quantity, None, chip=chip, count=quantity, what=str(hardware), **common)
            )
        if source == "epoch" and flop and (epoch_flop is None or flop > epoch_flop):
            epoch_id, epoch_flop = model_id, flop
    return facts, epoch_id, epoch_flop


def _inputs(store: Store, batch: Any) -> list[PaperInput]:
    ids = batch.column("paper_id").to_pylist()
    links: dict[str, list[str]] = {}
    for paper_id, url in store.query(_CODE_LINKS, [ids]):
        links.setdefault(paper_id, []).append(url)
    models: dict[str, list[tuple[Any, ...]]] = {}
    for row in store.query(_MODELS, [ids]):
        models.setdefault(row[0], []).append(row)
    inputs = []
    for paper_id, title, abstract, full_text in zip(
        ids,
        batch.column("title").to_pylist(),
        batch.column("abstract").to_pylist(),
        batch.column("full_text").to_pylist(),
        strict=True,
    ):
        reported, epoch_id, epoch_flop = _reported_facts(models.get(paper_id, []))
        inputs.append(
            PaperInput(
                paper_id,
                title or "",
                abstract or "",
                full_text,
                tuple(links.get(paper_id, ())),
                tuple(reported),
                epoch_id,
                epoch_flop,
            )
        )
    return inputs


def extract_store(
    store: Store,
    utilization: Utilization,
    workers: int = 0,
    progress: Callable[[int], Any] | None = None,
) -> ExtractCounts:
    """Read every paper the current extractor version has not read; each batch is committed as it ends."""
    counts = ExtractCounts()
    batches = (_inputs(store, batch) for batch in store.stream(_PENDING, [EXTRACTOR_VERSION], BATCH))
    for outputs in read_batches(batches, utilization, workers):
        _write(store, outputs, counts)
        if progress is not None:
            progress(len(outputs))
    return counts


def _fact_id(paper_id: str, index: int, fact: Fact) -> str:
    digest = hashlib.sha1(f"{paper_id}|{fact.kind}|{fact.location}|{fact.start}|{index}".encode()).hexdigest()
    return digest[:20]


def _write(store: Store, outputs: list[PaperOutput], counts: ExtractCounts) -> None:
    now = utc_now()
    facts: list[dict[str, Any]] = []
    found_claims: list[dict[str, Any]] = []
    estimates: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    marks: list[dict[str, Any]] = []
    for paper in outputs:
        for index, fact in enumerate(paper.facts):
            facts.append(
                {
                    "fact_id": _fact_id(paper.paper_id, index, fact),
                    "paper_id": paper.paper_id,
                    "kind": fact.kind,
                    "value": fact.value,
                    "unit": fact.unit,
                    "chip": fact.chip,
                    "chip_count": fact.count,
                    "scope": fact.scope,
                    "evidence": fact.evidence[:1000],
                    "span_start": fact.start,
                    "span_end": fact.end,
                    "location": fact.location,
                    "method": fact.method,
                    "confidence": fact.confidence,
                    "extracted_at": now,
                    "what": fact.what,
                    "extractor_version": EXTRACTOR_VERSION,
                }
            )
            counts.by_kind[fact.kind] += 1
        for index, claim in enumerate(paper.claims):
            found_claims.append(
                {
                    "claim_id": hashlib.sha1(
                        f"{paper.paper_id}|claim|{claim.start}|{index}".encode()
                    ).hexdigest()[:20],
                    "paper_id": paper.paper_id,
                    "text": claim.evidence,
                    "metric": claim.metric,
                    "value": claim.value,
                    "unit": claim.unit,
                    "baseline": claim.comparison,
                    "direction": claim.direction,
                    "evidence": claim.evidence,
                    "span_start": claim.start,
                    "span_end": claim.end,
                    "location": claim.location,
                    "method": claim.method,
                    "confidence": claim.confidence,
                    "extracted_at": now,
                    "benchmark": claim.benchmark,
                    "model": claim.model,
                    "sentence": claim.sentence[:1000],
                    "extractor_version": EXTRACTOR_VERSION,
                }
            )
        ours = paper.estimate
        estimates.append(
            {
                "paper_id": paper.paper_id,
                "training_flop": ours.training_flop,
                "flop_low": ours.flop_low,
                "flop_high": ours.flop_high,
                "method": ours.method,
                "inputs": ours.inputs or None,
                "utilization": ours.utilization,
                "epoch_model_id": paper.epoch_model_id,
                "epoch_flop": paper.epoch_flop,
                "epoch_ratio": epoch_ratio(ours.training_flop, paper.epoch_flop),
                "chip_hours": ours.chip_hours,
                "cost_usd": ours.cost_usd,
                "price_source": ours.price_source,
                "extractor_version": EXTRACTOR_VERSION,
                "estimated_at": now,
            }
        )
        items.extend(
            {
                "paper_id": paper.paper_id,
                "item": item.item,
                "present": item.present,
                "evidence": (item.evidence or "")[:500] or None,
                "extractor_version": EXTRACTOR_VERSION,
            }
            for item in paper.checklist
        )
        marks.append(
            {
                "paper_id": paper.paper_id,
                "extractor_version": EXTRACTOR_VERSION,
                "facts": len(paper.facts),
                "claims": len(paper.claims),
                "full_text": paper.full_text,
                "transparency_score": score(paper.checklist),
                "extracted_at": now,
            }
        )
        counts.papers += 1
        counts.full_texts += paper.full_text
        counts.facts += len(paper.facts)
        counts.claims += len(paper.claims)
        if ours.training_flop is not None:
            counts.estimated += 1
            counts.by_method[ours.method] += 1
    store.replace_paper_rows(
        [p.paper_id for p in outputs],
        {
            "compute_facts": facts,
            "claims": found_claims,
            "compute_estimates": estimates,
            "transparency": items,
            "extracted_papers": marks,
        },
    )


# ---- full texts ----------------------------------------------------------------------------------

_WANT_FULL_TEXT = (
    "SELECT p.paper_id, p.arxiv_id FROM papers p LEFT JOIN full_texts f USING (paper_id) "  # noqa: S608
    "WHERE p.arxiv_id IS NOT NULL AND f.paper_id IS NULL "
    f"ORDER BY {PAPER_DATE} DESC NULLS LAST, p.paper_id LIMIT ?"
)


def fetch_full_texts(store: Store, client: Any, url_template: str, limit: int) -> int:
    """Fetch up to `limit` arXiv HTML renderings (newest papers first) and keep their plain text; a
    fetched paper is marked for re-reading. Stops at the first unreachable host, saying so."""
    from analysis.fulltext import html_to_text
    from leanwatch.errors import LeanwatchError

    if limit <= 0:
        return 0
    fetched = 0
    for paper_id, arxiv_id in store.query(_WANT_FULL_TEXT, [limit]):
        url = url_template.format(id=arxiv_id)
        row: dict[str, Any] = {"paper_id": paper_id, "url": url, "fetched_at": utc_now()}
        try:
            result = client.get(url, accept_status=(404,))
        except SourceUnreachableError as exc:
            log.warning("full texts: %s; the rest wait for the next run", exc)
            break
        except LeanwatchError as exc:
            log.warning("full text %s: %s", url, exc)
            row.update(status="failed", chars=0, text=None)
        else:
            if result.status == 404:
                row.update(status="missing", chars=0, text=None)
            else:
                text = html_to_text(result.content)
                row.update(status="ok", chars=len(text), text=text)
                fetched += 1
        store.upsert("full_texts", [row])
        store.replace_paper_rows([paper_id], {"extracted_papers": []})
    return fetched


# ---- one paper, for reading --------------------------------------------------------------------

_SHOW_PAPER = "SELECT paper_id, title FROM papers WHERE paper_id = ? OR paper_id = ? OR arxiv_id = ?"
_SHOW_FACTS = (
    "SELECT kind, value, unit, chip, chip_count, scope, location, method, what, evidence FROM compute_facts "
    "WHERE paper_id = ? ORDER BY kind, location, span_start"
)
_SHOW_ESTIMATE = (
    "SELECT method, training_flop, flop_low, flop_high, inputs, epoch_model_id, epoch_flop, epoch_ratio, "
    "chip_hours, cost_usd, price_source FROM compute_estimates WHERE paper_id = ?"
)
_SHOW_ITEMS = "SELECT item, present, evidence FROM transparency WHERE paper_id = ? ORDER BY item"
_SHOW_CLAIMS = (
    "SELECT benchmark, metric, value, unit, baseline, model, evidence FROM claims "
    "WHERE paper_id = ? ORDER BY span_start"
)
_SHOW_MARK = (
    "SELECT extractor_version, transparency_score, full_text FROM extracted_papers WHERE paper_id = ?"
)


def _fact_line(row: tuple[Any, ...]) -> str:
    kind, value, unit, chip, count, scope, location, method, what, evidence = row
    if kind == "hardware":
        main = f"{count:g} x {chip}" if count else f"{chip} (count not stated)"
    elif kind == "duration":
        main = f"{value:.4g} h ({scope})"
    else:
        main = f"{value:.4g} {unit or ''}" + (f" ({scope})" if scope else "")
    where = f"{location}, {method}"
    quoted = (what or "").strip()
    return f'  {kind:<10} {main:<28} [{where}] "{quoted}"' + (
        f" - {evidence[:100]}" if location != "abstract" and evidence else ""
    )


def describe(reader: Any, paper: str) -> str:
    """What extraction stored for one paper (by `arxiv:<id>`, or a bare arXiv id), as text."""
    bare = paper.removeprefix("arxiv:")
    found = reader.query(_SHOW_PAPER, [paper, f"arxiv:{bare}", bare])
    if not found:
        raise InputFormatError(f"{paper}: no such paper in the store")
    paper_id, title = found[0]
    mark = reader.query(_SHOW_MARK, [paper_id])
    if not mark:
        return f"{paper_id}: {title}\n  not extracted yet; run `leanwatch extract`"
    version, transparency, full_text = mark[0]
    lines = [f"{paper_id}: {title}", f"  read by {version} ({'full text' if full_text else 'abstract only'})"]
    facts = reader.query(_SHOW_FACTS, [paper_id])
    lines.append(f"compute facts: {len(facts)}")
    lines.extend(_fact_line(row) for row in facts)
    estimate = reader.query(_SHOW_ESTIMATE, [paper_id])
    if estimate:
        method, flop, low, high, inputs, epoch_id, epoch_flop, ratio, hours, cost, price = estimate[0]
        if flop:
            lines.append(
                f"training compute: {flop:.3g} FLOP ({method}; range {low:.3g} to {high:.3g}): {inputs}"
            )
        else:
            lines.append("training compute: not reported and not estimable from what the paper states")
        if epoch_flop:
            agreement = f"ours / Epoch's = {ratio:.2f}" if ratio else "no figure of ours to compare"
            lines.append(f"Epoch AI: {epoch_flop:.3g} FLOP for {epoch_id} ({agreement})")
        if hours:
            lines.append(
                f"chip-hours: {hours:,.0f}" + (f"; cost about ${cost:,.0f} at {price}" if cost else "")
            )
    items = reader.query(_SHOW_ITEMS, [paper_id])
    lines.append(f"transparency: {transparency:.2f} ({sum(p for _, p, _ in items)} of {len(items)} items)")
    lines.extend(f"  {'yes' if present else 'no ':<3} {item}" + (f": {evidence[:90]}" if evidence else "")
                 for item, present, evidence in items)  # fmt: skip
    claims = reader.query(_SHOW_CLAIMS, [paper_id])
    lines.append(f"claims: {len(claims)}")
    for benchmark, metric, value, unit, baseline, model, evidence in claims:
        versus = f" vs {baseline}" if baseline else ""
        versus += f" ({model})" if model else ""
        lines.append(
            f'  {metric} {value:g}{unit or ""} on {benchmark or "(no benchmark named)"}{versus}: "{evidence}"'
        )
    return "\n".join(lines)
