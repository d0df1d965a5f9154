"""The transparency checklist: can a reader check this paper's result before trusting it?

Six items, each present or not with the words that showed it; the score is the share present.
- code: a code link the sources gave (Papers with Code, Hugging Face) or one in the text;
- compute: hardware, a training time, chip-hours or a FLOP budget reported;
- parameters: the model's parameter count reported;
- data_size: the training data's size reported (tokens, examples, images, hours of audio);
- variance: seeds, standard deviations, confidence intervals or error bars reported;
- eval_configs: evaluation prompts, configs or harness released.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

from analysis.compute import Fact

ITEMS = ("code", "compute", "parameters", "data_size", "variance", "eval_configs")

_CODE = re2.compile(
    r"(?i)https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/\S+|"
    r"\bcode (?:is|and \w+ (?:are|is)|will be) (?:publicly |made )?(?:available|released)|"
    r"\b(?:we|will) (?:release|open-source|open source|make) (?:our|the) (?:code|implementation)"
)
_DATA_SIZE = re2.compile(
    r"(?i)\b\d[\d,.]*\s*(?:[kmbt]|thousand|million|billion|trillion)?\s+"
    r"(?:tokens|examples|samples|images|sentences|"
    r"hours of (?:speech|audio|video)|documents|instances|pairs)\b"
)
_VARIANCE = re2.compile(
    r"±|\+/-|\+-|(?i:standard deviations?|std\.?\b|confidence intervals?|error bars|random seeds|"
    r"(?:over|across|averaged over)\s+\d+\s+(?:runs|seeds|trials|"
    r"random)|\bseeds?\b|statistically significant|p\s*<\s*0?\.\d)"
)
_EVAL_CONFIGS = re2.compile(
    r"(?i)\b(?:prompts?|evaluation (?:code|harness|scripts?|configs?|suite)|configs?|configurations?)\s+"
    r"(?:are|is|will be)\s+(?:publicly\s+)?(?:available|released)|lm-evaluation-harness|lm-eval|"
    r"\brelease (?:our|the|all) (?:prompts|evaluation|configs)"
)


@dataclass(frozen=True)
class Item:
    item: str
    present: bool
    evidence: str | None


# Words one of which must be in the text before its pattern is worth running (most texts have none).
_HINTS: dict[str, tuple[str, ...]] = {
    "code": ("github", "gitlab", "huggingface", "bitbucket", "code", "open-source", "open source"),
    "data_size": ("token", "example", "sample", "image", "sentence", "hours of", "document", "instance",
                  "pair"),
    "variance": ("±", "+/-", "+-", "std", "deviation", "confidence", "error bar", "seed", "runs", "trials",
                 "significan", "p <", "p<"),
    "eval_configs": ("prompt", "config", "harness", "lm-eval", "evaluation"),
}  # fmt: skip


def _search(pattern: re2._Regexp, text: str, lowered: str, item: str) -> str | None:
    if not any(hint in lowered for hint in _HINTS[item]):
        return None
    match = pattern.search(text)
    if match is None:
        return None
    start, end = max(0, match.start() - 60), min(len(text), match.end() + 60)
    return text[start:end].replace("\n", " ").strip()


def _fact_evidence(facts: list[Fact], kinds: tuple[str, ...]) -> str | None:
    fact = next((f for f in facts if f.kind in kinds), None)
    return fact.evidence[:240] if fact is not None else None


def checklist(text: str, facts: list[Fact], code_links: list[str], lowered: str | None = None) -> list[Item]:
    """The checklist for one paper from its text (abstract, plus full text when read), its compute
    facts and the code links its sources gave; `lowered` is the text lower-cased, when the caller
    has it already (a full text is long)."""
    lowered = text.lower() if lowered is None else lowered
    code = code_links[0] if code_links else _search(_CODE, text, lowered, "code")
    compute = _fact_evidence(facts, ("hardware", "duration", "chip_hours", "flops"))
    parameters = _fact_evidence(facts, ("parameters",))
    data_size = _fact_evidence(facts, ("tokens",)) or _search(_DATA_SIZE, text, lowered, "data_size")
    found = {
        "code": code,
        "compute": compute,
        "parameters": parameters,
        "data_size": data_size,
        "variance": _search(_VARIANCE, text, lowered, "variance"),
        "eval_configs": _search(_EVAL_CONFIGS, text, lowered, "eval_configs"),
    }
    return [Item(item, found[item] is not None, found[item]) for item in ITEMS]


def score(items: list[Item]) -> float:
    return sum(item.present for item in items) / len(items) if items else 0.0
