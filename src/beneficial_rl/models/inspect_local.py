"""`brl-hf/<name>`: a local transformers policy as an Inspect model, batching across every running eval.

Inspect's own `hf/` provider batches the requests that arrive within 2 s of each other, up to
`max_connections`, in arrival order, and awaits each reply in 1 s polls. With every eval of a run
in flight at once that mixes 40-token questions and 1,000-token jailbreak templates in one padded
batch, and small batches pay a CPU decode step's fixed overhead again and again. Here one worker
thread owns the model: it gathers whatever is queued (until nothing new arrives for `gather_s`),
plans batches by prompt length (models/batch_plan.py), runs the batch holding the oldest request,
replies as it finishes, and re-plans with whatever arrived meanwhile. Greedy batches decode through
models/greedy.py (no padded prefill, no cache copies, ended rows dropped).

Weights load through models/loading.py (embedded specs, hub ids and folders alike). `dtype="auto"`
is float32 on a CPU and bf16 on a GPU, as in training, so a checkpoint is evaluated in the precision
it was trained in. `bfloat16` on a CPU with AMX is faster (benchmarks/bench_evals.py, two
runs: 4.32x and 5.31x the old path vs 3.28x and 3.60x in float32) but not safe for CPU-trained
checkpoints: rounded to bf16, a quickstart arm's float32 weights still differed from the rounded
starting model in 7.6% of places where training changed 98.3%, and the rounded update was off by
6.1x its own size (benchmarks/bench_bf16_delta.py), so the arms would be compared on rounding noise.
Batching itself changes nothing: the float32 path gave the same 132 responses as one eval at a time.
Greedy decoding when temperature is 0. Tool calls and logprobs are not supported: no eval asks the
policy for them, and a request that does fails loudly.

    inspect eval beneficial_rl/crisis_own --model brl-hf/smollm2 -M model_path=embedded:smollm2-135m-instruct
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import anyio
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from beneficial_rl.errors import BrlError
from beneficial_rl.models.batch_plan import DEFAULT_STEP_COST_TOKENS, plan_batches
from beneficial_rl.models.generate import eos_ids, generate_ids, prompt_ids

PROVIDER = "brl-hf"
DEFAULT_MAX_TOKENS = 256


def resolve_dtype(dtype: str, device: str) -> str:
    """`auto`: the precision training uses on that device (float32 on a CPU, bf16 on a GPU that has it)."""
    if dtype != "auto":
        return dtype
    if device.startswith("cuda"):
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "float32"


# A decode step's fixed cost in prompt tokens of prefill (models/batch_plan.py), measured with
# SmolLM2-135M on 2 CPU cores: float32 ~47 ms per step at batch 1 vs ~1.4 ms per prompt token;
# bf16 (AMX) ~53 ms vs ~0.42 ms.
STEP_COST_TOKENS = {"float32": 35, "bfloat16": 120, "float16": 120}


@dataclass(frozen=True)
class _Settings:
    """What must be equal for requests to share a `generate` call."""

    max_new_tokens: int
    temperature: float
    top_p: float | None
    top_k: int | None
    stop_seqs: tuple[str, ...]
    seed: int | None


@dataclass
class _Request:
    prompt_ids: list[int]
    settings: _Settings
    future: concurrent.futures.Future


@dataclass
class _Reply:
    text: str
    input_tokens: int
    output_tokens: int
    stop_reason: str
    seconds: float
    batch_rows: int


class Batcher:
    """One thread that owns the model and turns queued requests into planned batches."""

    def __init__(self, model: Any, tokenizer: Any, max_rows: int, max_batch_tokens: int, gather_s: float = 0.25,
                 max_pending: int = 1024, step_cost_tokens: int = DEFAULT_STEP_COST_TOKENS) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.step_cost_tokens = step_cost_tokens
        self.max_rows, self.max_batch_tokens = max_rows, max_batch_tokens
        self.gather_s, self.max_pending = gather_s, max_pending
        self.eos = eos_ids(model)
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches_run = 0

    def submit(self, prompt_ids: list[int], settings: _Settings) -> concurrent.futures.Future:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="brl-hf-batcher", daemon=True)
                self._thread.start()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put(_Request(prompt_ids, settings, future))
        return future

    def close(self) -> None:
        """Let the worker finish what is queued and exit, so the model it holds can be freed."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _gather(self, pending: list[_Request]) -> bool:
        """Add what is queued to `pending`; whether to stop once `pending` is done. With nothing pending,
        wait for a first request and then until nothing new arrives for `gather_s` (a burst of samples
        starting together plans as one); otherwise take only what is already queued."""
        wait = not pending
        try:
            item = self._queue.get() if wait else self._queue.get_nowait()
            while item is not None:
                pending.append(item)
                if len(pending) >= self.max_pending:
                    return False
                item = self._queue.get(timeout=self.gather_s) if wait else self._queue.get_nowait()
        except queue.Empty:
            return False
        return True

    def _loop(self) -> None:
        """Run one planned batch at a time and re-plan with whatever arrived meanwhile: a second turn
        that arrives while long prompts decode joins a later batch of prompts like it instead of
        waiting for the whole earlier plan and then running as a small batch of its own. The batch run
        is the one holding the oldest request, so none waits behind a stream of newer ones."""
        pending: list[_Request] = []
        stop = False
        while pending or not stop:
            if not stop:
                stop = self._gather(pending)
            if not pending:
                continue
            settings = pending[0].settings
            same = [r for r in pending if r.settings == settings]
            plan = plan_batches([len(r.prompt_ids) for r in same], settings.max_new_tokens, self.max_rows,
                                self.max_batch_tokens, self.step_cost_tokens)
            batch = [same[i] for i in next(b for b in plan if 0 in b)]
            taken = {id(r) for r in batch}
            pending = [r for r in pending if id(r) not in taken]
            self._run(batch, settings)

    def _run(self, batch: list[_Request], settings: _Settings) -> None:
        batch = [r for r in batch if r.future.set_running_or_notify_cancel()]  # a cancelled sample is skipped
        if not batch:
            return
        try:
            replies = self.generate([r.prompt_ids for r in batch], settings)
        except BaseException as e:  # noqa: BLE001 - every waiting sample gets the error, the thread lives on
            for r in batch:
                r.future.set_exception(e)
            return
        for r, reply in zip(batch, replies, strict=True):
            r.future.set_result(reply)

    def generate(self, prompts: list[list[int]], settings: _Settings) -> list[_Reply]:
        """One left-padded `generate` call for these prompts."""
        start = time.monotonic()
        if settings.temperature > 0 and settings.seed is not None:
            import torch

            torch.manual_seed(settings.seed)
        rows = generate_ids(self.model, self.tokenizer, prompts, settings.max_new_tokens, settings.temperature,
                            settings.top_p, settings.top_k, settings.stop_seqs, self.step_cost_tokens)
        self.batches_run += 1
        seconds = time.monotonic() - start
        replies = []
        for p, tokens in zip(prompts, rows, strict=True):
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            if settings.stop_seqs:
                text = _cut_at_stop(text, settings.stop_seqs)
            stopped = (tokens and tokens[-1] in self.eos) or len(tokens) < settings.max_new_tokens
            replies.append(_Reply(text=text, input_tokens=len(p), output_tokens=len(tokens),
                                  stop_reason="stop" if stopped else "max_tokens", seconds=seconds,
                                  batch_rows=len(prompts)))
        return replies


