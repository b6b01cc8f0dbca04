"""Python functions checked by unit tests run in the sandbox.

Each template has a reference implementation; the tests are its outputs on seeded random inputs,
so every expected value is computed, never written by hand. The reward is the share of tests the
reply's function passes, run in `evals.reward_hacking.sandbox` (separate process, wall-clock and
memory limits, no network): a reply that defines no function of the requested name earns 0
without running anything, and a run that hangs is killed and keeps the tests it passed before.
"""

from __future__ import annotations

import ast
import random
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from beneficial_rl.training.tasks.base import StandardItem, user

CODE_INSTRUCTION = "Reply with the complete function in a single ```python code block."
TIMEOUT_S = 5.0  # wall clock for the whole test file of one reply
MEMORY_MB = 256
MAX_CODE_CHARS = 20_000


@dataclass(frozen=True)
class Template:
    names: tuple[str, ...]  # function names to choose from
    signature: str  # argument list, e.g. "xs, k"
    describe: Callable[[dict], str]  # the task in words, given the drawn parameters
    params: Callable[[random.Random], dict]  # parameters fixed for this item (a threshold, a letter)
    inputs: Callable[[random.Random, dict], tuple]  # one random argument tuple
    solve: Callable[..., Any]  # reference implementation: solve(params, *args)


def _ints(r: random.Random, lo: int = -20, hi: int = 20, n: tuple[int, int] = (0, 9)) -> list[int]:
    return [r.randint(lo, hi) for _ in range(r.randint(*n))]


def _word(r: random.Random, letters: str = "abcde", n: tuple[int, int] = (0, 9)) -> str:
    return "".join(r.choice(letters) for _ in range(r.randint(*n)))


def _sentence(r: random.Random) -> str:
    words = ["apple", "tree", "river", "stone", "cloud", "lamp", "bird", "road", "wind", "salt", "owl", "ink"]
    return " ".join(r.choice(words) for _ in range(r.randint(0, 7)))


def _running(p: dict, xs: list[int]) -> list[int]:
    out, best = [], None
    for x in xs:
        best = x if best is None else (max(best, x) if p["op"] == "maximum" else min(best, x))
        out.append(best)
    return out


def _longest_run(p: dict, xs: list[int]) -> int:
    best = cur = 0
    prev = None
    for x in xs:
        cur = cur + 1 if prev is not None and x == prev + p["step"] else 1
        best, prev = max(best, cur), x
    return best


def _balanced(p: dict, s: str) -> bool:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for ch in s:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack


def _digit_root(p: dict, n: int) -> int:
    while n >= p["base"]:
        n = sum(int(d) for d in _to_base(n, p["base"]))
    return n


def _to_base(n: int, b: int) -> list[int]:
    digits = []
    while n:
        n, d = divmod(n, b)
        digits.append(d)
    return digits[::-1] or [0]


def _collatz(p: dict, n: int) -> int:
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else p["mult"] * n + 1
        steps += 1
    return steps


