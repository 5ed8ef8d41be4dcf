"""Claims an experiment can test: which ones, the runs a test needs, and the contrast it predicts.

The program decides, not the model. A claim is screened first, with no model call: it must compare
something (better, worse, than, a gap), may name only languages the worker has data for, and must not be
about a named method (SALT, "our approach": the worker implements plain fine-tuning and nothing else) or a
model the worker does not have (mBERT, XLM-R, GPT-4: it fine-tunes multilingual-e5-small). The model then
reads the comparison the claim predicts (`ClaimTestProposal`: which languages do better, which worse, and in
what role), and the program checks that reading against the claim's own words before it becomes a test:

- target_languages: one run from English, evaluated on both groups; predicts mean acc(better) > mean
  acc(worse).
- source_languages: one run trained on each source language, all evaluated on the same other languages X
  (each run also evaluates the other sources, so every run drops the same untranslated items); predicts
  mean over X of acc(better -> X) > acc(worse -> X).
- training_size: runs from English on a small and a large training sample; predicts the gap acc(en) -
  mean acc(X) is smaller with more data.
- the transfer gap (XTREME's measure: English minus the mean over the other languages) is the target-language
  shape with English the better side: a claim that transferred models fall short of English, naming no
  other language, is compared against the task's spread of targets (`TARGETS`).

Every prediction is a linear contrast over (run, language) accuracies (`ClaimTest.terms`), measured by the
paired bootstrap of `agent/experiments/contrast.py`.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.errors import AgentError
from agent.records import ClaimTestProposal, VerifiedClaim
from prompts import render
from tools.experiments.spec import SMALL_MODEL_LEARNING_RATE, TASK_LANGUAGES, ExperimentSpec, parse_spec
from tools.llm.base import InvalidModelOutput

LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "spanish": "es", "german": "de", "greek": "el", "bulgarian": "bg",
    "russian": "ru", "turkish": "tr", "arabic": "ar", "vietnamese": "vi", "thai": "th", "chinese": "zh",
    "mandarin": "zh", "hindi": "hi", "swahili": "sw", "urdu": "ur", "japanese": "ja", "korean": "ko",
}
# XNLI's lowest- and highest-resource languages by pretraining data (CC-100 sizes, Conneau et al. 2020)
LOW_RESOURCE = ("sw", "ur")
HIGH_RESOURCE = ("fr", "es", "de", "ru", "zh")
# typologically distant from English (script and family), and close to it
DISTANT = ("ar", "th", "hi", "zh")
CLOSE = ("fr", "es", "de")
_LOW = re.compile(r"\b(low|lower|under)[- ]resource|resource[- ](lean|poor|scarce)", re.I)
_DISTANT = re.compile(r"\bdistant languages|\btypologically distant|\bdissimilar languages", re.I)
_WEAKER = re.compile(r"less effective|weaker|worse|lower|drops?|degrad\w*|lags?|falls? short", re.I)
_OTHER_SOURCES = re.compile(r"\bother\b.*\blanguages\b.*\btransfer (more|better)|\bbetter (source|transfer) "
                            r"languages?|\bsource languages? other than English", re.I)
# evaluation languages of a source-language test, chosen for spread (scripts and families), sources removed
TARGETS = {"xnli": ("fr", "bg", "ar", "hi", "sw", "zh"), "pawsx": ("de", "es", "fr", "ja", "ko", "zh")}
OTHER_LANGUAGES = re.compile(
    r"\b(yoruba|igbo|hausa|amharic|zulu|xhosa|somali|tamil|telugu|bengali|marathi|nepali|gujarati|punjabi|"
    r"indonesian|malay|tagalog|filipino|persian|farsi|hebrew|finnish|estonian|hungarian|basque|italian|"
    r"portuguese|dutch|polish|czech|romanian|ukrainian|kazakh|uzbek|burmese|khmer|lao|quechua|guarani|"
    r"wolof|kinyarwanda|luganda|maori|welsh|irish|icelandic|tibetan|uyghur|mongolian|georgian|armenian)\b", re.I)
MODELS = re.compile(r"\b(LLMs?|[Ll]arge language models?|m-?BERT|multilingual BERT|"
                    r"XLM-?R(?:oBERTa)?(?:-\w+)?|XLM|mT5|mBART|BLOOMZ?|LLaMA\S*|"
                    r"Llama\S*|GPT-?\d\S*|ChatGPT|InfoXLM|RemBERT|LaBSE|MuRIL|IndicBERT|AfriBERTa|Glot500|mDeBERTa|"
                    r"BERT|RoBERTa|T5)\b")
_NOT_METHODS = {"XNLI", "PAWS-X", "PAWSX", "XTREME", "XTREME-R", "MLQA", "XQUAD", "TYDIQA", "TYDI", "NER", "POS",
                "UD", "WIKIANN", "STS", "NLI", "QA", "MT", "NMT", "LLM", "LLMS", "LM", "LMS", "PLM", "PLMS", "MLM",
                "NLP", "CC-100", "CC100", "SOTA", "AI"}
# a benchmark's name (AmericasNLI, NusaX, MasakhaNER, XCOPA, TyDi QA), or a name the claim calls a dataset
_DATASET_NAME = re.compile(r"\b(?:[A-Z]\w*(?:NLI|QA|NER|POS|X|COPA|GLUE|Bench)|X[A-Z]{3,}\w*)\b|"
                           r"\b[A-Z][\w\-]*(?= (?:dataset|benchmark|corpus|test set)s?\b)")
_WORKER_DATASETS = {"XNLI", "PAWS-X", "PAWSX", "NLI", "XTREME", "XTREME-R"}  # XTREME holds both
_METHOD_NAME = re.compile(r"\b(?:[A-Z][a-z]*[A-Z][\w\-]*|[A-Z]{3,}[\w\-]*|[A-Za-z]+-[A-Z]\w*)\b")
# a word capitalised to spell an acronym ("Cross-lingual TRansfer Evaluation ... XTREME"), not a name
_ACRONYM_SPELLING = re.compile(r"^[A-Z]{2}[a-z]+$")
_METHOD_CUE = re.compile(r"\b(our|we propose|proposed|the proposed|novel|this (method|approach|framework))\b", re.I)
_COMPARISON = re.compile(r"\b(better|worse|more effective(ly)?|less effective(ly)?|higher|lower|weaker|stronger|"
                         r"outperform\w*|exceed\w*|surpass\w*|gaps?|drops?|degrad\w*|harder|easier|narrow\w*|"
                         r"shrink\w*|than|best|worst|most|least)\b", re.I)
_GAP_TO_ENGLISH = re.compile(r"\b(gap|falls? short|lags?( behind)?|drops?|lower|weaker|below|worse)\b", re.I)
_TRANSFERRED = re.compile(r"cross-?lingual(ly)?|transfer\w*|zero-?shot|other languages|non-English", re.I)
# tasks a claim may name that the worker does not run: its test covers the claim's XNLI/PAWS-X part only
_OTHER_TASKS = re.compile(r"\b(syntactic|structured prediction|(sentence )?retrieval|question answering|QA|NER|"
                          r"named entity|POS|part-of-speech|(dependency )?parsing|tagging|summari[sz]ation|"
                          r"translation|generation|reasoning)\b", re.I)
_TASKS = {"xnli": re.compile(r"\bxnli\b|natural language inference|\bnli\b", re.I),
          "pawsx": re.compile(r"paws-?x|paraphrase", re.I)}
CLAIM_TEST_SEEDS = 3
# The CPU default, chosen to separate languages: every training item of the split (1,245 for XNLI), batch 16.
# Measured 2026-12-07, seed 1, e5-small on 2 cores: at 600 items, batch 32, lr 6e-5 (the earlier default)
# English reached 0.49 and every language sat within 5 points of it, so no claim could come out either way;
# batch 16 and lr 1e-4 gave 0.54 at 600 items and 0.67 at 1,245 (fr 0.58, hi 0.56, sw 0.54). About 8 minutes
# of training and 2 of evaluation a seed on 2 cores; a GPU backend makes it seconds.
CLAIM_TEST_DEFAULTS = {
    "seeds": [1, 2, 3],
    "hyper_parameters": {"epochs": 3, "max_length": 96, "batch_size": 16, "per_device_batch_size": 16},
    "data": {"max_train_examples": None, "max_eval_examples": 500},
}
SMALL_MODEL_CLAIM_TEST_LEARNING_RATE = 1e-4  # where the spec would take the small encoder's default rate
SMALL_TRAINING, LARGE_TRAINING = 150, 1000  # training_size: the two samples compared (PAWS-X has ~1k train items)
MAX_CLAIM_TESTS = 3  # tests a run proposes at most (each is minutes of CPU a seed)
MAX_READINGS = 6  # claims past the screen that the model reads at most
SCALE = ("a small multilingual encoder fine-tuned on about a thousand dev items for a few epochs: this tests "
         "the direction of the claim, not its numbers")


class NotTestable(BaseModel):
    claim_id: str
    claim: str
    reason: str


class ClaimTest(BaseModel):
    """The runs that test one claim and the contrast its prediction is: effect = sum of weight x accuracy."""

    claim_id: str
    claim: str
    comparison: str
    prediction: str = Field(description="what the claim predicts, e.g. acc(de->X) > acc(en->X) over X = fr, ar")
    runs: list[ExperimentSpec]
    labels: list[str] = Field(description="one per run, e.g. 'trained on de'")
    terms: list[tuple[int, str, float]] = Field(description="(run index, language, weight)")
    scale: str = SCALE


def named_languages(text: str) -> set[str]:
    """The worker's languages a text names, by name ("Swahili") or by group ("low-resource languages")."""
    codes = {code for name, code in LANGUAGE_NAMES.items() if re.search(rf"\b{name}\b", text, re.I)}
    if _LOW.search(text):
        codes.update(LOW_RESOURCE)
    if _DISTANT.search(text):
        codes.update(DISTANT)
    if re.search(r"\bhigh[- ]resource", text, re.I):
        codes.update(HIGH_RESOURCE)
    return codes


