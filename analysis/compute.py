"""Reported compute: the statements in which authors give the resources of their own work.

Read `../shared/COMPUTE_FACTS.md` for what counts. Facts come from rules over sentences: a cue
(a chip name, "GPU-hours", "parameters", "FLOPs", "tokens", a duration next to a training verb)
finds the candidate, the sentence around it decides whether it is the paper's own statement
(related-work sections, citations and comparisons with other systems are left out), and each fact
keeps its evidence sentence and character offsets so a reader can check it.

Texts come as papers write them and as tokenisers leave them ("5 , 000 TPUs", "3 . 5 days"), so
numbers are read with the spaces tokenisers put around "," and ".".
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, replace

import re2

from analysis.chips import SPECS, normalise_chip


@dataclass(frozen=True)
class Fact:
    kind: str  # hardware, duration, chip_hours, parameters, flops, tokens
    value: float | None  # count / hours / chip-hours / parameters / FLOP / tokens
    unit: str | None  # hours, gpu-hours, tpu-hours, FLOP, MAC, tokens, parameters
    chip: str | None = None
    count: float | None = None
    scope: str | None = None  # durations: train, epoch, inference, other; flops: training, per_inference
    what: str | None = None  # the matched words, as written
    evidence: str = ""  # the sentence
    start: int = 0  # the matched words' offsets in the text
    end: int = 0
    location: str = "full_text"
    method: str = "rule"
    confidence: float = 0.8


# ---- numbers -------------------------------------------------------------------------------------

_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "a single": 1, "dual": 2, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "sixteen": 16, "twenty": 20, "thirty": 30, "thirty-two": 32, "forty": 40, "fifty": 50,
    "sixty-four": 64, "hundred": 100, "a hundred": 100, "a few": None, "several": None, "half a": 0.5,
}  # fmt: skip
_WORD_NUMBER = "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
# 1,024 / 1 , 024 (tokenised) / 3.5 / 3 . 5 / .5
# "10. 96 K80s" is a list item's number then a count: a point spaced on one side only is no decimal.
_DIGITS = r"(?>\d{1,3}(?:\s?,\s?\d{3})++(?:\.\d+|\s\.\s\d+)?|\d+(?:\.\d+|\s\.\s\d+)?)"
NUM = rf"(?:{_DIGITS})"
_SCALE_WORDS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mil": 1e6, "mln": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9, "t": 1e12, "trillion": 1e12,
}  # fmt: skip
SCALE = r"(?:thousand|millions?|mil|mln|billions?|bn|trillion|[kKmMbBtT](?![a-zA-Z]))"


def read_number(text: str) -> float | None:
    """ "1,024", "1 , 024", "3 . 5", "two", "a single" -> a float; words with no number -> None."""
    text = text.strip().lower()
    if text in _WORDS:
        value = _WORDS[text]
        return None if value is None else float(value)
    cleaned = re.sub(r"\s", "", text).replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def scale_of(text: str | None) -> float:
    return _SCALE_WORDS.get((text or "").strip().lower(), 1.0)


# ---- sentences -----------------------------------------------------------------------------------

# A sentence ends at . ! ? before a capital (not after "vs.", "e.g.", "Fig." ...) or at a line break.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bal\.)(?<!\bFig\.)(?<!\bEq\.)(?<!\bcf\.)\s+(?=[A-Z(\[])|\n+"
)
_SECTION = re.compile(
    r"^\s*(?:(?:sub)*section\s*:\s*|document\s*:\s*|#+\s*|\d+(?:\.\d+)*\.?\s+)(?P<title>[A-Za-z][^\n]{0,200})$"
)
# Sections about other people's work: numbers there are theirs.
_OTHERS_SECTION = re.compile(r"(?i)related work|background|prior work|previous work|literature")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    others: bool  # inside a related-work / background section


def sentences(text: str) -> Iterator[Sentence]:
    """The text's sentences with their offsets; lines are sentence breaks (tokenised corpora put one
    sentence per line), a line that ends mid-sentence runs on into the next, and "section : Title"
    lines or markdown headings open sections."""
    others = False
    position = 0
    pending: int | None = None  # start of a sentence that runs on past a line break
    for match in _SENTENCE_END.finditer(text + "\n"):
        start, end = position, match.start()
        position = match.end()
        chunk = text[start:end]
        if not chunk.strip():
            continue
        opens = chunk.lstrip()[:10].lower().startswith(("section", "subsection", "document", "#"))
        heading = _SECTION.match(chunk) if len(chunk) < 220 and (opens or chunk.isupper()) else None
        if heading is not None:
            if pending is not None:
                yield Sentence(pending, start, text[pending:start].rstrip(), others)
                pending = None
            others = bool(_OTHERS_SECTION.search(heading.group("title")))
            continue
        if pending is not None:
            start = pending
        if not chunk.rstrip().endswith((".", "!", "?", ":", ";")) and end - start < _RUN_ON:
            pending = start
            continue
        pending = None
        yield from _bounded(Sentence(start, end, text[start:end], others))
    if pending is not None:
        yield from _bounded(Sentence(pending, len(text), text[pending:].rstrip(), others))


_LONGEST = 2_000  # a "sentence" longer than this (a flattened table) is read in pieces of this size


def _bounded(sentence: Sentence) -> Iterator[Sentence]:
    """The sentence, or pieces of it cut at spaces, so that no rule ever scans an unbounded line."""
    if sentence.end - sentence.start <= _LONGEST:
        yield sentence
        return
    start = 0
    text = sentence.text
    while start < len(text):
        end = min(len(text), start + _LONGEST)
        if end < len(text):
            space = text.rfind(" ", start + _LONGEST // 2, end)
            end = space if space != -1 else end
        yield Sentence(sentence.start + start, sentence.start + end, text[start:end], sentence.others)
        start = end


_RUN_ON = 600  # a line that ends mid-sentence joins the next while the sentence stays this short


# A sentence worth looking at names some resource; the rest are skipped before any costly rule.
# RE2: one linear pass over the whole text, about 30 times faster here than `re` on this alternation.
_TRIGGER = re2.compile(
    r"(?i)gpu|tpu|cpu|\bcores?\b|hours?\b|\bdays?\b|weeks?\b|minutes?\b|months?\b|param|flop|\bmacs?\b|"
    r"second|\d\s?(?:ms|s|h|min)\b|xeon|intel|machines|"
    r"mult-?adds|tokens|[kmptvah]\d0|titan|gtx|rtx|ascend|\b\d+(?:\.\d+)?\s?[mb]\b"
)
# Other people's numbers: a citation or a comparison in the same sentence.
_CITES = re.compile(
    r"(?<!Table )(?<!Figure )(?<!Fig\. )(?<!Section )(?<!Eq\. )(?<!Appendix )"
    r"\[\s*(?:reference|\d+(?:\s*[,\u2013-]\s*\d+)*)\s*\]|\bet al\b|\(\s*[A-Z][a-z]+[^()]*\d{4}\s*\)"
)
_FIRST_PERSON = re.compile(r"(?i)\b(?:we|our|ours|us|this (?:paper|work)|the proposed|the present)\b")
# Passive reports ("AdA was trained on 64 TPUv3 devices") are the paper's own voice too, except in a
# related-work section.
_OWN = re.compile(
    r"(?i)\b(?:we|our|ours|us|this (?:paper|work)|the proposed|the present|"
    r"(?:was|were|is|are) (?:trained|implemented|run|conducted|performed|pre-?trained))\b"
)


_OTHERS_CUE = re.compile(
    r"(?i)\bin comparison\b|\ba recent\b|\bprevious(?:ly)?\b|\bprior\b|\bexisting\b|"
    r"\bwhereas\b|\bstate[\s-]+of[\s-]+the[\s-]+art\b"
)


def _is_others(sentence: Sentence) -> bool:
    """Numbers in this sentence are probably about other work (cited or contrasted, no first person)."""
    if sentence.others:
        return _FIRST_PERSON.search(sentence.text) is None
    if _OWN.search(sentence.text) is not None:
        return False
    return _CITES.search(sentence.text) is not None or _OTHERS_CUE.search(sentence.text) is not None


# ---- hardware ------------------------------------------------------------------------------------

_COUNT = rf"(?P<count>{_DIGITS}(?:\s?[kK](?![a-zA-Z]))?|(?i:{_WORD_NUMBER}))"  # "2.5K H100s"
# Words that may stand between a count and its chip: "a single NVIDIA Pascal Titan X", "a 12 GB TitanX".
_BETWEEN = (
    r"(?:(?:\d+\s*-?\s*GB|NVIDIA|Nvidia|nVidia|NVidia|NIVIDIA|Pascal|Volta|Maxwell|Kepler|Tesla|TESLA|GeForce|"
    r"GEFORCE|modern|recent|new|high-end|consumer|Google|Cloud|AMD|Huawei)\s+|\d+\s*G(?:B|iB)?\s*-\s*){0,3}"
)
_VENDOR = (
    r"(?:(?:NVIDIA|Nvidia|nVidia|NVidia|NIVIDIA|Google|GCP|Cloud|AMD|Intel)\s*-?\s*)?"
    r"(?:(?:Tesla|TESLA|GeForce|GEFORCE|Quadro|Instinct)\s*-?\s*)?"
)
# Letter-and-digit model names are matched case-sensitively ("A10" is a GPU, "a10" a variable).
_MODEL = (
    r"(?i:(?:GTX\s*)?TITAN\s*-?\s*(?:Xp|X\s*\(\s*Pascal\s*\)|X|V(?:OLTA)?|RTX|Black|Z)?)(?![a-zA-Z])"
    r"|(?i:(?:GTX|RTX)\s*-?\s*\d{3,4}\s*(?:Ti(?![a-zA-Z]))?)"
    r"|(?:[5-9][5-8]0|10[5-8]0|20[6-8]0|30[6-9]0|40[6-9]0)\s*Ti(?![a-zA-Z])"
    r"|(?:(?i:K20|K40|K80|M40|M60|P40|P100|V100|A100|H100)|[KMPVAH]\s?-\s?(?:20|40|60|80|100)|T4|A10G?|A40|A800|A[456]000|L40S?|L4|H800|H200|"
    r"H20|B200|GB200|GV100|(?i:MI100|MI250X?|MI300X)|Gaudi\s*2)(?:[cmsx]|s\b)?(?![a-zA-Z0-9])"
    r"|Quadro\s*(?:P6000|M6000|RTX\s*[4568]000)|Ascend\s*910B?"
    r"|(?i:TPU\s*-?\s*v?\s*\d[ep]?)(?![a-zA-Z0-9])|v\d[ep]?\s*TPU"
)
_CHIP = re.compile(
    rf"(?:{_COUNT}\s*(?:x|×|\*|-(?=\s*[A-Z]))?\s*{_BETWEEN})?(?P<chip>{_VENDOR}(?:{_MODEL}))"
    rf"(?:\s*(?:-|\()?\s*(?:\d+\s*G(?:B|iB)?\b|PCIe|SXM\d?)\)?)*"  # memory and form factor
    rf"(?P<noun>\s*(?:GPUs?|TPUs?|cards?|graphics cards?|Graphics Cards?|accelerators?|chips?|cores?))?"
    rf"(?:\s*-\s*(?P<slice>\d+))?"  # TPU v3-32: a 32-core slice
    rf"(?:\s*(?:x|×|\*)\s*(?P<count_after>\d+)(?![\d.]))?",
)
_NODES = re.compile(
    rf"(?i)(?<![\w.])(?P<nodes>{_DIGITS}|{_WORD_NUMBER})\b\s*(?:-\s*)?(?:(?!(?:on|of|in|at|with|for|and|to|using|by)\b)[\w-]+\s+){{0,3}}?"
    r"(?:nodes?|machines?|servers?|hosts?)\s+"
    r"(?:with|each with|of|having|containing|,)\s*$"
)
# "5,000 first-generation TPUs": Google's own names for TPU v1-v3.
_TPU_GENERATION = re.compile(
    rf"(?i)\b{_COUNT}\s*(?P<gen>first|second|third|1st|2nd|3rd)\s*-?\s*generation\s+"
    r"(?:TPUs?|tensor processing units?)\b"
)
_GENERATIONS = {
    "first": "TPU v1", "second": "TPU v2", "third": "TPU v3",
    "1st": "TPU v1", "2nd": "TPU v2", "3rd": "TPU v3",
}  # fmt: skip
# "a 16x16 TPU v3 slice", "an 8x16x32 configuration of TPUv4": the topology multiplies out
_TPU_TOPOLOGY = re.compile(
    r"(?i)(?<![\w.])(?P<dims>\d+(?:\s*[x×]\s*\d+){1,2})\s+(?:configuration\s+of\s+|(?:Cloud\s+)?)"
    r"(?P<chip>TPU\s*-?\s*v?\d[ep]?)"
)
# "a v3-512 Cloud TPU device": the slice named before the word TPU
_TPU_SLICE_FIRST = re.compile(
    r"(?i)(?<![\w.])v(?P<gen>[2-6][ep]?)\s*-\s*(?P<count>\d+)\s+(?:Cloud\s+)?TPUs?\b"
)
# "two 8-GPU servers": the machines multiply the chips each holds
_MACHINES_AFTER = re.compile(r"(?i)\s*(?:servers?|machines?|nodes?|hosts?|boxes)\b")
_MACHINES_BEFORE = re.compile(rf"(?i)(?<![\w.])(?P<n>{_DIGITS}|{_WORD_NUMBER})\s+$")
# "128 to 512 cores of a Google TPUv3 Pod": TPU cores, counted as the chips' cores are
_TPU_CORES = re.compile(
    rf"(?i)\b(?:(?P<low>{_DIGITS})\s*(?:to|-)\s*)?{_COUNT}\s*(?:TPU\s*)?(?:-\s*)?cores?\s+"
    r"(?:(?:of|on)\s+(?:an?\s+|the\s+)?)?(?:Google\s+)?(?:Cloud\s+)?(?P<chip>TPU\s*-?\s*v?\d[ep]?)"
)
_GENERIC = re.compile(
    rf"(?<!-\s)(?<![-\w.])(?<!Platinum\s)(?<!Gold\s)(?<!Silver\s)(?<!Bronze\s)\b{_COUNT}(?![\w.])\s*(?:x\s*|-\s*)?(?:(?!on\b|of\b|per\b|for\b|each\b|in\b|with\b|and\b|to\b|the\b|GB\b|G\b|MB\b)"
    r"[A-Za-z][A-Za-z]*\s+){0,2}?"
    r"(?P<chip>GPUs?|graphics cards?|TPUs?|TPU\s*(?:v\d\s*)?cores?|"
    r"CPU\s*cores?|CPUs?|CPU\s*threads|(?<=-\s)cores?|(?<=-)cores?|cores)\b"
    r"(?!\s*(?:v\d\w*\s*)?(?:cores?|chips?)?\s*-?\s*(?:hours?|days?|weeks?|months?|years?|memory)\b)",
    re.IGNORECASE,
)
# A CPU named by its model: "Intel i7-2600 CPU", "Intel Xeon E5-2620v3", "12-core Xeon".
_CPU_MODEL = re.compile(
    r"(?i)(?:\b(?P<count>a single|a|an|one|single|dual|two|four)\s+)?"
    rf"(?:(?P<cores>{_DIGITS})\s*-?\s*core\s+)?"
    r"(?:(?:Intel|AMD)?\s*(?:Xeon(?!\s*Phi)|Core\s*i[3579]|i[3579]\s*-\s*\d{4}\w*|Ryzen|Opteron|Intel\s+CPU)"
    r"|on\s+(?:a\s+|the\s+)?\d+(?:\.\d+)?\s*GHz\s+CPU|\bCPUs?(?=\s+(?:using|with)\s+\d+\s+(?:threads|cores)))"
    rf"(?:[\w\s-]{{0,20}}?\b(?P<cores_after>{_DIGITS})\s*(?:-\s*core|\s+threads|\s+cores))?"
)
# "trained on GPUs", "we fine-tune the model using TPUs": the chip family, with no count stated.
_BARE_CHIP = re.compile(r"(?i)\b(?:on|using|with)\s+(?:the\s+)?(?P<chip>GPUs?|TPUs?)\b(?!\s*(?:memory|-))")
_TRAIN_VERB = re.compile(r"(?i)\b(?:we|our)\b.*\b(?:train\w*|fine\s*-?\s*tun\w*|run|ran|conduct\w*)\b")
# "trained on a single GPU" is a statement of resources; "runs in real time on a single GPU" a boast.
_SINGLE_RUN = re.compile(
    r"(?i)^(?!.*\b(?:real\s*-?\s*time|capable|can|could|would|fps)\b).*\b(?:train\w*|took|takes?)\b"
)
# Any chip or processor word at all; the detailed patterns run only where one is (RE2, one pass).
_HARDWARE_CUE = re2.compile(
    r"(?i)gpu|tpu|cpu|titan|gtx|rtx|tesla|quadro|nvidia|xeon|intel|core|gaudi|\bmi\d|[kmpvtahlb]\s?-?\s?\d{1,3}(?:s|\b)|"
    r"\d{3,4}\s?ti\b|graphics|ascend"
)
_USED = re.compile(r"(?i)\bused\b|this research")
_HYPOTHETICAL = re.compile(r"(?i)\b(?:would|could|might|needed|impossible|prohibitive|if we|can be)\b")
_ACKNOWLEDGEMENT = re.compile(r"(?i)donat|acknowledg|\bthank|grateful|\bsupport of\b|\bgrant\b|award")
_COMPUTE_VERB = re.compile(
    r"(?i)\b(?:train|trained|training|run|runs|ran|running|took|takes|take|using|use|used|on|with|"
    r"implement|implemented|experiments?|conduct|performed|parallel|distributed|server|machine|cluster)\b"
)


def _generic_name(word: str) -> str:
    word = word.lower()
    if "tpu" in word:
        return "TPU"
    if "cpu" in word or word.startswith("core"):
        return "CPU"
    return "GPU"


def _count(text: str | None) -> float | None:
    if text is None:
        return None
    digits = text.rstrip(" kK")  # "2.5K": the count in thousands
    value = read_number(digits)
    if value is not None:
        value *= scale_of(text[len(digits) :])
    return value if value is None or value > 0 else None


def hardware(sentence: Sentence) -> list[Fact]:
    """Chips and how many: "8 NVIDIA P100 GPUs", "a single Titan X", "TPU v3-32", "4 K80s"."""
    text = sentence.text
    if _HARDWARE_CUE.search(text) is None:
        return []
    if _ACKNOWLEDGEMENT.search(text) and _USED.search(text) is None:
        return []  # donated or granted hardware is not a statement of what the work used
    facts: list[Fact] = []
    covered: list[tuple[int, int]] = []
    for match in _CHIP.finditer(text):
        chip = normalise_chip(re.sub(r"\s+", " ", match.group("chip")))
        if chip is None:
            continue
        after = text[match.end() : match.end() + 16]
        if re.match(r"\s*-?\s*(?:hours?|days?|weeks?|months?|years?)\b", after):
            continue  # "21,500 A100-hours" are chip-hours
        count = _count(match.group("count")) or _count(match.group("count_after"))
        if match.group("slice") and chip.startswith("TPU"):
            count = float(match.group("slice"))  # "a TPU v3-32": a 32-core slice
        noun = (match.group("noun") or "").strip().lower()
        before = text[max(0, match.start() - 40) : match.start()]
        if (
            count is None
            and noun in ("gpu", "card", "graphics card", "accelerator", "chip")
            and not re.search(r"(?i)\b(?:per|each)\s*$", before)
            and not re.match(r"\s*pods?\b", after)
        ):
            count = 1.0  # "the NVIDIA Titan X GPU is used": one card
        if re.match(r"(?i)\s*pods?\b", after) and count == 1.0:
            count = None  # "a Google TPU v3 Pod": one pod, chips not counted
        nodes = _NODES.search(text[max(0, match.start() - 50) : match.start()])
        if nodes is not None and count is not None and not re.match(r"(?i)\s*(?:in total|total)\b", after):
            count *= read_number(nodes.group("nodes")) or 1.0  # "32 nodes with 8 H100 GPUs (each)"
        facts.append(_fact(sentence, match, "hardware", count, None, chip=chip, count=count))
        covered.append(match.span())
    for match in _TPU_CORES.finditer(text):
        chip = normalise_chip(match.group("chip")) or "TPU"
        start, end = sentence.start + match.start(), sentence.start + match.end()
        facts = [f for f in facts if not (f.chip == chip and start <= f.start < end)]  # "a Google TPUv3"
        for raw in (match.group("low"), match.group("count")):
            count = _count(raw)
            if count is not None:
                facts.append(_fact(sentence, match, "hardware", count, None, chip=chip, count=count))
        covered.append(match.span())
    for match in _TPU_TOPOLOGY.finditer(text):
        chip = normalise_chip(match.group("chip")) or "TPU"
        start = sentence.start + match.start()
        facts = [f for f in facts if not (f.chip == chip and f.start >= start)]  # the chip read alone
        count = float(math.prod(int(d) for d in re.split(r"\s*[x×]\s*", match.group("dims"))))
        facts.append(_fact(sentence, match, "hardware", count, None, chip=chip, count=count))
        covered.append(match.span())
    for match in _TPU_SLICE_FIRST.finditer(text):
        count = _count(match.group("count"))
        chip = normalise_chip(f"TPU v{match.group('gen')}") or "TPU"
        facts.append(_fact(sentence, match, "hardware", count, None, chip=chip, count=count))
        covered.append(match.span())
    for match in _TPU_GENERATION.finditer(text):
        count = _count(match.group("count"))
        chip = _GENERATIONS[match.group("gen").lower()]
        facts.append(_fact(sentence, match, "hardware", count, None, chip=chip, count=count))
        covered.append(match.span())
    hypothetical = _HYPOTHETICAL.search(text) is not None
    generic = [
        m
        for m in _GENERIC.finditer(text)
        if not any(a <= m.start("chip") < b for a, b in covered)
        and _count(m.group("count")) is not None
        and (_count(m.group("count")) != 1.0 or (_adjacent(m) and _SINGLE_RUN.search(text) is not None))
    ]
    uncounted = [f for f in facts if f.count is None or (f.count == 1.0 and "GPU" in (f.what or ""))]
    for match in generic:
        count = _count(match.group("count"))
        name = _generic_name(match.group("chip"))
        if name == "GPU" and len(uncounted) == 1 and _chip_kind(uncounted[0].chip) == "gpu":
            # "8 GPUs ... NVIDIA V100": the count belongs to the one named chip.
            index = facts.index(uncounted[0])
            facts[index] = _with_count(facts[index], count)
            uncounted = []
            continue
        if name == "GPU" and (hypothetical or (facts and not uncounted)):
            continue  # the named chips already carry their counts
        tpus = [i for i, f in enumerate(facts) if (f.chip or "").startswith("TPU")]
        bare_cores = name == "CPU" and "cpu" not in match.group("chip").lower()
        if len(tpus) == 1 and (bare_cores or (name == "TPU" and facts[tpus[0]].count is None)):
            # "a TPU v3 Pod, which has 2048 cores", "a TPUv3 Pod (2,048 TPU cores)": the TPU's cores
            facts[tpus[0]] = _with_count(facts[tpus[0]], count)
            continue
        machines = (
            _MACHINES_BEFORE.search(text, 0, match.start())
            if _MACHINES_AFTER.match(text, match.end())
            else None
        )
        if machines is not None and count is not None:
            count *= read_number(machines.group("n")) or 1.0
        # several named chips without counts: "on four GPUs" stays a count of GPUs
        facts.append(_fact(sentence, match, "hardware", count, None, chip=name, count=count))
    if not any(f.chip == "CPU" for f in facts):
        for match in _CPU_MODEL.finditer(text):
            cores = _count(match.group("cores")) or _count(match.group("cores_after"))
            count = cores if cores is not None else _count(match.group("count"))
            facts.append(_fact(sentence, match, "hardware", count, None, chip="CPU", count=count))
            break
    if not facts and not hypothetical and _TRAIN_VERB.search(text):
        for match in _BARE_CHIP.finditer(text):
            chip = match.group("chip").upper().rstrip("S")
            facts.append(_fact(sentence, match, "hardware", None, None, chip=chip, count=None))
            break
    return [f for f in facts if f.chip not in ("GPU", "TPU", "CPU") or _COMPUTE_VERB.search(text)]


def _adjacent(match: re.Match[str]) -> bool:
    """ "a single GPU", not "a modern GPU": one chip counts only when nothing stands between."""
    return not match.string[match.end("count") : match.start("chip")].strip(" -")


def _chip_kind(chip: str | None) -> str:
    spec = SPECS.get(chip or "")
    return spec.kind if spec else "other"


def _with_count(fact: Fact, count: float | None) -> Fact:
    return replace(fact, count=count, value=count)


# ---- durations -----------------------------------------------------------------------------------

_UNIT_HOURS = {
    "ms": 1 / 3_600_000, "millisecond": 1 / 3_600_000, "s": 1 / 3600, "sec": 1 / 3600, "second": 1 / 3600,
    "min": 1 / 60, "minute": 1 / 60, "h": 1.0, "hr": 1.0, "hour": 1.0, "day": 24.0, "week": 168.0,
    "month": 720.0,
}  # fmt: skip
_LONG_UNITS = r"milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?"
_UNITS = rf"{_LONG_UNITS}|ms|secs?|s|mins?|hrs?|h"
# "3.5 days", "12 - 14 days", "6.42 , 8.66 , and 2.84 seconds", "12.15h vs. 11.48h"
_DURATION = re.compile(
    rf"(?P<list>(?>(?<![\w.]){NUM}\s*(?:{_UNITS})?\s*(?:,\s*(?:and\s+)?|and\s+|vs\.?\s+(?:\w+\s+){{0,3}}?)(?=\d))*+)"
    rf"(?<![\w.])(?P<num>{NUM})(?:\s*(?:-|–|to)\s*(?P<num2>{NUM}))?\s*(?:-\s*)?(?P<unit>{_UNITS})\b"
    rf"|(?<![\w.])(?P<word>{_WORD_NUMBER})\s+(?:-\s*)?(?P<word_unit>{_LONG_UNITS})\b",
    re.IGNORECASE,
)
_TRAIN_CUE = re.compile(
    r"(?i)\b(?:train(?:s|ed|ing)?|pre-?train(?:s|ed|ing)?|fine-?tun(?:e|ed|ing)|converge[sd]?|"
    r"convergence|learning|optimi[sz]ation|took|takes?|taking|requires?|required|needs?|spent|finish(?:es|ed)?|"
    r"run(?:s|ning)?|ran|wall-?clock|gpu|tpu|cpu|machines?|epochs?)\b"
)
# Seconds and milliseconds are timings only next to a timing verb or "per image".
_TIMING_CUE = re.compile(
    r"(?i)\b(?:takes?|took|taking|requires?|required|requiring|costs?|spends?|needs?|runs? (?:at|in)|"
    r"processes|(?:processing|inference|running|run|testing|test|computation|decoding|conversion|step|"
    r"training) "
    r"(?:time|speed|cost)|"
    r"only|about|average of|within|in|at|was|is)\s+(?:\S+\s+){0,3}$"
)
_PER_ITEM = re.compile(r"(?i)^\s*(?:per|for each|each|to process)\b")
_EPOCH_CUE = re.compile(r"(?i)\b(?:per|each|an|one|every|single)\s+(?:training\s+)?(?:epoch|pass over)\b")
_STEP_CUE = re.compile(r"(?i)\b(?:mini\s*-\s*batch|batch|training step|step time|iterations?|per step)\b")
_INFERENCE_CUE = re.compile(
    r"(?i)\b(?:inference|test(?:ing)?|per (?:image|frame|sentence|sample|example|query|video)|decod(?:e|ing)|"
    r"predict(?:ion|s)?|evaluat(?:e|ion)|generat(?:e|ion)|"
    r"runtime|run time|latency|fps|forward pass|process)\b"
)
# Durations that are about data, schedules or the world, not the run.
_NOT_RUN = re.compile(
    r"(?i)\b(?:ago|old|years? old|annotat\w*|collect\w*|recorded|crowd\w*|workers?|participants?|"
    r"horizon|forecast|lead time|per day|daily(?! mail)|deadline|talks|videos|speech|audio|logs|traffic|"
    r"footage|real[- ]time|equivalent to)\b"
)
_DATA_AFTER = re.compile(
    r"(?i)^\s*(?:’|'s|’s|'|long\b|-\s*long|worth\b|periods?\b|-\s*to\s*-|"
    # "10 hours on the COCO dataset" is time spent on it; "100 hours speech dataset" is its size.
    r"dataset|data\b|(?!(?:for|on|with|using)\b)(?:[\w-]+\s+){0,4}?(?:training\s+)?(?:data|dataset|corpus)\b|"
    r"of\s+(?:[\w-]+\s+){0,5}?"
    r"(?:data|speech|audio|recordings?|videos?|footage|samples|talks|logs|traffic|experience|game\s*play|play))"
)
_SMALL_UNITS = ("ms", "millisecond", "s", "sec", "second")
_DATA_WORDS = re.compile(r"(?i)\b(?:datasets?|corpus|corpora|speech|audio|recordings?|train set|videos?)\b")
_HYPOTHETICAL_TIME = re.compile(
    r"(?i)\b(?:would|could|can|may|might)\s+(?:have\s+)?(?:taken|take|require|need)"
)
# "1 minute longer than", "1 minute for e.g. X": a difference or someone else's time.
_RELATIVE = re.compile(r"(?i)^\s*(?:longer|shorter|faster|slower|more|less|for e\.g\.)\b")


def _unit_key(unit: str) -> str:
    unit = unit.lower()
    if unit in ("ms", "s", "h", "min"):
        return unit
    unit = unit[:-1] if unit.endswith("s") else unit
    return {"mins": "min", "hrs": "hr"}.get(unit, unit)


def durations(sentence: Sentence) -> list[Fact]:
    """Wall-clock times of training, an epoch, a step or inference, in hours."""
    text = sentence.text
    if _HYPOTHETICAL_TIME.search(text):
        return []  # "would have taken about 140 hours": not a run that happened
    cued = _TRAIN_CUE.search(text) is not None or _INFERENCE_CUE.search(text) is not None
    facts = []
    for match in _DURATION.finditer(text):
        unit = _unit_key(match.group("unit") or match.group("word_unit"))
        if unit not in _UNIT_HOURS:
            continue
        numbers = _duration_numbers(match)
        if not numbers:
            continue
        small = unit in _SMALL_UNITS
        before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() : match.end() + 40]
        if small and _TIMING_CUE.search(before) is None and _PER_ITEM.search(after) is None:
            continue
        if not small and not cued:
            continue
        if unit in ("h", "s", "ms") and (re.search(r"-\s*$", before) or _glued_year(match)):
            continue  # "lecun - 98h", "the 1990s", "2000h of speech": not run times
        if _DATA_AFTER.search(after) or _NOT_RUN.search(_window(text, match, 30)) or _RELATIVE.search(after):
            continue
        if _DATA_WORDS.search(text) and (
            re.search(r"\(\s*(?:more than\s+|about\s+)?$", before)
            or (max(numbers) * _UNIT_HOURS[unit] >= 1000 and unit == "hour")
        ):
            continue  # "Common Voice 7.0 (9096 hours)", "5000 hours of raw speech": the size of a dataset
        scope = _duration_scope(text, match, small)
        for number in numbers:
            facts.append(_fact(sentence, match, "duration", number * _UNIT_HOURS[unit], "hours", scope=scope))
    return facts


def _glued_year(match: re.Match[str]) -> bool:
    number = match.group("num") or ""
    return number.isdigit() and int(number) >= 1000 and match.end("num") == match.start("unit")


def _duration_numbers(match: re.Match[str]) -> list[float]:
    """The numbers a duration match states: a range gives both ends, a list each item."""
    if match.group("word"):
        if match.group("word_unit").lower().startswith("second"):
            return []  # "a second patch", "a third of a second": not timings
        value = read_number(match.group("word"))
        return [] if value is None else [value]
    raws = re.findall(rf"(?<![\w.])({NUM})", match.group("list") or "")
    raws += [match.group("num")] + ([match.group("num2")] if match.group("num2") else [])
    return [v for v in map(read_number, raws) if v is not None and v > 0]


def _window(text: str, match: re.Match[str], width: int) -> str:
    return text[max(0, match.start() - width) : match.end() + width]


def _duration_scope(text: str, match: re.Match[str], small: bool) -> str:
    near = _window(text, match, 50)
    if _EPOCH_CUE.search(near):
        return "epoch"
    if _STEP_CUE.search(near) and re.search(r"(?i)train", near):
        return "other"
    inference = _INFERENCE_CUE.search(near)
    train = re.search(r"(?i)train|converge|learn", near)
    if (small and not train) or (inference and not train):
        return "inference"
    if train or _TRAIN_CUE.search(near) or re.search(r"(?i)\btrain", text):
        return "train"
    return "other"


# ---- chip-hours ----------------------------------------------------------------------------------

_CHIP_HOURS = re.compile(
    rf"(?P<num>{_DIGITS})\s*(?P<scale>{SCALE})?\s*(?P<chip>GPU|TPU|chip|core|accelerator|"
    r"(?:NVIDIA\s*)?(?:V100|A100|H100|P100|K80|TPU\s*v\d)|TPUv\d)s?\s*-?\s*(?P<unit>hours?|hrs?|days?|years?)\b",
    re.IGNORECASE,
)


def chip_hours(sentence: Sentence) -> list[Fact]:
    """ "672 GPU-hours", "16 TPU-days": converted to chip-hours, the chip family kept in the unit."""
    facts = []
    for match in _CHIP_HOURS.finditer(sentence.text):
        number = read_number(match.group("num"))
        if number is None:
            continue
        value = (
            number
            * scale_of(match.group("scale"))
            * {"h": 1, "d": 24, "y": 8766}[match.group("unit")[0].lower()]
        )
        family = "tpu" if "tpu" in match.group("chip").lower() else "gpu"
        chip = normalise_chip(match.group("chip"))
        facts.append(
            _fact(
                sentence,
                match,
                "chip_hours",
                value,
                f"{family}-hours",
                chip=chip if chip not in (None, "GPU", "TPU") else None,
            )
        )
    return facts


# ---- parameters ----------------------------------------------------------------------------------

_LIST_SEPARATOR = (
    r"(?:,(?!\s?\d{3}\b)\s*(?:and\s+)?|and|or|/|vs\.?|(?:up\s+)?to)"  # "from 60M to 3B parameters"
)
_LIST_NAME = r"(?:\([A-Za-z][^()]{0,30}\)\s*)?"  # "300M (MAGNET-small) and 1.5B (MAGNET-large) parameters"
_PARAMS = re.compile(
    rf"(?P<list>(?>(?<![\w.]){NUM}\s*{SCALE}?\s*{_LIST_NAME}{_LIST_SEPARATOR}\s*(?=\d))*+)"
    rf"(?<![\w.])(?P<num>{NUM}|(?:a|one)(?=\s+(?:million|billion)))\s*(?:-\s*)?(?P<scale>{SCALE})?\s*"
    rf"(?:\(\s*[MBK]\s*\)\s*)?{_LIST_NAME}(?:-\s*)?(?:(?:trainable|learnable|learned|free|model|network|total|tunable|"
    r"non-embedding|active|activated|weight)\s+)?"
    r"(?P<word>parameters|params|weights|"
    r"parameter(?=\s*-?\s*(?!updates?\b|servers?\b|space\b|sweeps?\b|search\b|settings?\b|sharing\b)[A-Za-z]))\b",
    re.IGNORECASE,
)
# "the total number of parameters learned by the network is 1,200,250"
_PARAMS_IS = re.compile(
    rf"(?i)\bparameters\b[^.;]{{0,45}}?\b(?:is|are|totals?|from)\s+(?:about|only|roughly|approximately|around)?\s*"
    rf"(?P<num>{NUM})\s*(?P<scale>{SCALE})?(?![\w%]|\.\d)"
)
_PARAMS_AFTER = re.compile(
    r"(?i)\b(?:number of (?:trainable |learnable |model )?parameters|"
    r"parameter count|params|parameters|model size)"
    rf"\s*(?:is|was|of|:|=|are|to|reaches|totals?|in total|"
    rf"\()?\s*(?:only|about|around|roughly|approximately|just|~|≈)?\s*"
    rf"(?P<num>{NUM})\s*(?P<scale>{SCALE})(?![\w%])"
)
_SIZE_MODEL = re.compile(
    rf"(?<![\w.])(?<![A-Za-z]\s-\s)(?<![A-Za-z]-)(?P<num>{NUM})\s*(?P<scale>[MBT])\b(?:\s*-\s*|\s+)"
    r"(?:param(?:eter)?s?\b\s*)?"
    r"(?:(?!tokens?\b)(?:[A-Za-z-]+\s+)?(?:models?|LLMs?|language models?|"
    r"networks?|transformers?|variants?|versions?|checkpoints?))\b"
)
_NOT_PARAM = re.compile(r"(?i)%|percent|hyper-?param|fewer|less|more|reduc|times|×|\bx\b|fraction")


def parameters(sentence: Sentence) -> list[Fact]:
    """Parameter counts: "213M parameters", "1.5 billion parameters", "a 7B model"."""
    text = sentence.text
    facts = []
    for match in _PARAMS.finditer(text):
        if match.group("word").lower() == "weights" and not match.group("scale"):
            continue
        after = text[match.end() : match.end() + 12]
        if re.match(r"\s*(?:%|percent)", after) or re.search(
            r"(?i)hyper\s*-?\s*$", text[: match.start("word")]
        ):
            continue
        numbers = [(match.group("num"), match.group("scale"))]
        listed = match.group("list") or ""
        numbers += re.findall(rf"(?<![\w.])({NUM})\s*({SCALE})?\s*{_LIST_NAME}{_LIST_SEPARATOR}", listed)
        for raw, scale in numbers:
            value = read_number(raw)
            if value is None or (match.group("scale") and not scale and raw != match.group("num")):
                continue  # "A = 32, 10.7B params": a bare number before a scaled one is something else
            value *= scale_of(scale or match.group("scale"))
            if value < 1000:
                continue
            facts.append(_fact(sentence, match, "parameters", value, "parameters"))
    for pattern in (_PARAMS_AFTER, _SIZE_MODEL, _PARAMS_IS):
        for match in pattern.finditer(text):
            value = read_number(match.group("num"))
            if value is None or _NOT_PARAM.search(text[match.end() : match.end() + 3]):
                continue
            value *= scale_of(match.group("scale"))
            if value >= 1000 and not any(abs(f.value - value) < 1e-6 * value for f in facts if f.value):
                facts.append(_fact(sentence, match, "parameters", value, "parameters", confidence=0.7))
    return facts


# ---- FLOPs ---------------------------------------------------------------------------------------

_FLOP_PREFIX = {"": 1.0, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_FLOPS = re.compile(
    rf"(?<![\w.])(?P<num>{NUM})(?:\s*(?:x|×|\*|·)\s*10\s*(?:\^|\*\*)?\s*(?P<exp>[-−]?\s?\d{{1,2}}))?"
    rf"(?:\s*[eE](?P<eexp>[-+]?\d{{1,2}}))?"
    rf"\s*(?P<scale>{SCALE})?\s*(?P<prefix>[KMGTPE])?\s*-?\s*"
    r"(?P<unit>FLOPs|FLOPS|FLOP|flops|MACs|MAC|MAdds|Mult-Adds|multiply-adds|multiply-accumulates|PF-days|petaflop(?:/s)?-days)\b",
)
_FLOPS_AFTER = re.compile(
    rf"(?P<unit>FLOPs|FLOPS|MACs|Mult-Adds|MAdds)\s*(?:of|is|are|:|=)\s*(?:only|about|around|roughly|~)?\s*"
    rf"(?P<num>{NUM})\s*(?P<prefix>[KMGTPE])\b"
)
_RATE = re.compile(r"(?i)^\s*(?:/\s*s|per\s+second|/sec)|peak|throughput|tflops of|achiev\w+ \S+ tflops")


def flops(sentence: Sentence) -> list[Fact]:
    """FLOP counts of training or of one inference; MACs kept as MACs; FLOP/s rates skipped."""
    text = sentence.text
    facts = []
    for pattern in (_FLOPS, _FLOPS_AFTER):
        for match in pattern.finditer(text):
            if _RATE.search(text[match.end() : match.end() + 12]) or re.search(
                r"(?i)peak|per second|throughput", _window(text, match, 30)
            ):
                continue
            number = read_number(match.group("num"))
            if number is None:
                continue
            groups = match.groupdict()
            exponent = groups.get("exp") or groups.get("eexp")
            if exponent:
                number *= 10.0 ** int(exponent.replace("−", "-").replace(" ", ""))
            number *= scale_of(groups.get("scale")) * _FLOP_PREFIX[(groups.get("prefix") or "").upper()]
            unit_word = match.group("unit").lower()
            if "day" in unit_word:
                number *= 1e15 * 86_400
            unit = "MAC" if ("mac" in unit_word or "mult" in unit_word or "madd" in unit_word) else "FLOP"
            per_item = _PER_ITEM.search(text[match.end() : match.end() + 20]) is not None
            trained = re.search(r"(?i)train", _window(text, match, 30)) is not None
            kind = "training" if number >= 1e15 or (trained and not per_item) else "per_inference"
            if number < 1e3:
                continue
            facts.append(_fact(sentence, match, "flops", number, unit, scope=kind))
    return facts


# ---- tokens --------------------------------------------------------------------------------------

_TOKENS = re.compile(
    rf"(?<![\w.])(?P<num>{NUM})\s*(?P<scale>{SCALE})\s*(?:-\s*)?(?:training\s+|text\s+|high-quality\s+)?tokens\b",
    re.IGNORECASE,
)
_TOKEN_CUE = re.compile(r"(?i)train|pre-?train|corpus|budget|consum|see[ns]?|on\s+\S+\s+\S*\s*tokens")
_NOT_TOKENS = re.compile(r"(?i)context|window|sequence length|per (?:second|step|batch)|prompt|vocab")


def tokens(sentence: Sentence) -> list[Fact]:
    """Training-set sizes in tokens stated as a compute budget: "trained on 2T tokens"."""
    text = sentence.text
    if _TOKEN_CUE.search(text) is None:
        return []
    facts = []
    for match in _TOKENS.finditer(text):
        value = read_number(match.group("num"))
        if value is None or _NOT_TOKENS.search(_window(text, match, 25)):
            continue
        value *= scale_of(match.group("scale"))
        if value >= 1e6:
            facts.append(_fact(sentence, match, "tokens", value, "tokens"))
    return facts


# ---- the extractor -------------------------------------------------------------------------------


def _fact(
    sentence: Sentence,
    match: re.Match[str],
    kind: str,
    value: float | None,
    unit: str | None,
    *,
    confidence: float = 0.8,
    **fields: object,
) -> Fact:
    return Fact(
        kind=kind,
        value=None if value is None else float(f"{value:.10g}"),  # 1.037 x 1e6 is 1037000, not 1036999.99
        unit=unit,
        what=match.group(0).strip(),
        evidence=sentence.text.strip(),
        start=sentence.start + match.start(),
        end=sentence.start + match.end(),
        confidence=confidence,
        **fields,  # type: ignore[arg-type]
    )


_CONTRAST_OWN = re.compile(r"(?i)\b(?:whilst|while|whereas)\s+(?:our|we)\b")

_RULES = (hardware, durations, chip_hours, parameters, flops, tokens)


def extract_facts(text: str, location: str = "full_text") -> list[Fact]:
    """Every own-compute statement in a text, deduplicated per kind and value (first mention kept)."""
    facts: list[Fact] = []
    seen: set[tuple[object, ...]] = set()
    # One pass finds where cues are; only sentences holding one are read (most hold none).
    cues = [m.start() for m in _TRIGGER.finditer(text)]
    if not cues:
        return facts
    for sentence in sentences(text):
        at = bisect_left(cues, sentence.start)
        if at == len(cues) or cues[at] >= sentence.end or _is_others(sentence):
            continue
        # "X takes 0.435 s per frame whilst our model takes 0.038 s": what comes before "whilst our"
        # is someone else's.
        contrast = _CONTRAST_OWN.search(sentence.text)
        own_from = sentence.start + contrast.start() if contrast else sentence.start
        for rule in _RULES:
            for fact in rule(sentence):
                if fact.start < own_from:
                    continue
                key = (
                    fact.kind,
                    fact.chip,
                    fact.count if fact.kind == "hardware" else None,
                    _rounded(fact.value),
                    fact.scope,
                )
                if key in seen:
                    continue
                seen.add(key)
                facts.append(replace(fact, location=location) if location != "full_text" else fact)
    return one_per_device(facts)


def one_per_device(facts: list[Fact]) -> list[Fact]:
    """A paper that names its hardware several times reports it once: "8 NVIDIA P100 GPUs" makes a
    later "the P100s" and "eight GPUs" the same fact, not new ones. Dropped: a chip's count-less
    mention when the chip has a counted one, and an unnamed "GPU" when a named GPU covers it."""
    hardware = [f for f in facts if f.kind == "hardware"]
    chips_with_count = {f.chip for f in hardware if f.count is not None}
    named_gpu_counts = {f.count for f in hardware if f.chip in _NAMED_GPUS}

    def redundant(fact: Fact) -> bool:
        if fact.kind != "hardware":
            return False
        if fact.count is None and fact.chip in chips_with_count:
            return True
        return (
            fact.chip == "GPU"
            and bool(named_gpu_counts)
            and (fact.count is None or fact.count in named_gpu_counts)
        )

    return [f for f in facts if not redundant(f)]


_NAMED_GPUS = frozenset(name for name, spec in SPECS.items() if spec.kind == "gpu") - {"GPU"}


def _rounded(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.4g}")


def as_record(paper_id: str, facts: list[Fact]) -> dict[str, object]:
    """The batch interface's line: `{"id", "hardware", "durations", "chip_hours", "parameters",
    "flops", "tokens"}`, each item with its evidence and offsets."""

    def evidence(fact: Fact) -> dict[str, object]:
        return {"evidence": fact.what, "sentence": fact.evidence, "start": fact.start, "end": fact.end}

    record: dict[str, object] = {
        "id": paper_id,
        "hardware": [
            {"chip": f.chip, "count": _int(f.count), **evidence(f)} for f in facts if f.kind == "hardware"
        ],
        "durations": [
            {"hours": _significant(f.value), "scope": f.scope, **evidence(f)}
            for f in facts
            if f.kind == "duration"
        ],
        "chip_hours": [
            {"value": f.value, "unit": f.unit, **evidence(f)} for f in facts if f.kind == "chip_hours"
        ],
        "parameters": [{"value": _int(f.value), **evidence(f)} for f in facts if f.kind == "parameters"],
        "flops": [
            {"value": f.value, "kind": f.scope, "unit": f.unit, **evidence(f)}
            for f in facts
            if f.kind == "flops"
        ],
        "tokens": [{"value": f.value, **evidence(f)} for f in facts if f.kind == "tokens"],
    }
    record["none_reported"] = not facts
    return record


def _significant(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")


def _int(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