def _merge_intervals(p: dict, pairs: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for a, b in sorted(pairs):
        if out and a <= out[-1][1] + p["gap"]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _intervals(r: random.Random, p: dict) -> tuple:
    pairs = []
    for _ in range(r.randint(0, 6)):
        a = r.randint(0, 30)
        pairs.append([a, a + r.randint(0, 6)])
    return (pairs,)


def _brackets(r: random.Random) -> str:
    """Half balanced by construction, half random (random strings are almost never balanced)."""
    if r.random() < 0.5:
        return _word(r, "()[]{}x", (0, 10))
    out, stack = "", []
    for _ in range(r.randint(0, 8)):
        if stack and r.random() < 0.4:
            out += {"(": ")", "[": "]", "{": "}"}[stack.pop()]
        else:
            ch = r.choice("([{x")
            out += ch
            if ch != "x":
                stack.append(ch)
    return out + "".join({"(": ")", "[": "]", "{": "}"}[c] for c in reversed(stack))


def _factors(p: dict, n: int) -> list[int]:
    out, d = [], 2
    while d * d <= n:
        while n % d == 0:
            out.append(d)
            n //= d
        d += 1
    return out + ([n] if n > 1 else [])


def _matrix(r: random.Random) -> list[list[int]]:
    if r.random() < 0.1:
        return []
    cols = r.randint(1, 4)
    return [[r.randint(0, 9) for _ in range(cols)] for _ in range(r.randint(1, 4))]


def _interleave(p: dict, a: list[int], b: list[int]) -> list[int]:
    first, second = (a, b) if p["a_first"] else (b, a)
    out = []
    for i in range(max(len(a), len(b))):
        out += first[i:i + 1] + second[i:i + 1]
    return out


def _nested(r: random.Random) -> str:
    out, depth = "", 0
    for _ in range(r.randint(0, 12)):
        move = r.choice("(()x")
        if move == ")" and depth == 0:
            move = "x"
        depth += {"(": 1, ")": -1}.get(move, 0)
        out += move
    return out + ")" * depth


def _depth(p: dict, s: str) -> int:
    best = depth = 0
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        best = max(best, depth)
    return best


def _ranges(p: dict, xs: list[int]) -> str:
    parts, start = [], None
    for i, x in enumerate(xs):
        if start is None:
            start = x
        if i == len(xs) - 1 or xs[i + 1] != x + 1:
            parts.append(str(start) if start == x else f"{start}{p['sep']}{x}")
            start = None
    return ",".join(parts)


def _climb(p: dict, n: int) -> int:
    ways = [1] + [0] * n
    for i in range(1, n + 1):
        ways[i] = sum(ways[max(0, i - p["k"]):i])
    return ways[n]


TEMPLATES: list[Template] = [
    Template(("sum_multiples", "total_of_multiples"), "xs",
             lambda p: f"returns the sum of the elements of the list of integers `xs` that are divisible by {p['k']} "
                       "(0 for an empty list)",
             lambda r: {"k": r.randint(2, 7)}, lambda r, p: (_ints(r),),
             lambda p, xs: sum(x for x in xs if x % p["k"] == 0)),
    Template(("running_extreme", "prefix_extreme"), "xs",
             lambda p: f"returns a list whose i-th element is the {p['op']} of `xs[0..i]` (an empty list for an empty input)",
             lambda r: {"op": r.choice(["maximum", "minimum"])}, lambda r, p: (_ints(r),), _running),
    Template(("longest_step_run", "longest_progression"), "xs",
             lambda p: f"returns the length of the longest contiguous stretch of `xs` in which each element is "
                       f"exactly {p['step']} more than the one before (0 for an empty list, 1 if there is no such pair)",
             lambda r: {"step": r.choice([1, 2, -1])}, lambda r, p: (_ints(r, 0, 5, (0, 10)),), _longest_run),
    Template(("is_balanced", "brackets_balanced"), "s",
             lambda p: "returns True if the brackets (), [] and {} in the string `s` are balanced and properly "
                       "nested, ignoring all other characters, and False otherwise",
             lambda r: {}, lambda r, p: (_brackets(r),), _balanced),
    Template(("digit_root", "repeated_digit_sum"), "n",
             lambda p: f"takes a non-negative integer `n`, writes it in base {p['base']}, and repeatedly replaces it "
                       f"by the sum of its base-{p['base']} digits until it is less than {p['base']}; return that value",
             lambda r: {"base": r.choice([10, 10, 7, 8, 16])}, lambda r, p: (r.randint(0, 10**6),), _digit_root),
    Template(("collatz_steps", "hailstone_steps"), "n",
             lambda p: f"returns how many steps it takes to reach 1 from the positive integer `n`, where a step maps "
                       f"an even number m to m // 2 and an odd number m to {p['mult']} * m + 1",
             lambda r: {"mult": 3}, lambda r, p: (r.randint(1, 500),), _collatz),
    Template(("merge_intervals", "merge_ranges"), "pairs",
             lambda p: "takes a list of [start, end] integer intervals and returns them merged, sorted by start, "
                       + ("merging intervals that overlap or touch (end >= next start)" if p["gap"] == 0 else
                          f"merging intervals whose gap is at most {p['gap']} (next start <= end + {p['gap']})"),
             lambda r: {"gap": r.choice([0, 0, 1, 2])}, _intervals, _merge_intervals),
    Template(("word_lengths", "length_histogram"), "text",
             lambda p: "returns a dict mapping each word length to how many words of the string `text` have that "
                       "length, where words are separated by spaces",
             lambda r: {}, lambda r, p: (_sentence(r),),
             lambda p, t: {k: [len(w) for w in t.split()].count(k) for k in sorted({len(w) for w in t.split()})}),
    Template(("pair_count", "count_pairs_with_sum"), "xs",
             lambda p: f"returns the number of index pairs i < j with xs[i] + xs[j] == {p['t']}",
             lambda r: {"t": r.randint(-3, 8)}, lambda r, p: (_ints(r, -4, 8, (3, 9)),),
             lambda p, xs: sum(xs[i] + xs[j] == p["t"] for i in range(len(xs)) for j in range(i + 1, len(xs)))),
    Template(("to_base", "base_digits"), "n",
             lambda p: f"returns the string of digits of the non-negative integer `n` written in base {p['base']} "
                       "(digits 0-9 only, '0' for zero)",
             lambda r: {"base": r.randint(2, 9)}, lambda r, p: (r.randint(0, 5000),),
             lambda p, n: "".join(str(d) for d in _to_base(n, p["base"]))),
    Template(("max_window_sum", "best_window"), "xs",
             lambda p: f"returns the largest sum of {p['k']} consecutive elements of `xs`, or None if `xs` has fewer "
                       f"than {p['k']} elements",
             lambda r: {"k": r.randint(2, 4)}, lambda r, p: (_ints(r, n=(p["k"] - 1, 9)),),
             lambda p, xs: max(sum(xs[i:i + p["k"]]) for i in range(len(xs) - p["k"] + 1)) if len(xs) >= p["k"] else None),
    Template(("title_case", "capitalise_words"), "text",
             lambda p: "returns `text` with the first letter of every space-separated word in upper case and the rest "
                       "in lower case" + (", except that the words 'of', 'and' and 'the' stay lower case unless they "
                                          "come first" if p["small"] else ""),
             lambda r: {"small": r.random() < 0.5},
             lambda r, p: (" ".join(r.choice(["the", "OF", "and", "riVer", "Stone", "lamp", "owl"])
                                    for _ in range(r.randint(0, 6))),),
             lambda p, t: " ".join(w.lower() if p["small"] and i and w.lower() in ("of", "and", "the")
                                   else w[:1].upper() + w[1:].lower() for i, w in enumerate(t.split(" ")))),
    Template(("prime_factors", "factorise"), "n",
             lambda p: "returns the prime factors of the integer `n` (n >= 2) in increasing order, each repeated as "
                       "often as it divides n" + (" (so 12 gives [2, 2, 3])" if p["show"] else ""),
             lambda r: {"show": r.random() < 0.5}, lambda r, p: (r.randint(2, 3000),), _factors),
    Template(("transpose", "flip_rows_columns"), "rows",
             lambda p: "takes a rectangular matrix given as a list of equal-length rows and returns its transpose "
                       "(an empty list stays empty)",
             lambda r: {}, lambda r, p: (_matrix(r),),
             lambda p, rows: [list(col) for col in zip(*rows, strict=True)] if rows else []),
    Template(("interleave", "zip_alternate"), "a, b",
             lambda p: "returns a list taking elements alternately from the lists `a` and `b`, starting with " +
                       ("`a`" if p["a_first"] else "`b`") + ", and appending whatever is left of the longer list",
             lambda r: {"a_first": r.random() < 0.6}, lambda r, p: (_ints(r, 0, 9, (0, 5)), _ints(r, 10, 19, (0, 5))),
             _interleave),
    Template(("max_depth", "nesting_depth"), "s",
             lambda p: "returns the greatest nesting depth of the parentheses in the string `s` (0 if there are none); "
                       "you may assume they are balanced",
             lambda r: {}, lambda r, p: (_nested(r),), _depth),
    Template(("majority", "majority_element"), "xs",
             lambda p: "returns the element that occurs in more than half of the positions of the list `xs`, or None "
                       "if there is no such element",
             lambda r: {}, lambda r, p: ([r.choice([1, 1, 1, 2, 3]) for _ in range(r.randint(0, 8))],),
             lambda p, xs: next((x for x in set(xs) if xs.count(x) * 2 > len(xs)), None)),
    Template(("compress_ranges", "summarise_ranges"), "xs",
             lambda p: "takes a sorted list of distinct integers and returns a string describing it as comma-separated "
                       f"ranges, where a run of consecutive numbers a..b is written 'a{p['sep']}b' and a lone number as "
                       "itself (e.g. [1, 2, 3, 7] gives " + f"'1{p['sep']}3,7')",
             lambda r: {"sep": r.choice(["-", ".."])},
             lambda r, p: (sorted(r.sample(range(0, 25), r.randint(0, 9))),), _ranges),
    Template(("most_common", "mode_value"), "xs",
             lambda p: "returns the most frequent element of the non-empty list of integers `xs`; when several are "
                       f"equally frequent, return the {p['tie']} of them",
             lambda r: {"tie": r.choice(["smallest", "largest"])},
             lambda r, p: ([r.randint(0, 6) for _ in range(r.randint(1, 9))],),
             lambda p, xs: (min if p["tie"] == "smallest" else max)(x for x in xs if xs.count(x) == max(map(xs.count, xs)))),
    Template(("climb_ways", "count_stair_paths"), "n",
             lambda p: f"returns the number of ways to climb a staircase of `n` steps (n >= 0) when each move climbs "
                       f"between 1 and {p['k']} steps (climbing zero steps counts as one way)",
             lambda r: {"k": r.randint(2, 4)}, lambda r, p: (r.randint(0, 25),), _climb),
]


def make(r: random.Random, n_tests: int = 8) -> tuple[str, dict]:
    """One task: the prompt text and its target (entry point and assert statements); the worked
    example in the prompt is not one of the tests."""
    t = r.choice(TEMPLATES)
    params = t.params(r)
    name = r.choice(t.names)
    tests, seen, per_value = [], set(), {}
    for _ in range(n_tests * 40):
        args = t.inputs(r, params)
        key = repr(args)
        if key in seen:
            continue
        expected = t.solve(params, *args)
        value = repr(expected)
        if tests and per_value.get(value, 0) >= n_tests // 2:  # tests[0] becomes the prompt's example
            continue  # no one output (None, False, 0) may pass half the tests on its own
        seen.add(key)
        if tests:
            per_value[value] = per_value.get(value, 0) + 1
        tests.append(f"assert {name}({', '.join(repr(a) for a in args)}) == {expected!r}")
        if len(tests) == n_tests + 1:
            break
    example = tests.pop(0).removeprefix("assert ")  # shown in the prompt, so not among the tests
    text = (f"Write a Python function `{name}({t.signature})` that {t.describe(params)}. For example, `{example}`. "
            f"{CODE_INSTRUCTION}")
    return text, {"entry": name, "tests": tests}


def stream(seed: str, task: str = "code") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        text, target = make(rng)
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(text), reward_kind="code", target=target)
        i += 1


