import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import aiohttp
import pytest

from beneficial_rl.testing.fake_openai import MALFORMED, FakeOpenAI, FakeReply, judge_script


def post(fake, body, key="fake-key"):
    req = urllib.request.Request(fake.base_url + "/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def chat(prompt, **kw):
    return {"model": "judge", "messages": [{"role": "user", "content": prompt}], **kw}


def test_scripted_list_replies_in_order_with_usage():
    with FakeOpenAI(script=["first", FakeReply("second")]) as fake:
        a, b = post(fake, chat("hi")), post(fake, chat("hi"))
        assert [a["choices"][0]["message"]["content"], b["choices"][0]["message"]["content"]] == ["first", "second"]
        assert a["usage"]["completion_tokens"] > 0 and a["usage"]["total_tokens"] == a["usage"]["prompt_tokens"] + 1
        with pytest.raises(urllib.error.HTTPError) as e:  # exhausted script is an error, not a silent default
            post(fake, chat("hi"))
        assert e.value.code == 500


def test_callable_script_sees_prompt_and_choice_index_and_n_choices():
    with FakeOpenAI(script=lambda r: f"{r.prompt}:{r.choice}") as fake:
        out = post(fake, chat("q", n=3))
        assert [c["message"]["content"] for c in out["choices"]] == ["q:0", "q:1", "q:2"]


def test_logprobs_carry_p_true_on_boolean_tokens():
    with FakeOpenAI(script=lambda r: FakeReply('ok\n{"met": {"1": true, "2": false}}', [0.8, 0.3])) as fake:
        lp = post(fake, chat("q", logprobs=True, top_logprobs=2))["choices"][0]["logprobs"]["content"]
        assert "".join(t["token"] for t in lp) == 'ok\n{"met": {"1": true, "2": false}}'
        bools = [t for t in lp if t["token"].strip() in ("true", "false")]
        assert [round(2.718281828 ** t["logprob"], 3) for t in bools] == [0.8, 0.7]
        assert {a["token"].strip() for a in bools[0]["top_logprobs"]} == {"true", "false"}
        assert post(fake, chat("q"))["choices"][0]["logprobs"] is None


def test_judge_script_answers_in_the_prompts_json_shape():
    from beneficial_rl.testing.fake_openai import FakeRequest

    reply = judge_script(FakeRequest([{"role": "user", "content": 'grade\n{"met": {"1": true, "2": false}}'}], 0, {}))
    verdict = json.loads(reply.content.splitlines()[-1])
    assert set(verdict["met"]) == {"1", "2"} and all(isinstance(v, bool) for v in verdict["met"].values())
    assert len(reply.p_true) == 2


def test_malformed_and_error_draws_are_logged_and_deterministic():
    def run():
        with FakeOpenAI(malformed_rate=0.5, error_rate=0.2, seed=3, script=lambda r: 'x\n{"met": true}') as fake:
            statuses = []
            for i in range(40):
                try:
                    post(fake, chat(f"p{i}"))
                    statuses.append(200)
                except urllib.error.HTTPError as e:
                    statuses.append(e.code)
            return statuses, [(e.status, e.malformed) for e in fake.log]

    first, second = run(), run()
    assert first == second
    statuses, log = first
    assert 0 < statuses.count(500) < 40
    bad = sum(m[0] for s, m in log if s == 200)
    assert 0 < bad < statuses.count(200)


def test_malformed_replies_come_from_the_catalogue():
    with FakeOpenAI(malformed_rate=1.0) as fake:
        assert post(fake, chat('x\n{"met": true}'))["choices"][0]["message"]["content"] in MALFORMED


def test_wrong_key_is_rejected_and_streaming_refused():
    with FakeOpenAI() as fake:
        with pytest.raises(urllib.error.HTTPError) as e:
            post(fake, chat("q"), key="wrong")
        assert e.value.code == 401
        with pytest.raises(urllib.error.HTTPError) as e:
            post(fake, chat("q", stream=True))
        assert e.value.code == 400


def test_binds_loopback_only():
    with pytest.raises(ValueError):
        FakeOpenAI(host="0.0.0.0")


def test_concurrent_calls_overlap():
    """64 calls of 100 ms with 64 in flight finish in well under the 6.4 s they take one by one."""
    with FakeOpenAI(latency_s=0.1, script=lambda r: "ok") as fake:
        async def go():
            async with aiohttp.ClientSession(headers={"Authorization": "Bearer fake-key"}) as s:
                async def one(i):
                    async with s.post(fake.base_url + "/chat/completions", json=chat(f"{i}")) as r:
                        return r.status
                t = time.perf_counter()
                codes = await asyncio.gather(*(one(i) for i in range(64)))
                return codes, time.perf_counter() - t
        codes, took = asyncio.run(go())
        assert codes == [200] * 64 and took < 1.5 and fake.max_in_flight >= 32


def test_runs_as_a_module_and_stops_by_itself():
    proc = subprocess.run([sys.executable, "-m", "beneficial_rl.testing.fake_openai", "--max-seconds", "1", "--reply", "hi"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "FAKE_BASE_URL=http://127.0.0.1:" in proc.stdout
