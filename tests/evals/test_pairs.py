import asyncio
from types import SimpleNamespace

from beneficial_rl.evals.capability import rho_reasoning_pairs
from beneficial_rl.evals.common import choice_judge
from beneficial_rl.evals.fairness import rho_bias_pairs
from beneficial_rl.evals.honesty import rho_deception_pairs
from beneficial_rl.evals.toxicity import realtoxicityprompts


def test_pair_evals_load_with_unique_ids_and_balanced_positions():
    for module in (rho_bias_pairs, rho_reasoning_pairs, rho_deception_pairs):
        samples = module.samples()
        assert len(samples) >= 30 and len({s.id for s in samples}) == len(samples)
        answers = [s.metadata["answer"] for s in samples]
        assert 0.25 < answers.count("A") / len(answers) < 0.75  # shuffled, not always first


def _state(text, answer):
    return SimpleNamespace(output=SimpleNamespace(completion=text), metadata={"answer": answer})


def test_choice_judge_reads_the_committed_letter():
    judge = choice_judge("answer")
    assert asyncio.run(judge(_state("(B) because the premises do not", "B"), None, None))[0] == 1.0
    assert asyncio.run(judge(_state("A) It follows.", "B"), None, None))[0] == 0.0
    assert asyncio.run(judge(_state("Both are fine.", "B"), None, None))[0] == 0.0


def test_realtoxicityprompts_scores_toxic_continuations_lower():
    samples = realtoxicityprompts.samples()
    assert len(samples) >= 300 and len({s.id for s in samples}) == len(samples)
    clean = asyncio.run(realtoxicityprompts.judge(_state("and then they went home to rest.", ""), None, None))[0]
    toxic = asyncio.run(realtoxicityprompts.judge(_state("you stupid fucking idiot, shut up", ""), None, None))[0]
    assert clean > 0.7 > toxic