_FENCE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)


def extract_code(text: str) -> str | None:
    """The reply's code: the last fenced block that parses, else the whole reply if it parses."""
    for block in reversed(_FENCE.findall(text)):
        if _parses(block):
            return block
    return text if _parses(text) else None


def _parses(code: str) -> bool:
    if not code.strip() or len(code) > MAX_CODE_CHARS:
        return False
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def defines(code: str, entry: str) -> bool:
    tree = ast.parse(code)
    return any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == entry for n in ast.walk(tree)) \
        or any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == entry for t in n.targets)
               for n in ast.walk(tree))


# Runs in the sandbox: the solution first, then each test, reporting progress after every test so
# a run killed for time keeps what it passed. The marker carries a per-run nonce the solution
# cannot know, so printing a fake tally earns nothing.
_HARNESS = """
import sys
_out = sys.__stdout__
_tests = {tests!r}
_ns = {{"__name__": "solution"}}
try:
    exec(compile(open("solution.py", encoding="utf-8").read(), "solution.py", "exec"), _ns)
except BaseException:
    _out.write("{nonce} load-failed\\n"); _out.flush(); raise SystemExit(0)
{setup}
_passed = 0
for _t in _tests:
    try:
        exec(_t, _ns)
        _passed += 1
    except BaseException:
        pass
    _out.write("{nonce} %d\\n" % _passed); _out.flush()
"""


