"""The offline grader as an Inspect model API (`brl/offline`), and graders from Inspect model roles.

Evals take their judges from two Inspect model roles, the same way offline and online:

- `grader`: the rubric judge (and the rubric-free trait judge);
- `refusal_classifier`: the refusal label every sample records; it follows `grader` when not given.

A role bound to `brl/offline` (or no role at all) gives the embedded offline grader and offline
refusal classifier; a role bound to any chat model (`openai-api/vllm/Qwen3-32B`, `openai/gpt-4.1-mini`,
`mockllm/model` in tests) gives the LLM judge with the frozen eval protocol (grading/judge.py):

    inspect eval beneficial_rl/crisis_own --model hf/<folder>                       # offline grader
    inspect eval beneficial_rl/crisis_own --model hf/<folder> --model-role grader=openai/gpt-4.1-mini

`brl/offline` grades through beneficial_rl's scorers, which read its `grader` and `refusal`
attributes; it is not a chat model, and asking it to generate text is an error that says so. Its
model args are OfflineConfig fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelAPI, ModelOutput, modelapi
from inspect_ai.tool import ToolChoice, ToolInfo

from beneficial_rl.errors import BrlError

PROVIDER = "brl"
OFFLINE = f"{PROVIDER}/offline"
GRADER_ROLE = "grader"
REFUSAL_ROLE = "refusal_classifier"


class OfflineGraderAPI(ModelAPI):
    """`brl/offline`: the embedded offline grader and refusal classifier behind an Inspect model."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig | None = None, **model_args: Any) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        if model_name != "offline":
            raise BrlError(f"unknown model {PROVIDER}/{model_name}; the only one is {OFFLINE} (the offline grader)")
        from beneficial_rl.grading.config import OfflineConfig

        self.offline_config = OfflineConfig(**model_args)

    @cached_property
    def grader(self) -> Any:
        from beneficial_rl.grading.offline import OfflineGrader

        return OfflineGrader(self.offline_config)

    @cached_property
    def refusal(self) -> Any:
        from beneficial_rl.grading.refusal import OfflineRefusalClassifier

        return OfflineRefusalClassifier()

    async def generate(self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice,
                       config: GenerateConfig) -> ModelOutput:
        raise BrlError(f"{OFFLINE} is the offline grader, not a chat model: bind it to the '{GRADER_ROLE}' or "
                       f"'{REFUSAL_ROLE}' role of a beneficial_rl task (it grades through the task's scorer), "
                       "or use a chat model where text must be generated")


@modelapi(name=PROVIDER)
def brl() -> type[ModelAPI]:
    return OfflineGraderAPI


def offline_model(**offline_config: Any) -> Model:
    """The `brl/offline` Inspect model (for `model_roles`)."""
    from inspect_ai.model import get_model

    return get_model(OFFLINE, memoize=False, **offline_config)


def _first(model: Model | Sequence[Model] | None) -> Model | None:
    if model is None or isinstance(model, Model):
        return model
    return model[0] if model else None


def _offline_api(model: Model) -> OfflineGraderAPI | None:
    return model.api if isinstance(model.api, OfflineGraderAPI) else None


def role_models() -> tuple[Model, Model]:
    """The models bound to the grader and refusal-classifier roles of the running eval; `brl/offline`
    when the grader role is unbound, and the grader's model when the refusal role is unbound."""
    from inspect_ai.model import get_model

    grader = get_model(role=GRADER_ROLE, default=OFFLINE)
    refusal = get_model(role=REFUSAL_ROLE, default=grader)
    return grader, refusal


def _judge_config(model: Model) -> Any:
    from beneficial_rl.grading.config import JudgeConfig

    return JudgeConfig(model=str(model), role="eval")


def grader_for(model: Model) -> Any:
    """The rubric grader a role model stands for: the offline grader or the LLM eval judge."""
    api = _offline_api(model)
    if api is not None:
        return api.grader
    from beneficial_rl.grading.judge import JudgeGrader

    return JudgeGrader(_judge_config(model), model=model)


def trait_grader_for(model: Model) -> Any:
    api = _offline_api(model)
    if api is not None:
        return api.grader
    from beneficial_rl.grading.judge import JudgeGrader

    return JudgeGrader(_judge_config(model), model=model, kind="trait")


def refusal_for(model: Model) -> Any:
    """The refusal classifier a role model stands for: offline, or the LLM refusal judge."""
    api = _offline_api(model)
    if api is not None:
        return api.refusal
    from beneficial_rl.grading.refusal import JudgeRefusalClassifier

    return JudgeRefusalClassifier(_judge_config(model), model=model)


def roles_for(grader: Any, refusal: Any) -> dict[str, Model]:
    """Inspect model roles that name the graders a context already holds (for provenance in logs and
    for eval_set's task identity): the offline grader as `brl/offline`, an LLM judge as its model.
    A grader with no Inspect model behind it (a test double) gets no role."""
    from beneficial_rl.grading.offline import OfflineGrader
    from beneficial_rl.grading.refusal import OfflineRefusalClassifier

    def model_of(component: Any, offline_type: type) -> Model | None:
        if isinstance(component, offline_type):
            return offline_model(**(component.config.model_dump() if hasattr(component, "config") else {}))
        client = getattr(component, "client", None)
        model = getattr(client, "model", None) if client is not None else None
        return model if isinstance(model, Model) else None

    roles = {GRADER_ROLE: model_of(grader, OfflineGrader), REFUSAL_ROLE: model_of(refusal, OfflineRefusalClassifier)}
    return {k: v for k, v in roles.items() if v is not None}