def screen(claim_id: str, text: str) -> NotTestable | None:
    """Why a claim cannot be tested here, decided from its words alone; None when the model should read it."""
    def no(reason: str) -> NotTestable:
        return NotTestable(claim_id=claim_id, claim=text, reason=reason)

    if not re.search(r"transfer|cross-?lingual|zero-?shot|languages?\b|multilingual", text, re.I):
        return no("not about cross-lingual transfer")
    models = sorted({"LLMs" if re.match(r"LLM|large language", m.group(0), re.I) else m.group(0)
                     for m in MODELS.finditer(text)})
    if models:
        return no(f"about {', '.join(models)}, a model the worker does not have (it fine-tunes "
                  "multilingual-e5-small)")
    datasets = sorted({m.group(0) for m in _DATASET_NAME.finditer(text)} - _WORKER_DATASETS)
    if datasets:
        return no(f"about {', '.join(datasets)}, data the worker does not have (it runs XNLI and PAWS-X)")
    methods = sorted({m.group(0) for m in _METHOD_NAME.finditer(text) if m.group(0).upper() not in _NOT_METHODS
                      and m.group(0).lower() not in LANGUAGE_NAMES and not _ACRONYM_SPELLING.match(m.group(0))})
    if methods:
        return no(f"about a specific method's gain or a benchmark the worker does not run ({', '.join(methods)}): "
                  "the worker implements no method, only plain fine-tuning on XNLI and PAWS-X")
    if _METHOD_CUE.search(text):
        return no("about the authors' own method: the worker implements no method, only plain fine-tuning")
    others = sorted({m.group(0).title() for m in OTHER_LANGUAGES.finditer(text)})
    if others:
        return no(f"names {', '.join(others)}, which the worker has no data for (XNLI and PAWS-X languages only)")
    if not _COMPARISON.search(text):
        return no("states no comparison an experiment could check")
    if not named_languages(text) and not re.search(r"training data|more data|data size|examples", text, re.I):
        return no("names no languages (or training sizes) to compare")
    return None


