"""A fake OpenAI-compatible chat-completions server on loopback, for judge tests and benchmarks.

Why asynchronous: a stdlib threading server capped 64 concurrent 100 ms calls at about 4x the
serial rate on the 2-core CI machine; an aiohttp server lets the client reach 30x and more, so
the grader's own concurrency, not the fake, is what a benchmark measures.

What it serves: `POST /v1/chat/completions` (with `n` choices, `usage`, and per-token `logprobs`
with `top_logprobs` when asked), `GET /v1/models`, and `GET /stats` (request counters). Replies
come from a script: a callable `(FakeRequest) -> str | FakeReply`, a list of replies served in
order, or by default `judge_script`, which answers whatever JSON verdict the prompt's last line
shows. Latency,
malformed verdicts and HTTP 500s are injected; the malformed/error draw for the k-th occurrence of
an identical request is a pure function of (seed, request, k), so a test can recompute exactly
which gradings must fail from `log`.

Use it as a context manager (it runs in a background thread with its own event loop):

    with FakeOpenAI(latency_s=0.1) as fake:
        os.environ.update(fake.environ())   # FAKE_BASE_URL / FAKE_API_KEY
        ...  get_chat_model("openai-api/fake/judge") ...

or as a process: `python -m beneficial_rl.testing.fake_openai --port 8765 --latency-ms 100`.
It binds loopback addresses only.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import ipaddress
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeRequest:
    """What a script sees: the chat messages, which of the `n` choices it is writing, the body."""

    messages: list[dict[str, Any]]
    choice: int
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        """Text of the last user message (the judge prompt, for graders)."""
        for m in reversed(self.messages):
            if m.get("role") == "user":
                return _text(m.get("content"))
        return ""


@dataclass
class FakeReply:
    """A scripted reply. `p_true` gives the probability the fake puts on `true` for each boolean
    token of the reply in order (a float applies to all); it shapes the returned logprobs."""

    content: str
    p_true: float | list[float] | None = None
    status: int = 200


@dataclass
class LogEntry:
    key: str  # sha256 of the request (messages, n, logprobs, temperature)
    prompt_key: str  # sha256 of the messages alone: retries of one question share it
    occurrence: int  # 0 for the first time this exact request arrived, 1 for the second, ...
    status: int
    malformed: list[bool] = field(default_factory=list)  # per choice


Script = Callable[[FakeRequest], "str | FakeReply"] | Sequence["str | FakeReply"]

MALFORMED = [
    "I looked at the response carefully and I think it is mostly fine.",  # no verdict at all
    'Reasoning: the response is adequate.\n{"score": 7}',  # wrong key
    'The response addresses the point.\n{"met": tr',  # truncated JSON
    'Verdict below.\n{"met": "maybe"}',  # not a boolean
    '{"met": true}\nActually, on reflection, I am not sure about that.',  # prose after the verdict
]


def _text(content: Any) -> str:
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")


def _unit(*parts: Any) -> float:
    """A deterministic draw in [0, 1) from any values."""
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def judge_script(req: FakeRequest) -> FakeReply:
    """Answer in the JSON shape the prompt's last JSON line shows, with every boolean decided by a
    draw: a per-leaf probability p (from the prompt), met when p > 0.5 for choice 0, and met with
    probability p for later choices (so sampled verdicts scatter around p)."""
    template = _last_json_line(req.prompt)
    if template is None:
        return FakeReply("I have no verdict format to follow.")
    probs: list[float] = []

    def fill(node: Any, path: str) -> Any:
        if isinstance(node, bool):
            p = 0.05 + 0.9 * _unit("p", req.prompt, path)
            probs.append(p)
            return (p > 0.5) if req.choice == 0 else (_unit("draw", req.prompt, path, req.choice) < p)
        if isinstance(node, dict):
            return {k: fill(v, f"{path}/{k}") for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v, f"{path}/{i}") for i, v in enumerate(node)]
        return node

    verdict = fill(template, "")
    return FakeReply(f"Considering the response against the instructions step by step.\n{json.dumps(verdict)}", probs)


def _last_json_line(text: str) -> Any:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


_TOKEN = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")


def _logprobs(text: str, p_true: float | list[float] | None, top: int) -> dict[str, Any]:
    """Per-token logprobs for `text`: booleans carry `p_true`, other tokens are near-certain."""
    tokens = _TOKEN.findall(text)
    probs = list(p_true) if isinstance(p_true, list) else None
    out = []
    for t in tokens:
        word = t.strip()
        if word in ("true", "false"):
            p = probs.pop(0) if probs else (p_true if isinstance(p_true, float) else 0.9 if word == "true" else 0.1)
            p = min(max(p, 1e-6), 1 - 1e-6)
            lead = t[: len(t) - len(word)]
            alts = sorted([(lead + "true", math.log(p)), (lead + "false", math.log(1 - p))], key=lambda a: -a[1])
            lp = math.log(p) if word == "true" else math.log(1 - p)
        else:
            lp = -0.001
            alts = [(t, lp)]
        out.append({
            "token": t, "logprob": lp, "bytes": list(t.encode()),
            "top_logprobs": [{"token": a, "logprob": v, "bytes": list(a.encode())} for a, v in alts[: max(top, 1)]],
        })
    return {"content": out, "refusal": None}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FakeOpenAI:
    """The fake server. `requests` counts HTTP calls served, `max_in_flight` the peak concurrency
    seen, `log` one entry per chat call (thread-safe to read after the calls returned)."""

    def __init__(
        self,
        script: Script | None = None,
        latency_s: float = 0.0,
        malformed_rate: float = 0.0,
        error_rate: float = 0.0,
        seed: int = 0,
        model: str = "judge",
        api_key: str = "fake-key",
        host: str = "127.0.0.1",
        port: int = 0,
        serve_logprobs: bool = True,
    ):
        if not _is_loopback(host):
            raise ValueError(f"the fake server binds loopback addresses only, not {host!r}")
        if not (0 <= malformed_rate <= 1 and 0 <= error_rate <= 1):
            raise ValueError("malformed_rate and error_rate must be within [0, 1]")
        self.script = script if script is not None else judge_script
        self._queue = list(script) if isinstance(script, Sequence) and not isinstance(script, str) else None
        self.latency_s, self.malformed_rate, self.error_rate, self.seed = latency_s, malformed_rate, error_rate, seed
        self.model, self.api_key, self.host, self.port = model, api_key, host, port
        self.serve_logprobs = serve_logprobs  # False: ignore `logprobs`, as many endpoints do
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.log: list[LogEntry] = []
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def environ(self, name: str = "FAKE") -> dict[str, str]:
        """Environment for Inspect's `openai-api/<name>/<model>` provider."""
        return {f"{name.upper()}_BASE_URL": self.base_url, f"{name.upper()}_API_KEY": self.api_key}

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/stats", self._stats)
        return app

    async def start(self) -> None:
        """Start serving on the current event loop (use this from async code)."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def __enter__(self) -> FakeOpenAI:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-openai", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.start(), self._loop).result(timeout=30)
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._loop is not None and self._thread is not None
        asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()

    # -- handlers --------------------------------------------------------------------------------
    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "fake"}]})

    async def _stats(self, request: web.Request) -> web.Response:
        """Counters for benchmarks that run the fake as a separate process."""
        with self._lock:
            return web.json_response({"requests": self.requests, "max_in_flight": self.max_in_flight,
                                      "malformed": sum(sum(e.malformed) for e in self.log)})

    async def _chat(self, request: web.Request) -> web.Response:
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "invalid api key")
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "body is not JSON")
        if body.get("stream"):
            return _error(400, "this fake server does not stream")
        messages = body.get("messages") or []
        n = int(body.get("n") or 1)
        key = hashlib.sha256(json.dumps(
            [messages, n, body.get("logprobs"), body.get("temperature"), body.get("seed")], sort_keys=True
        ).encode()).hexdigest()
        prompt_key = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
        with self._lock:
            self.requests += 1
            k = self._seen[key]
            self._seen[key] += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            if _unit("error", self.seed, key, k) < self.error_rate:
                self._record(LogEntry(key, prompt_key, k, 500))
                return _error(500, "injected server error")
            choices, malformed, status = [], [], 200
            for i in range(n):
                reply = self._next(FakeRequest(messages, i, body))
                status = max(status, reply.status)
                bad = _unit("malformed", self.seed, key, k, i) < self.malformed_rate
                if bad:
                    reply = FakeReply(MALFORMED[int(_unit("which", self.seed, key, k, i) * len(MALFORMED))])
                malformed.append(bad)
                choice: dict[str, Any] = {
                    "index": i, "finish_reason": "stop",
                    "message": {"role": "assistant", "content": reply.content},
                    "logprobs": (_logprobs(reply.content, reply.p_true, int(body.get("top_logprobs") or 1))
                                 if body.get("logprobs") and self.serve_logprobs else None),
                }
                choices.append(choice)
            self._record(LogEntry(key, prompt_key, k, status, malformed))
            if status != 200:
                return _error(status, "scripted error")
            prompt_tokens = sum(len(_TOKEN.findall(_text(m.get("content")))) for m in messages)
            completion_tokens = sum(len(_TOKEN.findall(c["message"]["content"])) for c in choices)
            return web.json_response({
                "id": f"chatcmpl-{key[:12]}-{k}", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", self.model), "choices": choices,
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            })
        finally:
            with self._lock:
                self.in_flight -= 1

    def _next(self, req: FakeRequest) -> FakeReply:
        if self._queue is not None:
            if not self._queue:
                return FakeReply("script exhausted", status=500)
            reply = self._queue.pop(0)
        else:
            assert callable(self.script)
            reply = self.script(req)
        return reply if isinstance(reply, FakeReply) else FakeReply(str(reply))

    def _record(self, entry: LogEntry) -> None:
        with self._lock:
            self.log.append(entry)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "fake_error", "code": status}}, status=status)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="python -m beneficial_rl.testing.fake_openai")
    ap.add_argument("--host", default="127.0.0.1", help="Loopback address to bind.")
    ap.add_argument("--port", type=int, default=0, help="Port (0 picks a free one).")
    ap.add_argument("--latency-ms", type=float, default=0.0, help="Delay before every reply.")
    ap.add_argument("--malformed-rate", type=float, default=0.0, help="Fraction of choices replaced by malformed verdicts.")
    ap.add_argument("--error-rate", type=float, default=0.0, help="Fraction of calls answered with HTTP 500.")
    ap.add_argument("--seed", type=int, default=0, help="Seed of the malformed/error draws.")
    ap.add_argument("--reply", default=None, help="Answer every call with this text instead of the judge script.")
    ap.add_argument("--max-seconds", type=float, default=None, help="Stop by itself after this long.")
    args = ap.parse_args(argv)
    fake = FakeOpenAI(script=(lambda r: args.reply) if args.reply is not None else None,
                      latency_s=args.latency_ms / 1000, malformed_rate=args.malformed_rate,
                      error_rate=args.error_rate, seed=args.seed, host=args.host, port=args.port)

    async def serve() -> None:
        await fake.start()
        for k, v in fake.environ().items():
            print(f"{k}={v}", flush=True)
        try:
            await asyncio.sleep(args.max_seconds if args.max_seconds else 10**9)
        finally:
            await fake.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
