"""Claimed results: sentences that state a number the paper measured for its own work.

"achieves 76.1% top-1 on ImageNet", "2.3x faster decoding with no loss on MMLU", "retains 99% of
accuracy at 4 bits": each claim keeps the benchmark (normalised against the leaderboard-built list
in `analysis.benchmarks`), the metric, the value and unit, what it is compared with, and the words
it was read from with their offsets, so the harness can later try to reproduce it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import re2

from analysis.benchmarks import benchmark_table, key
from analysis.compute import Sentence, sentences


@dataclass(frozen=True)
class Claim:
    benchmark: str | None
    metric: str
    value: float
    unit: str | None
    comparison: str | None
    direction: str  # absolute, improvement, reduction
    evidence: str  # the words around the number
    sentence: str
    start: int  # the number's offsets in the text
    end: int
    model: str | None = None  # the named system the number is for ("SSD achieves 72.1% mAP")
    location: str = "abstract"
    method: str = "rule"
    confidence: float = 0.7

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark,
            "model": self.model,
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "comparison": self.comparison,
            "direction": self.direction,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
        }


# LaTeX that abstracts carry ("$18.1\%$", "3$\times$"), rewritten without moving any offset.
_LATEX = (
    ("\\%", " %"), ("$", " "), ("\\times", "     x"), ("\\rightarrow", "         to"), ("{", " "), ("}", " "),
    ("\\textbf", "       "), ("\\,", "  "), ("\\;", "  "),
)  # fmt: skip

_VALUE = re.compile(
    r"(?<![\w.\-@^×:])(?<![\w.]/)(?P<num>\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>%|percent(?:age points)?|pp\b|points?\b|x(?![\w])|×|times\b|-?fold\b|ms\b|milliseconds?\b|"
    r"fps\b|FPS\b|dB\b|"
    r"(?<=\d)s\b)?"
)
# A number followed by one of these counts things or is a compute fact, not a result.
_NOT_RESULT_AFTER = re.compile(
    r"(?i)^\s*(?:-\s*)?(?:k\b|m\b|b\b|t\b|billion|million|thousand|trillion|examples?|samples?|images?|tasks?|languages?|"
    r"datasets?|benchmarks?|models?|layers?|param|tokens?|gpus?|tpus?|hours?|days?|weeks?|months?|years?|steps?|"
    r"epochs?|shots?|-shot|way|bits?|-bit|categories|classes|questions|problems|prompts|instances|pairs|queries|"
    r"videos|frames|hrs|minutes?|seconds?|subjects|patients|participants|users|annotat|domains|types|agents|"
    r"trajectories|documents|papers|articles|hands|scenes|objects|nodes|edges|dimensions|d\b|experts?|heads?|"
    r"blocks|stages|rounds|iterations|turns|times (?:more|fewer|larger|smaller) (?:data|param)|"
    r"x\s*\d|×\s*\d|flops?|gflops|macs|gb|mb|tb)"
)
_NOT_RESULT_BEFORE = re.compile(
    r"(?i)(?:top|pass|rank|level|version|v|gpt|llama|qwen|step|stage|table|figure|fig\.|section|sec\.|"
    r"equation|eq\.|k\s*=|n\s*=|@|-|\bof size|\bbatch size|\bsize of|\bdepth|\bwidth|\bresolution|\bupto|"
    r"\bin|\bfrom the|\bthe first|\bphase)\s*$"
)

# Metric words, most specific first; the nearest to the number wins.
_METRICS: tuple[tuple[str, str], ...] = (
    ("top-1 accuracy", r"top\s*-?\s*1(?:\s+accuracy)?"),
    ("top-5 accuracy", r"top\s*-?\s*5(?:\s+accuracy)?"),
    ("pass@1", r"pass@1"),
    ("exact match", r"exact[\s-]match|\bEM\b"),
    ("f1", r"\bF1\b|F-score|F-measure|\bF1-score"),
    ("bleu", r"\bBLEU\b"),
    ("rouge", r"\bROUGE(?:-\w+)?\b"),
    ("perplexity", r"perplexity|\bPPL\b"),
    ("miou", r"\bmIoU\b|\bIoU\b|intersection over union"),
    ("map", r"\bmAP\b|\bAP\b|average precision"),
    ("auc", r"\bAUC\b|AUROC|\bAUPRC\b|area under"),
    ("fid", r"\b[rg]?FID\b"),
    ("psnr", r"\bPSNR\b"),
    ("wer", r"\bWER\b|word error rate"),
    ("win rate", r"win[\s-]rate"),
    ("success rate", r"success(?:\s+rate)?|pass\s+rates?"),
    ("error rate", r"error(?:\s+rate)?|miss rate"),
    ("accuracy", r"accuracy|\bacc\b|accurate"),
    ("latency", r"latency|time to first|\bms\b"),
    ("throughput", r"throughput|tokens?/s|\bfps\b"),
    ("speedup", r"faster|speed\s*-?\s*ups?|accelerat\w+|\bspeed\b"),
    ("memory reduction", r"memory|\bKV\b|cache"),
    ("compression ratio", r"compress\w*"),
    ("cost reduction", r"\bcost|cheaper|price|token usage|\btokens\b"),
    ("size reduction", r"smaller|model size|footprint"),
    ("score", r"\bscore|correlation|\bR\^?2\b|c-index|Elo"),
)
_METRIC_RE = [(name, re.compile(rf"(?i){pattern}")) for name, pattern in _METRICS]
# Metrics of the method's cost rather than its quality (a bare "reduction" is one too).
_EFFICIENCY_NAMES = (
    "speedup", "throughput", "latency",
    "memory reduction", "compression ratio", "cost reduction", "size reduction",
)  # fmt: skip
_EFFICIENCY_METRICS = frozenset((*_EFFICIENCY_NAMES, "reduction"))
_UP = re.compile(r"(?i)improv\w*|gains?\b|boost\w*|outperform\w*|higher|increas\w*|\+\s*$|surpass\w*|better")
_DOWN = re.compile(r"(?i)reduc\w*|lower\w*|decreas\w*|fewer|less\b|cuts?\b|cutting|sav\w*|drops?\b|shrink\w*")
_COMPARISON = re.compile(
    r"(?i)\b(?:over|than|compared (?:to|with)|vs\.?|versus|relative to|against|from)\s+"
    r"(?P<what>(?:the\s+)?[A-Za-z0-9][\w\-.+/ ]{0,48}?)(?=\s*(?:[,.;:)]|"
    r"\s+(?:on|in|and|while|with|at|by|across)\b|$))"
)
_HAS_NUMBER = re.compile(r"\d")
_RESULT_VERB = re2.compile(
    r"(?i)achiev|attain|reach|obtain|improv|outperform|surpass|boost|reduc|retain|preserv|speed|faster|"
    r"score|accuracy|gain|yield|deliver|rais|increas|lower|decreas|cut|sav|exceed|match|perform|"
    r"cheaper|better|higher|fewer|less|error|rate|f1|bleu|auc|fid|map\b|iou|=|result|report"
)


def _clean(text: str) -> str:
    for old, new in _LATEX:
        text = text.replace(old, new)
    return text


def _metric(sentence: str, start: int, end: int, unit: str | None) -> tuple[str, str]:
    """(metric, direction) for the number at [start, end): the nearest metric word in its clause."""
    # The metric is named in the number's own clause: "7.34% improvement in accuracy and a 57.8% gain
    # in efficiency" gives accuracy to the first number only.
    clause_start = max(sentence.rfind(mark, 0, start) for mark in (";", ",", " and ", " while ", " whereas "))
    clause_ends = [i for i in (sentence.find(";", end), sentence.find(" and ", end)) if i != -1]
    clause_end = min(clause_ends) if clause_ends else len(sentence)
    before = sentence[max(clause_start + 1, start - 70) : start]
    after = sentence[end : min(clause_end, end + 45)]
    best: tuple[int, str] | None = None
    generic: tuple[int, str] | None = None
    for name, pattern in _METRIC_RE:
        distances = [len(before) - m.end() for m in pattern.finditer(before)]
        following = pattern.search(after)
        if following is not None:
            distances.append(following.start())
        if not distances:
            continue
        found = (min(distances), name)
        if name == "score":  # "macro F1 score": the specific name wins over the generic word
            generic = found
        elif best is None or found[0] < best[0]:
            best = found
    best = best or generic
    if (
        best is not None
        and best[1] in ("top-1 accuracy", "top-5 accuracy")
        and re.match(r"\s*(?:top\s*-?\s*[15]\s*)?(?:\w+\s+)?error", after)
    ):
        best = (best[0], "error rate")  # "21.2% top-1 and 5.6% top-5 error"
    near = sentence[max(0, start - 60) : start] + " " + after[:30]
    wide = before + " " + after
    direction = "improvement" if _UP.search(near) else "reduction" if _DOWN.search(near) else "absolute"
    if unit in ("x", "times", "fold") and (best is None or best[1] not in _EFFICIENCY_NAMES):
        speed = re.search(r"(?i)fast|speed|accel|fewer (?:training )?(?:steps|iterations)|less time", wide)
        return ("speedup" if speed else "improvement"), direction
    if best is not None:
        return best[1], direction
    if direction == "improvement":
        return "improvement", direction
    if direction == "reduction":
        return "reduction", direction
    return "score", direction


def _unit(raw: str | None) -> str | None:
    if raw is None:
        return None
    raw = raw.strip().lower()
    if raw in ("%", "percent"):
        return "%"
    if raw.startswith("percentage") or raw in ("pp", "point", "points"):
        return "points"
    if raw in ("x", "×", "times") or raw.endswith("fold"):
        return "x"
    if raw.startswith("millisecond"):
        return "ms"
    return raw


# ---- benchmarks ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+'’/-]*")
_MAX_WORDS = 5


# A benchmark the list does not know, named as papers name new ones: "on 3DMem-Bench", "the SVO-Swap
# benchmark", "on ShapeNetCore".
# RE2 (linear time): with several capitalised words before "benchmark" allowed, `re` backtracked
# at every capital letter (bench/extraction.py).
_NAMED_BENCHMARK = re2.compile(
    r"(?:\b(?:on|across|in)\s+(?:the\s+)?(?:newly\s+introduced\s+|challenging\s+)?"
    r"(?P<on>[A-Z0-9][A-Za-z0-9.+]*(?:-[A-Za-z0-9.+]+)+|[A-Z][A-Za-z0-9]*(?:Bench|QA|Eval)"
    r"|[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*[A-Z][A-Za-z0-9+]*|[A-Z]{2,}[a-z]{2,}[A-Za-z0-9]*)(?:'s|’s)?"
    r"|(?P<named>(?:[A-Z][A-Za-z0-9+'’]*(?:-[A-Za-z0-9+]+)*\s+){0,3}"
    r"[A-Z][A-Za-z0-9.+]*(?:-[A-Za-z0-9.+]+)*)"
    r"\s+(?:benchmark|dataset|test set|leaderboard)"
    r"|(?P<suffixed>(?:[A-Z][A-Za-z0-9]*-)*[A-Z][A-Za-z0-9]*-?(?:Bench|QA|Eval)))\b"
)
_LEADING_WORDS = re.compile(r"^(?:(?:The|Our|This|These|Its|Their|A|An|New)\s+)*")
# "trained on Math-Shepherd": the data a model learnt from, not what it is measured on.
_TRAINED_ON = re.compile(r"(?i)(?:train|tun|learn|distill)\w*\s+(?:\w+\s+)?(?:on|in)\s+(?:the\s+)?$")


_OPENING = re.compile(
    r"\s*(?:(?:Extensive\s+|Comprehensive\s+)?(?:Experiments|Results|Evaluations?)\s+on\s+(?:the\s+)?|On\s+(?:the\s+)?)"
    r"(?P<name>[A-Z0-9][\w.+-]*[A-Z0-9+][\w.+-]*)"
)


def _looks_like_benchmark(name: str) -> bool:
    # internal capitals or digits, or a hyphenated name: "ShapeNetCore", "3DMem-Bench", "SVO-Probes"
    return (
        bool(re.search(r"[A-Z]", name))
        and bool(_CAPITAL_OR_DIGIT.search(name[1:]))
        and not re.fullmatch(r"[A-Z][a-z]+|\d+", name)
        and len(name) > 2
        and name not in _NOT_BENCHMARKS
        and _ADJECTIVE_COMPOUND.search(name) is None
    )


# "AI-driven", "LLM-based", "GPU-aware": a compound adjective, not a benchmark's name.
_ADJECTIVE_COMPOUND = re.compile(
    r"-(?:driven|based|aware|guided|free|specific|like|level|wise|style|centric|oriented|enabled|powered|"
    r"assisted|conditioned|agnostic|dependent|invariant|generated|augmented|friendly|native|only)$"
)


# Mixed-case names that papers put after "on" but that are models, methods, sites or tools
# (the most frequent such words in the shared listing corpus).
_NOT_BENCHMARKS = frozenset((
    "GitHub", "HuggingFace", "YouTube", "PyTorch", "TensorFlow", "OpenAI", "ChatGPT", "LLaMA", "LLaVA",
    "DeepSeek", "HunyuanVideo", "CoT", "ToM", "MoE", "LoRA", "QLoRA", "DiT", "DiTs", "ViT", "ViTs",
    "VDiTs", "NeRF", "LiDAR", "IoU", "ReID", "LLMs", "VLMs", "MLLMs", "GPUs", "TPUs", "UNet",
))  # fmt: skip


_CAPITAL_OR_DIGIT = re.compile(r"[A-Z0-9]")
_FUNCTION_WORDS = {"a", "an", "the", "on", "in", "of", "and", "to", "for", "by", "with", "at", "or", "as"}


def find_benchmarks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) of each benchmark named in the text, longest name first."""
    table = benchmark_table()
    tokens = [(m.start(), m.group(0).rstrip(".,")) for m in _TOKEN.finditer(text)]
    found: list[tuple[int, int, str]] = []
    i = 0
    # Benchmark names hold a capital or a digit ("ImageNet", "nuScenes", "GSM8K"); only there can one start.
    starts = [_CAPITAL_OR_DIGIT.search(word) is not None for _, word in tokens]
    while i < len(tokens):
        if not starts[i]:
            i += 1
            continue
        joined = ""
        match: tuple[int, str] | None = None
        for width in range(1, min(_MAX_WORDS, len(tokens) - i) + 1):
            joined += key(tokens[i + width - 1][1])
            name = table.get(joined)
            if name is not None:
                match = (width, name)
        if match is not None:
            width, name = match
            words = [w for _, w in tokens[i : i + width]]
            surface = " ".join(words)
            # a lower-case common word ("speech", "text") is not a benchmark name, nor is "A 3D"
            if (
                _CAPITAL_OR_DIGIT.search(surface)
                and not (width == 1 and len(surface) < 3)
                and words[0].lower() not in _FUNCTION_WORDS
            ):
                found.append((tokens[i][0], tokens[i][0] + len(surface), name))
                i += width
                continue
        i += 1
    for m in _NAMED_BENCHMARK.finditer(text):
        group = next(g for g in ("on", "named", "suffixed") if m.group(g))
        index = _NAMED_BENCHMARK.groupindex[group]  # the re2 module's spans take group numbers
        name, start, end = m.group(index), m.start(index), m.end(index)
        if group == "named":  # "The FooBench dataset", "Our new X benchmark": the name follows
            named = _LEADING_WORDS.sub("", name, count=1)
            name, start = named, start + len(name) - len(named)
        if group == "on" and _TRAINED_ON.search(text, max(0, start - 40), start):
            continue
        if _looks_like_benchmark(name) and not any(s <= start < e for s, e, _ in found):
            found.append((start, end, " ".join(name.split())))
    return found


