"""The twenty labels leanwatch tags papers with: definitions, what belongs elsewhere, and cue phrases.

A label applies when the paper's own contribution proposes, applies as a central ingredient, or
centrally studies the technique or theme; a passing mention does not count. The definitions follow
the project's taxonomy (../shared/TAXONOMY.md) and are shown to users in docs/taxonomy.md.

`cues` are the phrases the labelling functions look for (RE2 regular expressions, case-insensitive,
so no lookarounds).
They are written from the definitions, as evidence that a paper is *about* the label; where a
phrase sits (title, a contribution sentence, repeated) decides whether it counts (analysis.rules).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    name: str
    kind: str  # technique or evaluation
    definition: str
    elsewhere: str  # what looks similar but belongs to another label (or none)
    cues: tuple[str, ...]
    # Cues that only count in a title ("... Dataset", "FooBench"): in an abstract they say too little.
    title_cues: tuple[str, ...] = ()
    # Word beginnings that, on any word the cue captured before its own ("visual token pruning"),
    # make the phrase name something else.
    not_after: tuple[str, ...] = ()
    # Bare words that stop counting once the same text names a look-alike ("pruning" in a paper about
    # token pruning is the token pruning again, not weight pruning).
    bare: tuple[str, ...] = ()


LABELS: tuple[Label, ...] = (
    Label(
        "quantization",
        "technique",
        "Lower numeric precision of weights, activations, gradients or the KV cache: post-training "
        "quantization, quantization-aware training, low-bit (INT8/INT4/FP8), binary or ternary networks.",
        "Quantizing only the KV cache is also kv_cache. Vector quantization used as a modelling "
        "component (VQ-VAE tokenizers) is not compression and does not count.",
        (
            r"(?:vector[- ]|residual[- ]|product )?quantiz(?:e|ed|ation|ing)",
            # Not a codec's "low bit-rate" or "low-bitrate".
            r"low[- ]bits?(?:$|[^-\w])|low[- ]bit[- ]?width",
            r"\b(?:[1-8]|sub-?[1-4])[- ]?bits?\b",
            r"\b(?:int[48]|fp[48]|w[48]a(?:[48]|16)|nf4|mxfp4)\b",
            r"binar(?:y|ized) (?:neural )?networks?",
            r"ternary (?:weights?|networks?)",
            r"\bptq\b|\bqat\b",
        ),
        not_after=("vector", "residual", "product"),
        bare=("quantization", "quantize", "quantized", "quantizing"),
    ),
    Label(
        "pruning",
        "technique",
        "Removing weights, neurons, channels, heads, layers or experts; structured or unstructured "
        "sparsity of model weights; sparse training for compression.",
        "Removing input tokens is token_reduction. Sparse attention patterns are efficient_attention.",
        (
            r"(?:(?:visual |vision |kv |context |prompt |scene |graph |search |tree |data |dataset )?"
            r"(?:tokens?|cache|graphs?|paths?|data|dataset|nodes?|edges?) )?prun(?:e|ed|ing)\b",
            r"(?:structured|unstructured|semi-structured|n:m|2:4) sparsity",
            r"weight sparsity|sparse (?:llms?|networks?|models?)\b",
            r"lottery ticket",
            r"(?:layer|head|channel|expert) (?:removal|dropping)",
        ),
        not_after=("token", "cache", "graph", "path", "data", "node", "edge"),
        bare=("prune", "pruned", "pruning"),
    ),
    Label(
        "distillation",
        "technique",
        "Knowledge distillation from a teacher to a student; distilling a large model's capability "
        "(including reasoning traces) into a smaller one; self-distillation used for compression or "
        "transfer.",
        "Dataset distillation (condensing a training set) is data_efficiency. Fine-tuning on another "
        "model's outputs only counts when transferring that model's capability is the point.",
        (
            r"(?:dataset |data )?distill(?:s|ed|ing|ation)?\b",
            r"teacher[- ](?:student|model)",
            r"student models?",
        ),
        not_after=("data",),
    ),
    Label(
        "peft",
        "technique",
        "Parameter-efficient fine-tuning: LoRA and its variants, adapters, prefix and prompt tuning, "
        "BitFit, training only a small subset of parameters.",
        "Low-rank compression of the weights themselves is low_rank; a LoRA used only as a tool in "
        "passing does not count.",
        (
            r"\b(?:q|do|ada|lo)ra\b",
            r"low[- ]rank adapt(?:ation|er)s?",
            r"parameter[- ]efficient(?: fine[- ]?tuning)?",
            r"\bpeft\b",
            r"adapter[- ](?:tuning|based (?:fine-?)?tuning)|lightweight adapters?|adapter modules?",
            r"(?:prefix|prompt)[- ]tuning",
            r"\bbitfit\b|(?:few|small number of|fraction of the) (?:tunable|trainable) parameters",
            r"(?:tun\w*|updat\w*|train\w*) only (?:a |the )?(?:small )?(?:subset|fraction|number) of "
            r"(?:the )?(?:parameters|weights|neurons)",
            r"adapters? (?:on|to|into|for) (?:a |the )?frozen"
            r"|frozen [\w-]+(?: \w+)? (?:with|using|via) (?:lightweight )?adapters?",
        ),
    ),
    Label(
        "low_rank",
        "technique",
        "Low-rank factorisation or decomposition of weights or activations for compression (SVD, "
        "tensor decomposition).",
        "LoRA fine-tuning alone is peft. Low-rank attention approximations are efficient_attention.",
        (
            r"low[- ]rank (?:decomposition|factori[sz]ation|approximation|compression|projection|structure)",
            r"singular value decomposition|\bsvd\b",
            r"tensor (?:decomposition|train|network) (?:compression|decomposition|format)",
            r"tensor decomposition",
        ),
    ),
    Label(
        "mixture_of_experts",
        "technique",
        "Sparse mixture-of-experts, expert routing, conditional computation through experts.",
        "Dynamic depth or early exit without experts is early_exit; ensembles are not experts.",
        (
            r"mixture[- ]of[- ]experts?",
            r"\bmoe\b",
            r"expert (?:routing|parallelism|selection)",
            r"sparse experts?",
        ),
    ),
    Label(
        "efficient_attention",
        "technique",
        "Sub-quadratic or cheaper attention (linear, sparse, sliding-window, low-rank attention), "
        "FlashAttention-style IO-aware kernels, state-space or recurrent alternatives motivated by "
        "efficiency, long-context efficiency.",
        "Managing the KV cache is kv_cache. Dropping tokens is token_reduction.",
        (
            r"(?:linear|sparse|sliding[- ]window|local|efficient|hybrid) attention",
            r"sub-?quadratic",
            r"flash[- ]?attention",
            r"quadratic (?:complexity|cost)",
            r"linear[- ](?:time[- ])?complexity|\brwkv\b|linear recurren(?:ce|t)",
        ),
    ),
    Label(
        "kv_cache",
        "technique",
        "Compressing, evicting, quantizing, sharing, offloading or otherwise managing the KV cache.",
        "Quantizing the weights is quantization; a serving engine's scheduler is efficient_serving.",
        (
            r"\bkv[- ]?cach(?:e|es|ing)\b",
            r"key[- ]value (?:\(kv\) )?cach(?:e|es|ing)",
            r"kv (?:eviction|compression|memory|budget)",
        ),
    ),
    Label(
        "speculative_decoding",
        "technique",
        "Draft-and-verify speculative decoding; parallel, multi-token, lookahead or Jacobi decoding "
        "to speed up generation.",
        "Diffusion language models' parallel generation counts only when decoding speed is the point.",
        (
            r"speculative (?:decoding|sampling|generation|inference)",
            r"draft (?:model|tokens?)",
            r"draft[- ](?:and|then)[- ]verify",
            r"multi[- ]token prediction",
            r"(?:lookahead|jacobi|parallel) decoding",
        ),
    ),
    Label(
        "token_reduction",
        "technique",
        "Fewer tokens to process: prompt or context compression, token pruning or merging "
        "(including vision tokens), shorter or efficient reasoning chains, adaptive token budgets.",
        "Removing model weights is pruning; evicting cached keys and values is kv_cache.",
        (
            r"token (?:pruning|merging|reduction|compression|dropping|selection|budget)",
            r"(?:prompt|context) compression",
            r"(?:visual|vision|image) tokens?",
            r"efficient reasoning|overthinking|reasoning (?:length|efficiency)",
            r"(?:shorter|concise) (?:reasoning|chains?)",
            r"compress(?:ed|es|ing)? (?:the )?(?:prompt|context|chain[- ]of[- ]thought|reasoning)",
            r"token (?:overhead|usage|consumption|efficiency)|fewer (?:output |reasoning )?tokens",
            r"(?:reasoning|chain[- ]of[- ]thought|cot) (?:cost|overhead|tokens)",
        ),
    ),
    Label(
        "efficient_serving",
        "technique",
        "Inference systems and deployment efficiency: serving engines, batching and scheduling, "
        "memory management, offloading, kernels and compilers, hardware-aware inference, edge, "
        "on-device and mobile deployment, inference latency or energy as the central goal.",
        "A faster decoding algorithm is speculative_decoding; a smaller model is the compression label.",
        (
            r"(?:llm|model|inference) serving|serving (?:system|engine|framework|llms?)",
            r"inference (?:engine|system|framework|runtime|acceleration)",
            r"accelerat(?:e|es|ing) (?:llm |model |the )?inference",
            r"on-device|edge devices?|mobile devices?|\bedge (?:inference|deployment|ai|computing)\b",
            r"deploy(?:ment|ing|ed)? on (?:edge|mobile|resource[- ]constrained|embedded)",
            r"(?:gpu|cuda|triton|fused) kernels?|\bcompiler\b|offloading|hardware[- ]aware",
            r"\b(?:npus?|fpgas?|accelerators?)\b",
            r"(?:continuous|dynamic) batching|request scheduling",
        ),
    ),
    Label(
        "efficient_training",
        "technique",
        "Cheaper or faster training: memory-efficient optimizers, mixed-precision training, gradient "
        "checkpointing, parallelism and communication efficiency, compute-optimal training or "
        "scaling laws about compute budgets, federated or communication-efficient training when "
        "efficiency is the point.",
        "Fine-tuning few parameters is peft; selecting less data is data_efficiency.",
        (
            r"(?:memory|compute|communication|training)[- ]efficien(?:t|cy)",
            r"training (?:cost|time|throughput|speed)",
            r"compute[- ]optimal|iso-?flops?|scaling laws?[^.]{0,40}(?:compute|flops?|budget)"
            r"|(?:compute|flops?|budget)[^.]{0,40}scaling laws?",  # scaling laws of anything else are not
            r"mixed[- ]precision training|gradient checkpointing|activation checkpointing",
            r"(?:pipeline|tensor|data|model|sequence) parallelism",
            r"(?:optimizer|optimiser) states?",
            r"(?:faster|accelerat\w*|speed(?:s|ing)?[- ]?up)\s+(?:the\s+)?(?:\w+\s+)?"
            r"(?:training|pre-?training|convergence)",
            r"training (?:speed-?ups?|acceleration)"
            r"|\d+(?:\.\d+)?\s*[x×] (?:faster )?(?:training|convergence)",
            r"distributed training|hybrid parallelism|upcycl(?:e|ed|ing)",
            # "efficient and effective training", "efficient LLM pretraining"; not parameter- or
            # data-efficient training, which are peft and data_efficiency
            r"(?:(?:parameter|data|sample)-)?efficient (?:and [\w-]+ )?(?:[\w-]+ ){0,2}?(?:pre-?)?training"
            r"(?:$|[^-\w])",  # not "training-free"
        ),
        not_after=("parameter-", "data-", "sample-"),
    ),
    Label(
        "data_efficiency",
        "technique",
        "Data selection, pruning, filtering, deduplication, curation or mixing for cheaper or better "
        "training; learning from far less data as the central claim; synthetic data generation whose "
        "purpose is cheaper training data.",
        "Few-shot prompting at inference is not training-data efficiency.",
        (
            r"data (?:selection|pruning|filtering|curation|mixture|mixing|efficien(?:t|cy))",
            r"data[- ]efficient",
            r"(?:dataset|data) distillation|dataset condensation|coreset",
            r"deduplicat(?:e|ion)",
            r"(?:fraction|subset|\d+(?:\.\d+)?%) of (?:the )?(?:training )?data",
            r"data synthesis|synthetic (?:training )?data|label[- ]efficien(?:t|cy)|active learning",
            r"annotation (?:cost|effort|budget)",
        ),
    ),
    Label(
        "early_exit",
        "technique",
        "Dynamic or adaptive computation at inference: early exiting, layer skipping, dynamic depth "
        "or width, adaptive compute per input.",
        "Routing tokens to experts is mixture_of_experts; shortening the output is token_reduction.",
        (
            r"early[- ]exit(?:ing|s)?",
            r"layer[- ]skip(?:ping)?|skip(?:ping)? layers",
            r"dynamic (?:depth|width|computation|inference)",
            r"adaptive (?:computation|compute|depth|inference)",
        ),
    ),
    Label(
        "safety",
        "evaluation",
        "Safety and alignment to avoid harm: jailbreaks, red-teaming, harmful content, guardrails, misuse.",
        "General preference alignment for helpfulness is not safety unless harm is the point.",
        (
            r"jailbreak(?:s|ing)?",
            r"red[- ]teaming",
            r"\bharm(?:ful|fulness|less|s)?\b",
            r"hate speech|cyberbullying|detoxif(?:y|ication)",
            r"\bsafety\b|\bunsafe\b",
            r"guardrails?|misuse|toxic(?:ity)?",
            r"(?:prompt|backdoor) (?:injection|attacks?)",
            r"unlearning|watermark(?:s|ing)?|deepfakes?|social bias(?:es)?",
        ),
    ),
    Label(
        "factuality",
        "evaluation",
        "Hallucination, factual accuracy, truthfulness, grounding and attribution, faithfulness of "
        "generated text.",
        "Retrieval-augmented generation counts only when grounding or hallucination is the focus.",
        (
            r"hallucinat(?:e|es|ed|ion|ions|ing)",
            r"factual(?:ity| accuracy| consistency| errors?)",
            r"truthful(?:ness)?",
            r"faithfulness|groundedness|fact[- ]?check(?:ing)?|fact verification",
        ),
    ),
    Label(
        "robustness",
        "evaluation",
        "Robustness to distribution shift, out-of-distribution generalisation, adversarial attacks "
        "and defences, noise and corruption robustness.",
        "Jailbreaks are safety; a method that is merely 'robust' in passing does not count.",
        (
            r"robustness (?:to|against|of|under|evaluation|benchmark)|(?:adversarial|certified) robustness",
            r"adversarial (?:attacks?|examples?|perturbations?|training|defen[cs]es?)",
            r"out[- ]of[- ]distribution (?:generali[sz]ation|detection|robustness)",
            r"distribution(?:al)? shifts?|domain shifts?|label shift",
            r"(?:common |image |natural )?corruptions",
            r"robust (?:to|against) |-robust\b|backdoor(?:s| attacks?| defen[cs]es?)?",
            r"generali[sz](?:e|es|ation|ing) to unseen "
            r"(?:domains?|regions?|environments?|datasets?|centers?)",
            r"domain generali[sz]ation|out[- ]of[- ]domain"
            r"|(?:unsupervised |source[- ]free )?domain adaptation",
        ),
    ),
    Label(
        "contamination",
        "evaluation",
        "Benchmark contamination, train/test leakage, benchmark gaming or overfitting to benchmarks, "
        "memorisation of test sets.",
        "Privacy memorisation of training data is not contamination unless test data is the point.",
        (
            r"contaminat(?:ed|ion)",
            r"(?:data|test[- ]set|benchmark) leakage",
            r"memori[sz](?:ation|ed|es)",
            r"benchmark (?:gaming|overfitting|saturation)",
            r"(?:train(?:ing)?|test)[- ](?:test|train(?:ing)?) overlap",
        ),
    ),
    Label(
        "reproducibility",
        "evaluation",
        "Reproducibility and replication studies, reporting standards, variance across seeds or "
        "configurations, open evaluation configurations, auditing of claimed results.",
        "Releasing code with a method paper is not by itself a reproducibility study.",
        (
            r"reproduc(?:ibility|ible|tion study)|irreproducib",
            r"replicat(?:ion|e|ing) (?:study|studies|of|the)",
            r"(?:random )?seeds?\b|run-to-run variance",
            r"reporting (?:standards|practices)",
        ),
    ),
    Label(
        "benchmark",
        "evaluation",
        "The paper introduces a new benchmark, an evaluation dataset, or an evaluation methodology or "
        "metric as its main contribution.",
        "Evaluating a method on existing benchmarks does not count.",
        (
            r"(?:new|novel|comprehensive|challenging|large-scale)? ?benchmark\b",
            r"evaluation (?:suite|framework|protocol|methodology|metric)",
            r"(?:new|novel|first|large-scale|public) (?:dataset|corpus|metric)",
            r"(?:introduce|present|release|construct|build|curate|propose)s? "
            r".{0,60}(?:dataset|corpus|benchmark)",
            r"test ?bed|leaderboard",
        ),
        title_cues=(r"[a-z]bench\b", r"\bdataset\b", r"\bcorpus\b", r"^evaluating\b", r"\bbenchmarking\b"),
    ),
)

LABEL_NAMES: tuple[str, ...] = tuple(label.name for label in LABELS)
TECHNIQUES = tuple(label.name for label in LABELS if label.kind == "technique")
EVALUATION_THEMES = tuple(label.name for label in LABELS if label.kind == "evaluation")
BY_NAME = {label.name: label for label in LABELS}
LABEL_INDEX = {name: index for index, name in enumerate(LABEL_NAMES)}


def markdown() -> str:
    """The user docs' taxonomy page (docs/taxonomy.md), generated so it never drifts from the code."""
    lines = [
        "# Taxonomy",
        "",
        "leanwatch tags each paper with any of twenty labels: fourteen efficiency techniques and six",
        "evaluation themes. A label applies when the paper's own contribution proposes, applies as a",
        'central ingredient, or centrally studies the technique or theme; a passing mention ("unlike',
        'distillation methods, ...", "we evaluate on a benchmark") does not count. Most papers get no',
        "label; some get one to three.",
        "",
        "Generated from `analysis/taxonomy.py`: `python -m analysis.taxonomy > docs/taxonomy.md`.",
    ]
    for kind, heading in (("technique", "Efficiency techniques"), ("evaluation", "Evaluation themes")):
        lines += ["", f"## {heading}", ""]
        for label in LABELS:
            if label.kind == kind:
                lines += [f"- **{label.name}**: {label.definition}", f"  Not this label: {label.elsewhere}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