def english_gap(text: str) -> bool:
    """The claim says transferred models fall short of English and names no other language: XTREME's
    cross-lingual transfer gap, compared against a spread of targets."""
    return bool(re.search(r"\bEnglish\b", text) and _GAP_TO_ENGLISH.search(text) and _TRANSFERRED.search(text)
                and named_languages(text) <= {"en"})


def program_reading(text: str) -> ClaimTestProposal | None:
    """The comparison read from the claim's own words, for the shapes real claims take most: "other
    languages such as German and Russian transfer better" (than English, as sources), "transfer is less
    effective for low-resource / distant languages" (than for close, high-resource ones, as targets), and
    "a sizable gap remains between English and cross-lingually transferred models"."""
    specific = {code for name, code in LANGUAGE_NAMES.items() if re.search(rf"\b{name}\b", text, re.I)} - {"en"}
    if _OTHER_SOURCES.search(text) and specific:
        return ClaimTestProposal(comparison="source_languages", better=sorted(specific), worse=["en"])
    if english_gap(text):
        return ClaimTestProposal(comparison="target_languages", better=["en"])
    if (_LOW.search(text) or _DISTANT.search(text)) and _WEAKER.search(text):
        worse = [*(LOW_RESOURCE if _LOW.search(text) else ()), *(DISTANT[:2] if _DISTANT.search(text) else ())]
        return ClaimTestProposal(comparison="target_languages", better=list(CLOSE), worse=worse)
    return None