# ---- claims --------------------------------------------------------------------------------------


def extract_claims(text: str, location: str = "abstract") -> list[Claim]:
    """Every result claim in a text (an abstract, or a full text's sentences)."""
    cleaned = _clean(text)
    claims: list[Claim] = []
    for sentence in sentences(cleaned):
        claims.extend(_sentence_claims(sentence, text, location))
    if any(c.benchmark is None for c in claims):
        named = find_benchmarks(cleaned)
        claims = [c if c.benchmark else replace(c, benchmark=_carried(c, named)) for c in claims]
    return [_named_measure(c, cleaned) for c in claims]


_UNNAMED = ("improvement", "score")
_MEASURE_REACH = 400  # characters back; a measure named further back rarely still applies
_GAIN_NOUN = re.compile(r"(?i)\bimprovements?\b|\bgains?\b")
# The quality metrics as one RE2 pattern, a group per metric: one linear pass finds the last named.
_QUALITY_NAMES = [name for name, _ in _METRICS if name not in (*_EFFICIENCY_NAMES, "score")]
_QUALITY_METRIC = re2.compile(
    "(?i)" + "|".join(f"({pattern})" for name, pattern in _METRICS if name in _QUALITY_NAMES)
)


def _named_measure(claim: Claim, text: str) -> Claim:
    """ "Accuracy on GSM8K ... It improves on IPO by 3.6%": a percentage gain or score whose clause
    names no measure is in the quality metric the text named last before it."""
    if claim.metric not in _UNNAMED or claim.unit not in ("%", "points"):
        return claim
    if _GAIN_NOUN.search(text, max(0, claim.start - 30), claim.end + 25):
        return claim  # "a 9.7% relative improvement", "a gain of 20 points": the gain is the claim
    named = list(_QUALITY_METRIC.finditer(text, max(0, claim.start - _MEASURE_REACH), claim.start))
    if not named:
        return claim
    last = named[-1]
    group = next(i for i in range(1, len(_QUALITY_NAMES) + 1) if last.start(i) >= 0)
    return replace(claim, metric=_QUALITY_NAMES[group - 1])


