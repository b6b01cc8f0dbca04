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


def _rle(p: dict, s: str) -> list[list]:
    out: list[list] = []
    for ch in s:
        if out and out[-1][0] == ch:
            out[-1][1] += 1
        else:
            out.append([ch, 1])
    return out


def _longest_run(p: dict, xs: list[int]) -> int:
    best = cur = 0
    prev = None
    for x in xs:
        cur = cur + 1 if prev is not None and x == prev + p["step"] else 1
        best, prev = max(best, cur), x
    return best


def _chunks(p: dict, xs: list[int]) -> list[list[int]]:
    return [xs[i:i + p["size"]] for i in range(0, len(xs), p["size"])]


def _second_largest(p: dict, xs: list[int]) -> int | None:
    distinct = sorted(set(xs))
    return distinct[-2] if len(distinct) >= 2 else None


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


def _caesar(p: dict, s: str) -> str:
    return "".join(chr((ord(c) - 97 + p["shift"]) % 26 + 97) if "a" <= c <= "z" else c for c in s)


TEMPLATES: list[Template] = [
    Template(("sum_multiples", "total_of_multiples"), "xs",
             lambda p: f"returns the sum of the elements of the list of integers `xs` that are divisible by {p['k']} "
                       "(0 for an empty list)",
             lambda r: {"k": r.randint(2, 7)}, lambda r, p: (_ints(r),),
             lambda p, xs: sum(x for x in xs if x % p["k"] == 0)),
    Template(("running_extreme", "prefix_extreme"), "xs",
             lambda p: f"returns a list whose i-th element is the {p['op']} of `xs[0..i]` (an empty list for an empty input)",
             lambda r: {"op": r.choice(["maximum", "minimum"])}, lambda r, p: (_ints(r),), _running),
    Template(("count_vowels", "vowel_count"), "s",
             lambda p: "returns how many characters of the string `s` are vowels (a, e, i, o, u, in either case)"
                       + (", counting 'y' as a vowel too" if p["y"] else ""),
             lambda r: {"y": r.random() < 0.5}, lambda r, p: (_word(r, "aAbeEiyYouxz", (0, 12)),),
             lambda p, s: sum(c.lower() in ("aeiouy" if p["y"] else "aeiou") for c in s)),
    Template(("run_length", "encode_runs"), "s",
             lambda p: "returns the run-length encoding of the string `s` as a list of [character, count] pairs, "
                       "e.g. 'aab' gives [['a', 2], ['b', 1]]",
             lambda r: {}, lambda r, p: (_word(r, "abc", (0, 10)),), _rle),
    Template(("longest_step_run", "longest_progression"), "xs",
             lambda p: f"returns the length of the longest contiguous stretch of `xs` in which each element is "
                       f"exactly {p['step']} more than the one before (0 for an empty list, 1 if there is no such pair)",
             lambda r: {"step": r.choice([1, 2, -1])}, lambda r, p: (_ints(r, 0, 6, (0, 10)),), _longest_run),
    Template(("chunk_list", "split_into_chunks"), "xs",
             lambda p: f"splits the list `xs` into consecutive chunks of {p['size']} elements (the last chunk may be "
                       "shorter) and returns the list of chunks",
             lambda r: {"size": r.randint(2, 4)}, lambda r, p: (_ints(r),), _chunks),
    Template(("second_largest", "runner_up"), "xs",
             lambda p: "returns the second largest distinct value in the list `xs`, or None when there are fewer "
                       "than two distinct values",
             lambda r: {}, lambda r, p: (_ints(r, -5, 5),), _second_largest),
    Template(("is_balanced", "brackets_balanced"), "s",
             lambda p: "returns True if the brackets (), [] and {} in the string `s` are balanced and properly "
                       "nested, ignoring all other characters, and False otherwise",
             lambda r: {}, lambda r, p: (_word(r, "()[]{}x", (0, 10)),), _balanced),
    Template(("digit_root", "repeated_digit_sum"), "n",
             lambda p: f"takes a non-negative integer `n`, writes it in base {p['base']}, and repeatedly replaces it "
                       f"by the sum of its base-{p['base']} digits until it is less than {p['base']}; return that value",
             lambda r: {"base": r.choice([10, 10, 2, 8, 16])}, lambda r, p: (r.randint(0, 10**6),), _digit_root),
    Template(("collatz_steps", "hailstone_steps"), "n",
             lambda p: f"returns how many steps it takes to reach 1 from the positive integer `n`, where a step maps "
                       f"an even number m to m // 2 and an odd number m to {p['mult']} * m + 1",
             lambda r: {"mult": 3}, lambda r, p: (r.randint(1, 500),), _collatz),
    Template(("merge_intervals", "merge_ranges"), "pairs",
             lambda p: "takes a list of [start, end] integer intervals and returns them merged, sorted by start, "
                       + ("merging intervals that overlap or touch (end >= next start)" if p["gap"] == 0 else
                          f"merging intervals whose gap is at most {p['gap']} (next start <= end + {p['gap']})"),
             lambda r: {"gap": r.choice([0, 0, 1, 2])}, _intervals, _merge_intervals),
    Template(("caesar_shift", "rotate_letters"), "s",
             lambda p: f"shifts every lowercase letter a-z in the string `s` forward by {p['shift']} places in the "
                       "alphabet, wrapping from z to a, and leaves every other character unchanged",
             lambda r: {"shift": r.randint(1, 25)}, lambda r, p: (_sentence(r) + r.choice(["", "!", " 42"]),), _caesar),
    Template(("word_lengths", "length_histogram"), "text",
             lambda p: "returns a dict mapping each word length to how many words of the string `text` have that "
                       "length, where words are separated by spaces",
             lambda r: {}, lambda r, p: (_sentence(r),),
             lambda p, t: {k: [len(w) for w in t.split()].count(k) for k in sorted({len(w) for w in t.split()})}),
    Template(("dedupe_keep_order", "unique_in_order"), "xs",
             lambda p: "returns the elements of `xs` without duplicates, keeping the first occurrence of each and "
                       "the original order" + (", ignoring the case of strings" if p["fold"] else ""),
             lambda r: {"fold": r.random() < 0.4},
             lambda r, p: ([r.choice(["a", "A", "b", "B", "c", "d"]) for _ in range(r.randint(0, 8))],),
             lambda p, xs: [x for i, x in enumerate(xs)
                            if (x.lower() if p["fold"] else x) not in [(y.lower() if p["fold"] else y) for y in xs[:i]]]),
    Template(("pair_count", "count_pairs_with_sum"), "xs",
             lambda p: f"returns the number of index pairs i < j with xs[i] + xs[j] == {p['t']}",
             lambda r: {"t": r.randint(-3, 8)}, lambda r, p: (_ints(r, -4, 8),),
             lambda p, xs: sum(xs[i] + xs[j] == p["t"] for i in range(len(xs)) for j in range(i + 1, len(xs)))),
    Template(("to_base", "base_digits"), "n",
             lambda p: f"returns the string of digits of the non-negative integer `n` written in base {p['base']} "
                       "(digits 0-9 only, '0' for zero)",
             lambda r: {"base": r.randint(2, 9)}, lambda r, p: (r.randint(0, 5000),),
             lambda p, n: "".join(str(d) for d in _to_base(n, p["base"]))),
    Template(("rotate_list", "rotate_right"), "xs",
             lambda p: f"returns the list `xs` rotated to the right by {p['k']} positions (the last {p['k']} elements "
                       "move to the front, wrapping around for short lists; an empty list stays empty)",
             lambda r: {"k": r.randint(1, 5)}, lambda r, p: (_ints(r),),
             lambda p, xs: xs[-(p["k"] % len(xs)):] + xs[:-(p["k"] % len(xs))] if xs and p["k"] % len(xs) else list(xs)),
    Template(("is_palindrome_phrase", "palindrome_check"), "s",
             lambda p: "returns True if the string `s` reads the same backwards as forwards when only its letters are "
                       "kept and case is ignored, and False otherwise",
             lambda r: {}, lambda r, p: (r.choice(["Never odd or even", "abcba", "ab ba!", "abca", "", "Taco cat",
                                                    _word(r, "ab ", (0, 6)), _word(r, "xyz", (0, 5))]),),
             lambda p, s: [c.lower() for c in s if c.isalpha()] == [c.lower() for c in s if c.isalpha()][::-1]),
    Template(("max_window_sum", "best_window"), "xs",
             lambda p: f"returns the largest sum of {p['k']} consecutive elements of `xs`, or None if `xs` has fewer "
                       f"than {p['k']} elements",
             lambda r: {"k": r.randint(2, 4)}, lambda r, p: (_ints(r),),
             lambda p, xs: max(sum(xs[i:i + p["k"]]) for i in range(len(xs) - p["k"] + 1)) if len(xs) >= p["k"] else None),
    Template(("primes_below", "list_primes"), "n",
             lambda p: "returns the list of prime numbers less than the integer `n`, in increasing order",
             lambda r: {}, lambda r, p: (r.randint(0, 120),),
             lambda p, n: [k for k in range(2, n) if all(k % d for d in range(2, int(k**0.5) + 1))]),
    Template(("flatten_once", "flatten_nested"), "items",
             lambda p: "takes a list whose elements are integers or lists of integers"
                       + (" (nested to any depth)" if p["deep"] else " (one level deep)")
                       + " and returns a flat list of all the integers in order",
             lambda r: {"deep": r.random() < 0.5},
             lambda r, p: ([r.randint(0, 9) if r.random() < 0.5 else
                            [r.randint(0, 9), [r.randint(0, 9)]] if p["deep"] else [r.randint(0, 9)] * r.randint(0, 2)
                            for _ in range(r.randint(0, 5))],),
             lambda p, items: _flatten(items)),
    Template(("title_case", "capitalise_words"), "text",
             lambda p: "returns `text` with the first letter of every space-separated word in upper case and the rest "
                       "in lower case" + (", except that the words 'of', 'and' and 'the' stay lower case unless they "
                                          "come first" if p["small"] else ""),
             lambda r: {"small": r.random() < 0.5},
             lambda r, p: (" ".join(r.choice(["the", "OF", "and", "riVer", "Stone", "lamp", "owl"])
                                    for _ in range(r.randint(0, 6))),),
             lambda p, t: " ".join(w.lower() if p["small"] and i and w.lower() in ("of", "and", "the")
                                   else w[:1].upper() + w[1:].lower() for i, w in enumerate(t.split(" ")))),
]


def _flatten(items: list) -> list[int]:
    out: list[int] = []
    for x in items:
        out.extend(_flatten(x) if isinstance(x, list) else [x])
    return out


def make(r: random.Random, n_tests: int = 8) -> tuple[str, dict]:
    """One task: the prompt text and its target (entry point and assert statements); the worked
    example in the prompt is not one of the tests."""
    t = r.choice(TEMPLATES)
    params = t.params(r)
    name = r.choice(t.names)
    tests, seen = [], set()
    for _ in range(n_tests * 4):
        args = t.inputs(r, params)
        key = repr(args)
        if key in seen:
            continue
        seen.add(key)
        expected = t.solve(params, *args)
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