async def _wait(future: concurrent.futures.Future) -> Any:
    """The worker's reply, awaited without polling under asyncio (Inspect's default loop); thousands of
    waiting samples polling the loop would take CPU from generation."""
    import sniffio

    if sniffio.current_async_library() == "asyncio":
        import asyncio

        return await asyncio.wrap_future(future)
    while not future.done():
        await anyio.sleep(0.05)
    return future.result()


def _cut_at_stop(text: str, stops: tuple[str, ...]) -> str:
    cuts = [text.find(s) for s in stops if s in text]
    return text[:min(cuts)] if cuts else text


class LocalPolicyAPI(ModelAPI):
    """Model args: `model_path` (a model spec: embedded name, hub id or folder; default the model name),
    `dtype` (auto|float32|bfloat16|float16), `device`, `batch_rows` (most rows per generate call),
    `batch_tokens` (most padded prompt tokens per call, the memory bound)."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig | None = None, **model_args: Any) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        from beneficial_rl.models.loading import load_policy

        spec = model_args.pop("model_path", None) or model_name
        device = model_args.pop("device", None)
        dtype = str(model_args.pop("dtype", "auto"))
        max_rows = int(model_args.pop("batch_rows", 64))
        max_tokens = int(model_args.pop("batch_tokens", 32768))
        if max_rows < 1 or max_tokens < 1:
            raise BrlError(f"{PROVIDER}: batch_rows and batch_tokens must be positive, got {max_rows} and {max_tokens}")
        unknown = sorted(k for k in model_args if k not in ("memoize",))
        if unknown:
            raise BrlError(f"{PROVIDER}: unknown model args {unknown}; known: model_path, dtype, device, "
                           "batch_rows, batch_tokens")
        if device is None:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.spec, self.dtype = str(spec), resolve_dtype(dtype, device)
        self.model, self.tokenizer = load_policy(spec, dtype=self.dtype, device=device)
        self.model.eval()
        self.batcher = Batcher(self.model, self.tokenizer, max_rows=max_rows, max_batch_tokens=max_tokens,
                               step_cost_tokens=STEP_COST_TOKENS.get(self.dtype, DEFAULT_STEP_COST_TOKENS))

    async def generate(self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice,
                       config: GenerateConfig) -> ModelOutput:
        if tools:
            raise BrlError(f"{PROVIDER} does not run tool calls; use Inspect's hf/ provider or an endpoint for tool use")
        if config.logprobs:
            raise BrlError(f"{PROVIDER} does not return logprobs; use Inspect's hf/ provider for them")
        ids = prompt_ids(self.tokenizer, [{"role": m.role, "content": m.text} for m in input])
        settings = _Settings(
            max_new_tokens=config.max_tokens or DEFAULT_MAX_TOKENS,
            temperature=float(config.temperature or 0.0),
            top_p=config.top_p, top_k=config.top_k,
            stop_seqs=tuple(config.stop_seqs or ()), seed=config.seed)
        reply: _Reply = await _wait(self.batcher.submit(ids, settings))
        return ModelOutput(
            model=self.model_name,
            choices=[ChatCompletionChoice(
                message=ChatMessageAssistant(content=reply.text, model=self.model_name, source="generate"),
                stop_reason=reply.stop_reason)],  # type: ignore[arg-type]
            usage=ModelUsage(input_tokens=reply.input_tokens, output_tokens=reply.output_tokens,
                             total_tokens=reply.input_tokens + reply.output_tokens),
            time=reply.seconds,
            metadata={"batch_rows": reply.batch_rows},
        )

    def close(self) -> None:
        """Stop the worker and drop the weights (a fine-tuning attack loads one policy per dose)."""
        self.batcher.close()
        self.batcher.model = self.model = None
        import gc

        import torch

        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    async def count_text_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def max_tokens(self) -> int | None:
        return DEFAULT_MAX_TOKENS

    def max_connections(self) -> int:
        # every sample may wait in the queue: the batcher, not Inspect's connection limit, sizes batches
        return 1024

    def collapse_user_messages(self) -> bool:
        return True  # chat templates expect alternating turns


@modelapi(name=PROVIDER)
def brl_hf() -> type[ModelAPI]:
    return LocalPolicyAPI