def _carried(claim: Claim, named: list[tuple[int, int, str]]) -> str | None:
    """The benchmark an unattributed number is on: the one named last before it ("On GSM8K, ... It
    also reaches 71%"), else the only one the text names. A speed, memory or cost figure is about
    the method, not a benchmark, unless its own sentence says otherwise."""
    if claim.metric in _EFFICIENCY_METRICS:
        return None
    before = [name for start, _, name in named if start < claim.start]
    if before:
        return before[-1]
    names = {name for _, _, name in named}
    return names.pop() if len(names) == 1 else None


def _sentence_claims(sentence: Sentence, original: str, location: str) -> Iterator[Claim]:
    body = sentence.text
    if _HAS_NUMBER.search(body) is None or _RESULT_VERB.search(body) is None:
        return
    benchmarks = find_benchmarks(body)
    values = list(_VALUE.finditer(body))
    # "On PHOENIX14T, ...", "Experiments on DsPCBSD+ show ...": the sentence is about that benchmark.
    lead = _OPENING.match(body)
    opening = lead.group("name") if lead and _looks_like_benchmark(lead.group("name")) else None
    for index, match in enumerate(values):
        start, end = match.span()
        if any(s <= start < e for s, e, _ in benchmarks):
            continue  # the 10 of CIFAR-10
        unit = _unit(match.group("unit"))
        number = float(match.group("num"))
        upper = _RANGE_END.match(body, end)
        if upper is not None:  # "a 62.9x-287.2x speedup", "by 2-3%": the claim is the upper end
            number, end = float(upper.group("num")), upper.end()
            unit = _unit(upper.group("unit")) or unit
        before, after = body[max(0, start - 12) : start], body[end : end + 50]
        if _baseline_in_parentheses(body, start, end):
            continue
        if re.match(r"\s*[x×*]\s*\d", body[match.end("num") :]):
            continue  # "300 x 300" is a resolution
        if _NOT_A_VALUE_AFTER.search(after) or _NOT_RESULT_BEFORE.search(before):
            continue
        if _FROM_TO.search(after):
            continue  # "from 77.6% to 82.4%": the claim is the second number
        if unit is None:
            unit = _listed_unit(body, values, index)
        metric_after = _METRIC_AFTER.search(after) if unit is None else None
        if unit is None and metric_after is None and _NOT_RESULT_AFTER.search(after):
            continue
        if unit == "x" and _NOT_RESULT_AFTER.search(after):
            continue
        bare_integer = number == int(number) and "." not in match.group("num")
        if unit is None and metric_after is None and bare_integer:
            continue  # bare integers are counts far more often than results
        if unit is None and re.search(r"[A-Z][\w-]*\s$", body[max(0, start - 20) : start]):
            continue  # "ML-SUPERB 2.0", "Llama 3.1": a version, not a result
        if _PRIOR.search(body[max(0, start - 70) : start]):
            continue  # "over the previous state-of-the-art score of 5.154": someone else's number
        if _SETTING.search(body, max(0, start - 40), start):
            continue  # "at a token pruning ratio of 85%": the setting, not a result
        # "by 3.71% and 5.34% average mIoU": a list shares the metric named around it
        first, last = _list_span(body, values, index)
        metric, direction = _metric(body, first, last, unit)
        if metric_after is not None:
            metric = next(name for name, pattern in _METRIC_RE if pattern.match(metric_after.group(1)))
        elif (
            unit is None
            and metric in ("improvement", "reduction", "score")
            and not re.search(
                r"(?i)score|correlation|\bR\^?2\b|c-index|of\s*$|to\s*$|at\s*$",
                body[max(0, start - 25) : start],
            )
        ):
            continue
        bench = (
            _respective(benchmarks, body, values, index) or _nearest(benchmarks, body, start, end) or opening
        )
        if metric == "score" and unit == "%" and direction == "absolute" and bench is not None:
            metric = "accuracy"  # "achieves 28.7% on HLE": a bare percentage on a benchmark is its accuracy
        if metric == "error rate" and _DISTANCE.match(body, end):
            metric = "score"  # "a mean translation error of 4.13 mm" is a distance, not a rate
        if unit == "fps":
            metric = "throughput"
        elif unit in ("s", "ms"):
            metric = "latency"
        elif metric == "score" and direction in ("improvement", "reduction") and unit in ("%", "points"):
            metric = direction  # "boosts relation scores by 9%": a gain on an unnamed measure
        comparison = _COMPARISON.search(body[end : end + 80])
        yield Claim(
            benchmark=bench,
            metric=metric,
            value=number,
            unit=unit,
            comparison=comparison.group("what").strip() if comparison else None,
            direction=direction,
            evidence=original[
                sentence.start + max(0, start - 60) : sentence.start + min(len(body), end + 40)
            ].strip(),
            sentence=original[sentence.start : sentence.end].strip(),
            start=sentence.start + start,
            end=sentence.start + end,
            model=_subject(body[:start]),
            location=location,
        )