def run_tests(code: str, tests: list[str], setup: str = "", timeout_s: float = TIMEOUT_S) -> int:
    """How many of `tests` pass against `code`, run in the sandbox."""
    from beneficial_rl.evals.reward_hacking.sandbox import run_python

    nonce = "BRL" + secrets.token_hex(8)
    harness = _HARNESS.format(tests=tests, nonce=nonce, setup=f"exec({setup!r}, _ns)" if setup else "")
    result = run_python({"solution.py": code, "harness.py": harness}, "harness.py", timeout_s=timeout_s,
                        memory_mb=MEMORY_MB, max_output_bytes=200_000)
    counts = [line.split()[1] for line in result.stdout.splitlines() if line.startswith(nonce + " ")]
    return int(counts[-1]) if counts and counts[-1].isdigit() else 0


def verify(text: str, target: dict) -> float:
    """Share of unit tests passed; 0 for a reply with no parsable code defining the entry point."""
    tests = target["tests"]
    code = extract_code(text)
    entry = target.get("entry")
    if code is None or not tests or (entry and not defines(code, entry)):
        return 0.0
    return run_tests(code, tests, target.get("setup", "")) / len(tests)


def validate(target: Any) -> dict:
    """Raise ValueError for a code target this verifier cannot run (external rows)."""
    if not isinstance(target, dict) or not isinstance(target.get("tests"), list) or not target["tests"]:
        raise ValueError("a code target needs a non-empty list of `tests` (Python assert statements)")
    for t in target["tests"]:
        if not isinstance(t, str) or not _parses(t):
            raise ValueError(f"test {t!r} is not a Python statement")
    return target

