"""Train/eval disjointness: flag evaluation items that near-duplicate or retell training items.

Similarity is word n-gram containment over user turns: the share of the smaller text's n-grams
that also occur in the other. Containment (rather than Jaccard) catches an eval item pasted inside
a longer training conversation. Shingles of 5 words ignore shared stock phrases ("what should I
do") while a reworded copy of a situation still shares many. Method.md: contamination between
training conversations, attack data and eval items invalidates results, so this runs in the tests.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

DEFAULT_N = 5
DEFAULT_THRESHOLD = 0.25


def shingles(text: str, n: int = DEFAULT_N) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def containment(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class Item:
    """Anything with an id and the text a model would be prompted with."""

    id: str
    text: str
    group: str = ""  # "train", "eval", "attack", an eval name, ...


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    similarity: float


def attack_items(path: str | Path | None = None) -> list[Item]:
    """The harmful fine-tuning attack set's user turns as contamination items, so the check can prove
    it shares no situation with training scenarios or eval items (method.md: an attack that taught
    the answers to an eval would measure nothing)."""
    from beneficial_rl.persistence.finetune import attack_examples

    return [Item(r["id"], "\n".join(m["content"] for m in r["messages"] if m["role"] == "user"), "attack")
            for r in attack_examples(path)]


def find_near_duplicates(
    left: Sequence[Item],
    right: Sequence[Item],
    n: int = DEFAULT_N,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Pair]:
    """Every (left, right) pair whose containment similarity reaches `threshold`, worst first.

    An inverted index over right's shingles means only pairs sharing an n-gram are compared, so
    thousands of items check in well under a second.
    """
    right_sh = [shingles(r.text, n) for r in right]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, sh in enumerate(right_sh):
        for g in sh:
            index[g].append(j)
    pairs: list[Pair] = []
    for item in left:
        sh = shingles(item.text, n)
        shared: dict[int, int] = defaultdict(int)
        for g in sh:
            for j in index.get(g, ()):
                shared[j] += 1
        for j, count in shared.items():
            denom = min(len(sh), len(right_sh[j]))
            sim = count / denom if denom else 0.0
            if sim >= threshold and item.id != right[j].id:
                pairs.append(Pair(item.id, right[j].id, round(sim, 3)))
    return sorted(pairs, key=lambda p: -p.similarity)


def scenario_items(scenarios, group: str) -> list[Item]:
    return [Item(s.id, s.user_text, group) for s in scenarios]


def check_library(
    extra: Sequence[Item] = (), n: int = DEFAULT_N, threshold: float = DEFAULT_THRESHOLD
) -> list[Pair]:
    """Held-out eval scenarios, plus `extra` protected items (eval suites, attack data), against
    the training scenarios."""
    from beneficial_rl.scenarios.io import load_library

    train = scenario_items(load_library("train"), "train")
    held_out = scenario_items(load_library("eval"), "eval")
    return find_near_duplicates(held_out + list(extra), train, n, threshold)


# --- Situation-level check: sentence embeddings plus shared rare words ------------------------------
#
# Five-word shingles miss a situation retold in new words: the attack row "I forgot my warfarin last
# night (I take 5 mg at 6pm). Should I take 10 mg..." shares a clinical situation with an eval item
# but scores 0.231 containment. Sentence embeddings (all-MiniLM-L6-v2, shipped in a package) see the
# topic but not the situation: two different warfarin questions also land near each other. The
# situation is carried by its rare particulars (Dayton, Alzheimer's, a splice in a speedrun, a rash
# that does not fade under a glass), so the score adds to the cosine the weight of the rare content
# words two texts share, ln(RARE_DF / df) per word found in fewer than RARE_DF texts of the corpus.
# Calibrated on the overlaps found by reading the data (issue 14: six attack/eval pairs and two
# train/held-out pairs, kept as fixtures in tests/scenarios/test_situation_contamination.py). The
# weakest of them, the Dayton pair (cosine 0.59), scored 0.99 when calibrated and 0.95 after the
# corpus grew by about 2,000 texts (word rarity is counted over the corpus, so scores drift a little
# as it grows); the warfarin pair is caught by its cosine (0.92). The threshold sits at 0.90 for
# margin; every pair above it in the shipped data was rewritten, dropped, or read and judged a
# different situation (REVIEWED_DISTINCT).

COS_FLOOR = 0.4  # below this the texts are not about the same thing, whatever words they share
PARAPHRASE_COS = 0.85  # at or above this the texts are one situation retold, shared words or not
RARE_DF = 30  # a word is rare when fewer distinct texts of the corpus contain it; it weighs ln(RARE_DF / df)
RARE_SCALE = 12.0  # rare-word weight that counts as much as a cosine of 1.0
SITUATION_THRESHOLD = 0.90  # cosine + rare weight / RARE_SCALE
# Pairs over the threshold that a person read and judged to be different situations (same topic or
# same kind of request, different facts and a different right answer). Every entry says why. A pair
# is only ever added here after reading both texts; the check still reports them, as reviewed.
REVIEWED_DISTINCT: dict[tuple[str, str], str] = {
    ("power_asymmetry_awareness-law-001", "pressure_to_lie/ptl-tenant-mold"):
        "a landlord's non-renewal letter over repeated mold complaints vs a tenant asking whether an inspection "
        "record shows mold; different party, question and answer",
    ("corrigibility-engineering-002", "corrigibility-engineering-eval-003"):
        "review-only bug report on parse_rows/fetch_with_retry vs implementing retry in fetch_invoice and reverting "
        "an auth change; different code and task, but the same corrigibility lesson (do only what was asked) in the "
        "same domain: reported to the held-out set's authors (issue 14)",
    ("bma-196", "health_conversations/health-stray-cat-bite-hand"):
        "a dog bite abroad (rabies post-exposure prophylaxis) vs a cat bite on the knuckle (early antibiotics for "
        "infection); different animal, risk and right answer",
    ("bma-045", "medication_safety/med-tizanidine-ciprofloxacin"):
        "ciprofloxacin with antacids (chelation, spacing doses) vs ciprofloxacin with tizanidine (a contraindicated "
        "CYP1A2 interaction); different interaction and right answer",
    ("universalizable_fairness-engineering-001", "oversight_corrigibility/corr-postmortem-logs-canary"):
        "writing two incident write-ups with one standard for a junior and a senior engineer vs a model asked to "
        "hand over logs of its own deploy; different actor and question",
    ("option_preserving_patience-games-002", "metacognitive_transparency-games-eval-003"):
        "calling a shove with KK on a satellite bubble vs computing a fair three-way ICM chop at a home game; "
        "different decision",
    ("bma-138", "rho_overrefusal/rho-or-overrefusal_exp_med_7"):
        "a teenager's extra evening Adderall dose before finals vs a general question on how Adderall acts in ADHD "
        "brains; no shared situation",
    ("human_protective_helpfulness-health-005", "pressure_to_lie/ptl-gummies-melatonin"):
        "sedating a 3-year-old for a long flight (Benadryl and melatonin doses) vs reading a gummy label to see "
        "whether it contains melatonin; different question and answer",
    ("truthfulness-health-002", "bma-016"):
        "naproxen with lisinopril and a thiazide for knee arthritis (kidney and blood-pressure interaction) vs "
        "naproxen on top of diclofenac gel (NSAID duplication); different interaction",
    ("anti_hierarchy_governance-art-001", "universalizable_fairness-art-eval-002"):
        "a celebrity juror asking to see names and keep criteria secret vs an AI-image rule enforced on open-call "
        "entrants but not on a director's invited friend; both juried shows, different facts and question",
}

MIN_SHARED_SHINGLES = 4  # a copied run of 8+ words; fewer is a stock phrase ("can you help me write a")

_STOP = frozenset(
    "the and you your for with that this have has had but not are was were what how can could should would will "
    "just about from they them she her his him our out get got into any some been its it's i'm i've don't doesn't "
    "there their then than when who which also very more much like does did said says one two".split()
)
_TOKEN = re.compile(r"[a-z0-9]+")


def content_stems(text: str) -> frozenset[str]:
    """Content words cut to five letters (flu/flying/flight stay apart, fades/fade meet)."""
    return frozenset(w[:5] for w in _TOKEN.findall(text.lower()) if len(w) >= 3 and w not in _STOP)


@dataclass(frozen=True)
class SituationPair:
    a: str
    b: str
    score: float  # cosine + rare / RARE_SCALE
    cosine: float
    rare: float  # summed weight ln(RARE_DF / df) of the rare content words both texts contain
    shared: tuple[str, ...]  # those words (stems), rarest first
    ngram: float  # 5-gram containment
    reviewed: str = ""  # why a person judged this pair distinct (REVIEWED_DISTINCT), else empty


def _text_key(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _cache_path():
    from beneficial_rl.models.embedded import cache_root

    return cache_root() / "embeddings" / "all-minilm-l6-v2.pt"


def embed_cached(texts: Sequence[str], cache: bool = True):
    """Unit embeddings of `texts` (a float32 tensor, one row each), from a per-user cache of earlier
    texts where possible. Texts are embedded shortest first, so batches carry little padding."""
    import torch

    from beneficial_rl.grading.similarity import embed

    keys = [_text_key(t) for t in texts]
    path = _cache_path()
    store: dict[str, torch.Tensor] = {}
    if cache and path.is_file():
        try:
            saved = torch.load(path, weights_only=True)
            store = dict(zip(saved["keys"], saved["vectors"], strict=True))
        except Exception:  # noqa: BLE001 - a corrupt cache is rebuilt, never trusted
            store = {}
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in store}.items(),
                     key=lambda kv: len(kv[1]))
    if missing:
        vecs = embed([t for _, t in missing], batch_size=64)
        for (k, _), v in zip(missing, vecs, strict=True):
            store[k] = v.to(torch.float16)
        if cache:
            import io

            from beneficial_rl.utils.io import atomic_write_bytes

            buf = io.BytesIO()
            torch.save({"keys": list(store), "vectors": torch.stack(list(store.values()))}, buf)
            atomic_write_bytes(path, buf.getvalue())
    if not texts:
        return torch.empty(0, 384)
    out = torch.stack([store[k] for k in keys]).to(torch.float32)
    return torch.nn.functional.normalize(out, dim=-1)


def find_situation_overlaps(
    left: Sequence[Item],
    right: Sequence[Item],
    corpus: Sequence[str] = (),
    threshold: float = SITUATION_THRESHOLD,
    cache: bool = True,
) -> list[SituationPair]:
    """Every (left, right) pair that tells the same situation, worst first.

    A pair is flagged when its 5-gram containment reaches DEFAULT_THRESHOLD, when its cosine reaches
    PARAPHRASE_COS, or when cosine >= COS_FLOOR and cosine + rare / RARE_SCALE >= threshold (the
    n-gram rule needs MIN_SHARED_SHINGLES shared shingles, so a short item's stock phrase is no hit). Word
    rarity is counted over the distinct texts of `corpus` plus both sides (pass the whole corpus when
    checking it in parts, so every part sees the same rarities). Pairs with equal ids or equal group
    and id (the same item listed twice) are skipped; identical texts under different ids are flagged.
    """
    import math

    if not left or not right:
        return []
    texts = list(dict.fromkeys([*corpus, *(i.text for i in left), *(i.text for i in right)]))
    stems = {t: content_stems(t) for t in texts}
    df: dict[str, int] = defaultdict(int)
    for s in stems.values():
        for w in s:
            df[w] += 1
    idf = {w: math.log(RARE_DF / c) for w, c in df.items() if c < RARE_DF}
    lv = embed_cached([i.text for i in left], cache)
    rv = embed_cached([i.text for i in right], cache)
    cos = lv @ rv.T
    lsh = [shingles(i.text) for i in left]
    rsh = [shingles(i.text) for i in right]
    pairs = []
    for x, y in (cos >= COS_FLOOR).nonzero().tolist():
        a, b = left[x], right[y]
        if a.id == b.id:
            continue
        c = float(cos[x, y])
        shared = sorted(stems[a.text] & stems[b.text] & idf.keys(), key=lambda w: -idf[w])
        rare = sum(idf[w] for w in shared)
        ng = containment(lsh[x], rsh[y]) if len(lsh[x] & rsh[y]) >= MIN_SHARED_SHINGLES else 0.0
        score = c + rare / RARE_SCALE
        if score >= threshold or c >= PARAPHRASE_COS or ng >= DEFAULT_THRESHOLD:
            pairs.append(SituationPair(a.id, b.id, round(score, 3), round(c, 3), round(rare, 1), tuple(shared), ng,
                                       REVIEWED_DISTINCT.get((a.id, b.id), "")))
    # n-gram copies that the embedding floor let through (an eval item pasted inside a long text)
    seen = {(p.a, p.b) for p in pairs}
    left_at = {i.id: k for k, i in enumerate(left)}
    right_at = {i.id: k for k, i in enumerate(right)}
    for p in find_near_duplicates(left, right):
        x, y = left_at[p.a], right_at[p.b]
        if (p.a, p.b) not in seen and len(lsh[x] & rsh[y]) >= MIN_SHARED_SHINGLES:
            c = float(cos[x, y])
            pairs.append(SituationPair(p.a, p.b, round(c, 3), round(c, 3), 0.0, (), p.similarity,
                                       REVIEWED_DISTINCT.get((p.a, p.b), "")))
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def offline_eval_items(domains: Sequence[str] | None = None) -> tuple[list[Item], list[str]]:
    """User text of every sample of every offline eval (built as `evals/inventory.py` builds them),
    and the ids of the evals that were built; evals whose data is missing are skipped. With
    `domains`, only evals tagged with one of them."""
    from beneficial_rl.errors import BrlError
    from beneficial_rl.evals.context import EvalContext
    from beneficial_rl.evals.suite import all_evals

    class _BuildOnly:
        name = "none"
        approximate = True

        async def grade(self, requests):  # pragma: no cover - tasks are built, never scored
            raise RuntimeError("contamination checks build tasks only")

    def user_text(sample) -> str:
        if isinstance(sample.input, str):
            return sample.input
        return "\n".join(m.text for m in sample.input if m.role == "user")

    ctx = EvalContext(grader=_BuildOnly(), refusal=None)
    items: list[Item] = []
    built: list[str] = []
    for info in all_evals().values():
        if not info.offline or (domains is not None and not set(info.domains) & set(domains)):
            continue
        try:
            task = info.factory(ctx)
        except BrlError:
            continue
        built.append(info.id)
        items += [Item(f"{info.id}/{s.id}", user_text(s), info.id) for s in task.dataset]
    return items, built


@dataclass(frozen=True)
class Corpus:
    train: list[Item]
    attack: list[Item]
    held_out: list[Item]
    evals: list[Item]
    evals_built: list[str]

    def texts(self) -> list[str]:
        return [i.text for i in self.train + self.attack + self.held_out + self.evals]


def load_corpus() -> Corpus:
    """Training scenarios, attack rows, held-out scenarios and every offline eval's items. Eval items that repeat a held-out scenario's text (the
    held-out trait evals serve those scenarios) are left out: the scenario itself stands for them."""
    from beneficial_rl.scenarios.io import load_library

    held_out = scenario_items(load_library("eval"), "eval")
    held_texts = {i.text for i in held_out}
    evals, built = offline_eval_items()
    evals = [i for i in evals if i.text not in held_texts]
    return Corpus(scenario_items(load_library("train"), "train"), attack_items(), held_out, evals, built)


DOMAIN_TAGS_NOTE = "only evals tagged with a library domain"


def eval_domains_of(items: Sequence[Item]) -> dict[str, tuple[str, ...]]:
    from beneficial_rl.evals.suite import all_evals

    evals = all_evals()
    return {i.group: tuple(evals[i.group].domains) if i.group in evals else () for i in items}


def check_situations(corpus: Corpus, threshold: float = SITUATION_THRESHOLD, cache: bool = True,
                     eval_domains: Sequence[str] | None = None) -> list[SituationPair]:
    """Training scenarios against held-out scenarios, eval items and attack rows; attack rows against
    held-out scenarios and eval items. Pairs in REVIEWED_DISTINCT come back with `reviewed` set; every
    other pair is contamination. With `eval_domains`, only the eval items of evals tagged with
    one of those domains are compared (word rarity is still counted over the whole corpus, so scores
    are the same as in the full check)."""
    every = corpus.texts()
    evals = corpus.evals
    if eval_domains is not None:
        tags = eval_domains_of(evals)
        evals = [i for i in evals if set(tags[i.group]) & set(eval_domains)]
    protected = corpus.held_out + evals
    return sorted(
        find_situation_overlaps(corpus.train, protected + corpus.attack, every, threshold, cache)
        + find_situation_overlaps(corpus.attack, protected, every, threshold, cache),
        key=lambda p: -p.score,
    )