# The upper end of a range: "-" or "–" joined to the number, or LaTeX's "--" (a spaced dash is
# punctuation, not a range).
_RANGE_END = re.compile(
    r"(?:\s*--|-|–)\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|pp\b|points?\b|x(?![\w])|×|dB\b)?(?!\w|\.\d)"
)
_COMPARED = re.compile(
    r"(?i)\b(?:over|than|upon|against|vs\.?|versus|compared|baselines?|outperform\w*|surpass\w*|beat\w*)\b"
)


def _baseline_in_parentheses(body: str, start: int, end: int) -> bool:
    """ "+3.6% over IPO (43.1%)", "deep learning (20%) methods": a bare number in parentheses after
    the system it is compared with is that system's score, not the paper's."""
    opening = body[:start].rstrip()
    if not opening.endswith("(") or not body[end:].lstrip().startswith(")"):
        return False
    return _COMPARED.search(body, max(0, len(opening) - 100), len(opening)) is not None


# "300 x 300" resolutions, "135°" angles, "5% of the compute", "25 times fewer parameters"
_NOT_A_VALUE_AFTER = re.compile(
    r"(?i)^\s*(?:[x×*]\s*\d|\^|°|circ|(?:%|x|times)?\s*(?:of\s+(?:the\s+)?(?:original\s+)?"
    r"(?:pre-?training\s+)?(?:compute|data|parameters|params|"
    r"training data))|(?:x|times)?\s*(?:fewer|less|more|larger|"
    r"smaller|bigger)\s+(?:\w+\s+){0,2}?(?:param\w*|data|layers|compute|tokens))|(?:x|times)?\s*(?:larger|bigger)\b"
)
_SETTING = re.compile(
    r"(?i)\b(?:pruning|drop(?:ping)?|mask(?:ing)?|keep|retention|sampling|sparsity|dropout)\s+(?:ratio|rate|level)\s+"
    r"(?:of\s+)?$|\bsparsity\s+(?:of\s+)?$"
)
_DISTANCE = re.compile(r"\s*(?:(?:mm|cm|km|m|meters?|metres?|px|pixels?|\\?deg(?:rees?)?)\b|°)")
_PRIOR = re.compile(r"(?i)\b(?:previous|prior)\s+(?:best|state[\s-]of[\s-]the[\s-]art|sota|record)\b[^.,;]*$")
_FROM_TO = re.compile(
    r"^\s*(?:%|s|\w+)?\s*(?:to|→|->|vs\.?|versus)\s*\d"
)  # "from 77.6% to 82.4%", "333.6s vs. 62s"
_METRIC_AFTER = re.compile(
    r"(?i)^\s*(BLEU|ROUGE(?:-\w+)?|mAP|AP\b|mIoU|F1|FID|PSNR|AUC|EM\b|accuracy|perplexity|PPL|WER)"
)