def _task_for(text: str, languages: set[str]) -> str | None:
    named = [task for task, pattern in _TASKS.items() if pattern.search(text)]
    for task in named or ["xnli", "pawsx"]:
        if languages <= set(TASK_LANGUAGES[task]):
            return task
    return None


def _run_name(task: str, train: str, languages: list[str]) -> str:
    return f"claim test: {task} from {train} to {', '.join(languages)}"


def _spec(defaults: dict, task: str, train: str, evaluate: list[str], **data) -> ExperimentSpec:
    merged = {**CLAIM_TEST_DEFAULTS, **defaults}
    seeds = list(merged.get("seeds") or CLAIM_TEST_DEFAULTS["seeds"])
    while len(seeds) < CLAIM_TEST_SEEDS:  # a comparison needs spread: at least three seeds
        seeds.append(max(seeds) + 1)
    limits = {**CLAIM_TEST_DEFAULTS["data"], **merged.get("data", {}), **data}
    spec = parse_spec({**merged, "seeds": seeds, "data": limits, "task": task, "train_language": train,
                       "eval_languages": evaluate, "name": _run_name(task, train, evaluate)})
    if spec.hyper_parameters.learning_rate is None and spec.learning_rate == SMALL_MODEL_LEARNING_RATE:
        spec = spec.model_copy(update={"hyper_parameters": spec.hyper_parameters.model_copy(
            update={"learning_rate": SMALL_MODEL_CLAIM_TEST_LEARNING_RATE})})
    return spec


def _scope(text: str, task: str) -> str:
    """What of the claim the test leaves out: tasks it names that the worker does not run."""
    others = sorted({m.group(0).lower() for m in _OTHER_TASKS.finditer(text)})
    return f" (the claim's {', '.join(others)} tasks are not run here; {task} only)" if others else ""


def _mean(run: int, languages: list[str], sign: float) -> list[tuple[int, str, float]]:
    return [(run, language, sign / len(languages)) for language in languages]


def plan_test(claim_id: str, text: str, proposal: ClaimTestProposal, defaults: dict | None = None,
              ) -> ClaimTest | NotTestable:
    """The test of a screened claim from the model's reading, or why the reading cannot be run."""
    defaults = defaults or {}

    def no(reason: str) -> NotTestable:
        return NotTestable(claim_id=claim_id, claim=text, reason=reason)

    if not proposal.better and not proposal.worse:  # the model named the kind but no languages: the claim's words
        proposal = program_reading(text) or proposal
    if proposal.comparison == "none":
        return no("the model found no comparison of languages or training sizes in it")
    named = named_languages(text) | ({"en"} if re.search(r"\bEnglish\b", text) else set())
    if proposal.comparison == "source_languages":
        named.add("en")  # "other languages transfer better": than English, the source every other is compared to
    if (_LOW.search(text) or _DISTANT.search(text)) and _WEAKER.search(text):
        named.update(CLOSE)  # "less effective for low-resource languages": than for close, high-resource ones
    better = [lang for lang in dict.fromkeys(proposal.better) if lang in named]
    worse = [lang for lang in dict.fromkeys(proposal.worse) if lang in named and lang not in better]
    if english_gap(text) and proposal.comparison == "target_languages" and better in ([], ["en"]) and not worse:
        task = _task_for(text, {"en"}) or "xnli"  # the gap from English to a spread of the task's targets
        better, worse = ["en"], list(TARGETS[task])
    if proposal.comparison == "training_size":
        targets = worse or better or [lang for lang in LOW_RESOURCE]
        targets = [lang for lang in targets if lang != "en"]
        task = _task_for(text, {"en", *targets})
        if task is None or not targets:
            return no("no task the worker has covers its languages")
        small = _spec(defaults, task, "en", ["en", *targets], max_train_examples=SMALL_TRAINING)
        large = _spec(defaults, task, "en", ["en", *targets], max_train_examples=LARGE_TRAINING)
        terms = ([(0, "en", 1.0)] + _mean(0, targets, -1.0) + [(1, "en", -1.0)] + _mean(1, targets, 1.0))
        return ClaimTest(claim_id=claim_id, claim=text, comparison="training_size", runs=[small, large],
                         labels=[f"{SMALL_TRAINING} training items", f"{LARGE_TRAINING} training items"], terms=terms,
                         prediction=f"gap acc(en) - acc({', '.join(targets)}) is smaller with {LARGE_TRAINING} "
                                    f"than with {SMALL_TRAINING} English training items")
    if not better or not worse:
        return no("the model's reading does not name, from the claim's own words, languages that do better and "
                  "languages that do worse")
    task = _task_for(text, set(better) | set(worse))
    if task is None:
        return no(f"no task the worker has covers {', '.join(sorted(set(better) | set(worse)))}")
    if proposal.comparison == "target_languages":
        run = _spec(defaults, task, "en", list(dict.fromkeys(["en", *better, *worse])))
        higher = "acc(en) on English itself" if better == ["en"] else f"acc(en->{', '.join(better)})"
        return ClaimTest(claim_id=claim_id, claim=text, comparison="target_languages", runs=[run],
                         labels=["trained on en"], terms=_mean(0, better, 1.0) + _mean(0, worse, -1.0),
                         prediction=f"{higher} > acc(en->{', '.join(worse)}), zero-shot on {task}{_scope(text, task)}")
    sources = [*better, *worse]
    targets = [lang for lang in TARGETS[task] if lang not in sources][:4]
    runs = [_spec(defaults, task, source, [*targets, *[s for s in sources if s != source]]) for source in sources]
    terms = [term for i, _ in enumerate(better) for term in _mean(i, targets, 1.0 / len(better))]
    terms += [term for j, _ in enumerate(worse) for term in _mean(len(better) + j, targets, -1.0 / len(worse))]
    return ClaimTest(claim_id=claim_id, claim=text, comparison="source_languages", runs=runs,
                     labels=[f"trained on {source}" for source in sources], terms=terms,
                     prediction=f"acc({'/'.join(better)}->X) > acc({'/'.join(worse)}->X) averaged over X = "
                                f"{', '.join(targets)}, on {task}{_scope(text, task)}")