# "DiffDock obtains a 38% ...", "Apollo-7B reaches 70.9": the named system just before the verb.
_SUBJECT = re.compile(
    r"\b(?P<name>[A-Z][\w.+-]*[A-Z0-9][\w.+-]*|[A-Z][a-z]+[A-Z][\w.+-]*)(?:\s*\([^)]{0,30}\))?\s+"
    r"(?:also\s+|further\s+|consistently\s+|significantly\s+)?"
    r"(?:achieves|achieved|obtains|reaches|attains|outperforms|scores|improves|delivers|yields|surpasses|sets|"
    r"runs|retains|reduces|matches|exceeds|gets)\b"
)


def _subject(before: str) -> str | None:
    names = [m.group("name") for m in _SUBJECT.finditer(before)]
    return names[-1] if names and names[-1] not in _NOT_SUBJECTS else None


_NOT_SUBJECTS = {"LLM", "LLMs", "GPU", "AI", "It", "This", "Our", "We"}


def _list_span(body: str, values: list[re.Match[str]], index: int) -> tuple[int, int]:
    """The start of the list's first number and the end of its last, for the number at `index`."""
    first = index
    while first > 0 and _LIST_GAP.fullmatch(body[values[first - 1].end() : values[first].start()]):
        first -= 1
    last = index
    while last + 1 < len(values) and _LIST_GAP.fullmatch(body[values[last].end() : values[last + 1].start()]):
        last += 1
    return values[first].start(), values[last].end()


_LIST_GAP = re.compile(r"\s*(?:,|and|,\s*and|or)\s*")


def _listed_unit(body: str, values: list[re.Match[str]], index: int) -> str | None:
    """ "by 17 and 5.5 percent": a number in a list takes the unit of the list's last number."""
    for following in values[index + 1 : index + 4]:
        gap = body[values[index].end() : following.start()]
        if not _LIST_GAP.fullmatch(gap):
            return None
        if following.group("unit"):
            return _unit(following.group("unit"))
        index += 1
    return None


def _respective(
    benchmarks: list[tuple[int, int, str]], body: str, values: list[re.Match[str]], index: int
) -> str | None:
    """ "by 2.0% and 9.7% on MIG-Bench and MC-Bench, respectively": the i-th number is on the i-th
    benchmark named after the list (else before it in the sentence), when the counts agree."""
    first, last = _list_span(body, values, index)
    respectively = body.find("respectively", last)
    if respectively == -1:
        return None
    listed = [v for v in values if first <= v.start() and v.end() <= last]
    named = [b for b in benchmarks if last <= b[0] < respectively]
    if len(named) != len(listed):  # "on Caltech and ETH, where it cuts misses by 17 and 5.5%, respectively"
        named = [b for b in benchmarks if b[1] <= first]
    if len(listed) < 2 or len(named) != len(listed):
        return None
    return named[[v.start() for v in listed].index(values[index].start())][2]


def _nearest(benchmarks: list[tuple[int, int, str]], body: str, start: int, end: int) -> str | None:
    """The benchmark a number is on: one named in the number's own clause (nearest, one named after
    the number preferred), else one named just after it ("76.1%, the best on ImageNet")."""
    if not benchmarks:
        return None
    clause_start = max(body.rfind(",", 0, start), body.rfind(";", 0, start)) + 1
    ends = [i for i in (body.find(",", end), body.find(";", end)) if i != -1]
    clause_end = min(ends) if ends else len(body)

    def distance(item: tuple[int, int, str]) -> int:
        s, e, _ = item
        return s - end if s >= end else (start - e) + 15  # a benchmark named after the number is likelier

    same_clause = [b for b in benchmarks if clause_start <= b[0] < clause_end]
    if same_clause:
        return min(same_clause, key=distance)[2]
    soon_after = [b for b in benchmarks if 0 <= b[0] - end <= 40]
    return min(soon_after, key=distance)[2] if soon_after else None