def plan_claim_tests(claims: list[VerifiedClaim], provider, defaults: dict | None = None,
                     ) -> tuple[list[ClaimTest], list[NotTestable]]:
    """The tests the verified claims get (at most `MAX_CLAIM_TESTS`, in claim order), and why the others get
    none: the screen, then the model's reading (`prompts/claim_test.j2`), then `plan_test`."""
    tests: list[ClaimTest] = []
    untestable: list[NotTestable] = []
    readings = 0
    for claim in sorted(claims, key=lambda c: int(c.id[1:]) if c.id[1:].isdigit() else 0):
        reason = screen(claim.id, claim.text)
        if reason is None and (readings >= MAX_READINGS or len(tests) >= MAX_CLAIM_TESTS):
            reason = NotTestable(claim_id=claim.id, claim=claim.text,
                                 reason=f"not read: this run tests at most {MAX_CLAIM_TESTS} claims")
        if reason is not None:
            untestable.append(reason)
            continue
        readings += 1
        try:
            proposal = provider.structured(render("claim_test", claim=claim.text), ClaimTestProposal, max_tokens=120)
        except InvalidModelOutput as exc:
            untestable.append(NotTestable(claim_id=claim.id, claim=claim.text,
                                          reason=f"the model gave no usable reading ({exc})"))
            continue
        try:
            planned = plan_test(claim.id, claim.text, proposal, defaults)
        except AgentError as exc:
            planned = NotTestable(claim_id=claim.id, claim=claim.text, reason=f"no runnable spec: {exc}")
        (tests if isinstance(planned, ClaimTest) else untestable).append(planned)
    return share_runs(tests), untestable


# Tasks whose dev sets are translated in full, so a run's training and evaluation items do not depend on the
# languages it evaluates (PAWS-X drops an item untranslated in any of them, from training too).
_PARALLEL_TASKS = {"xnli"}


def _training_key(spec: ExperimentSpec) -> str:
    """What decides the trained model: the spec without its evaluation languages and name."""
    return spec.model_copy(update={"eval_languages": [], "name": ""}).job_id


def share_runs(tests: list[ClaimTest]) -> list[ClaimTest]:
    """Runs of these tests that would train the same model become one run evaluating every language any of
    them needs (XNLI only), so two claims about the same English-trained model cost one training, not two.
    Each test's contrast names its languages, so it reads its own from the shared run."""
    wanted: dict[str, list[str]] = {}
    for test in tests:
        for spec in test.runs:
            if spec.task in _PARALLEL_TASKS:
                wanted.setdefault(_training_key(spec), []).extend(spec.eval_languages)

    def shared(spec: ExperimentSpec) -> ExperimentSpec:
        languages = list(dict.fromkeys(wanted.get(_training_key(spec), spec.eval_languages)))
        if languages == spec.eval_languages:
            return spec
        return spec.model_copy(update={"eval_languages": languages,
                                       "name": _run_name(spec.task, spec.train_language, languages)})

    return [test.model_copy(update={"runs": [shared(spec) for spec in test.runs]}) for test in tests]
