"""Programmatic checks for IFEval instruction ids, shared by the IFEval loader and our own
instruction-following items, so both are scored by one implementation.

Each checker takes the response and that instruction's kwargs (IFEval's own argument names) and
returns whether the response follows it, in IFEval's *strict* sense: the response is checked as
written, with no loosening (no stripping of first/last lines or markdown). The semantics follow
google-research's `instruction_following_eval/instructions.py`, with two documented deviations:

- `change_case:english_lowercase` / `english_capital` check the case only. IFEval also requires
  `langdetect` to say English; we ship no language detector, so a response in the right case but
  another language is credited. That matters only for a model that switches language.
- `change_case:capital_word_frequency` counts whitespace tokens (surrounding punctuation stripped)
  instead of nltk's word tokens; "I'm" counts as one lowercase-containing token, not "I" + "'m".

Instructions we cannot check (`language:response_language`, any unknown id, or a known id whose
kwargs are missing) are *unscorable*: they are excluded from the denominator and counted, never
guessed.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RELATIONS = ("less than", "at least")
CONSTRAINED_RESPONSES = ("My answer is yes.", "My answer is no.", "My answer is maybe.")


def _compare(count: int, relation: str, n: int) -> bool:
    if relation == "less than":
        return count < n
    if relation == "at least":
        return count >= n
    raise ValueError(f"relation must be one of {RELATIONS}, got {relation!r}")


# ---- text units, as IFEval counts them -------------------------------------------------------

def count_words(text: str) -> int:
    """IFEval counts `\\w+` tokens (nltk's RegexpTokenizer(r"\\w+"))."""
    return len(re.findall(r"\w+", text))


_ALPHA = "([A-Za-z])"
_PREFIXES = "(Mr|St|Mrs|Ms|Dr)[.]"
_SUFFIXES = "(Inc|Ltd|Jr|Sr|Co)"
_STARTERS = r"(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\s|She\s|It\s|They\s|Their\s|Our\s|We\s|But\s|However\s|That\s|This\s|Wherever)"
_ACRONYMS = "([A-Z][.][A-Z][.](?:[A-Z][.])?)"
_WEBSITES = "[.](com|net|org|io|gov|edu|me)"
_DIGITS = "([0-9])"


def split_sentences(text: str) -> list[str]:
    """IFEval's rule-based sentence splitter: abbreviations, decimals and initials do not end a
    sentence; '.', '?' and '!' do."""
    text = " " + text + "  "
    text = text.replace("\n", " ")
    text = re.sub(_PREFIXES, "\\1<prd>", text)
    text = re.sub(_WEBSITES, "<prd>\\1", text)
    text = re.sub(_DIGITS + "[.]" + _DIGITS, "\\1<prd>\\2", text)
    text = re.sub(r"\.{2,}", lambda m: "<prd>" * len(m.group(0)) + "<stop>", text)
    text = text.replace("Ph.D.", "Ph<prd>D<prd>")
    text = re.sub(r"\s" + _ALPHA + "[.] ", " \\1<prd> ", text)
    text = re.sub(_ACRONYMS + " " + _STARTERS, "\\1<stop> \\2", text)
    text = re.sub(_ALPHA + "[.]" + _ALPHA + "[.]" + _ALPHA + "[.]", "\\1<prd>\\2<prd>\\3<prd>", text)
    text = re.sub(_ALPHA + "[.]" + _ALPHA + "[.]", "\\1<prd>\\2<prd>", text)
    text = re.sub(" " + _SUFFIXES + "[.] " + _STARTERS, " \\1<stop> \\2", text)
    text = re.sub(" " + _SUFFIXES + "[.]", " \\1<prd>", text)
    text = re.sub(" " + _ALPHA + "[.]", " \\1<prd>", text)
    text = text.replace(".\u201d", "\u201d.").replace('."', '".').replace('!"', '"!').replace('?"', '"?')
    text = text.replace(".", ".<stop>").replace("?", "?<stop>").replace("!", "!<stop>")
    text = text.replace("<prd>", ".")
    sentences = [s.strip() for s in text.split("<stop>")]
    if sentences and not sentences[-1]:
        sentences = sentences[:-1]
    return sentences


# ---- the checkers ----------------------------------------------------------------------------

def no_comma(text: str, kw: Mapping[str, Any]) -> bool:
    return "," not in text


def number_words(text: str, kw: Mapping[str, Any]) -> bool:
    return _compare(count_words(text), kw["relation"], int(kw["num_words"]))


def number_sentences(text: str, kw: Mapping[str, Any]) -> bool:
    return _compare(len(split_sentences(text)), kw["relation"], int(kw["num_sentences"]))


def number_paragraphs(text: str, kw: Mapping[str, Any]) -> bool:
    """Paragraphs separated by the markdown divider `***`; an empty one in the middle fails."""
    parts = re.split(r"\s?\*\*\*\s?", text)
    count = len(parts)
    for i, p in enumerate(parts):
        if not p.strip():
            if i in (0, len(parts) - 1):
                count -= 1
            else:
                return False
    return count == int(kw["num_paragraphs"])


def nth_paragraph_first_word(text: str, kw: Mapping[str, Any]) -> bool:
    """Paragraphs separated by blank lines; exactly `num_paragraphs` of them, and paragraph
    `nth_paragraph` (1-based) starts with `first_word`."""
    parts = re.split(r"\n\n", text)
    count = sum(1 for p in parts if p.strip())
    nth = int(kw["nth_paragraph"])
    if nth < 1 or nth > count or not parts[nth - 1].strip():
        return False
    word = parts[nth - 1].strip().split()[0].strip().lstrip("'").lstrip('"')
    first = ""
    for ch in word:
        if ch in {".", ",", "?", "!", "'", '"'}:
            break
        first += ch.lower()
    return count == int(kw["num_paragraphs"]) and first == str(kw["first_word"]).lower()


def number_bullet_lists(text: str, kw: Mapping[str, Any]) -> bool:
    """Exactly `num_bullets` markdown bullets (`* item` or `- item` lines)."""
    stars = re.findall(r"^\s*\*[^\*].*$", text, flags=re.MULTILINE)
    dashes = re.findall(r"^\s*-.*$", text, flags=re.MULTILINE)
    return len(stars) + len(dashes) == int(kw["num_bullets"])


def json_format(text: str, kw: Mapping[str, Any]) -> bool:
    body = text.strip()
    for fence in ("```json", "```Json", "```JSON", "```"):
        body = body.removeprefix(fence)
    body = body.removesuffix("```").strip()
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def title(text: str, kw: Mapping[str, Any]) -> bool:
    """A title in double angular brackets, e.g. <<poem of joy>>."""
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", text))


def number_highlighted_sections(text: str, kw: Mapping[str, Any]) -> bool:
    """At least `num_highlights` non-empty *highlighted* (or **bold**) spans."""
    n = sum(1 for h in re.findall(r"\*[^\n\*]*\*", text) if h.strip("*").strip())
    n += sum(1 for h in re.findall(r"\*\*[^\n\*]*\*\*", text) if h.removeprefix("**").removesuffix("**").strip())
    return n >= int(kw["num_highlights"])


def constrained_response(text: str, kw: Mapping[str, Any]) -> bool:
    return any(option in text.strip() for option in CONSTRAINED_RESPONSES)


def multiple_sections(text: str, kw: Mapping[str, Any]) -> bool:
    """At least `num_sections` sections, each opened by `<section_spliter> <number>`."""
    pattern = r"\s?" + re.escape(str(kw["section_spliter"]).strip()) + r"\s?\d+\s?"
    return len(re.split(pattern, text)) - 1 >= int(kw["num_sections"])


def english_lowercase(text: str, kw: Mapping[str, Any]) -> bool:
    return text.islower()


def english_capital(text: str, kw: Mapping[str, Any]) -> bool:
    return text.isupper()


def capital_word_frequency(text: str, kw: Mapping[str, Any]) -> bool:
    tokens = [t.strip(string.punctuation) for t in text.split()]
    capitals = [t for t in tokens if t and t.isupper()]
    return _compare(len(capitals), kw["capital_relation"], int(kw["capital_frequency"]))


def keyword_existence(text: str, kw: Mapping[str, Any]) -> bool:
    return all(re.search(re.escape(k), text, flags=re.IGNORECASE) for k in kw["keywords"])


def forbidden_words(text: str, kw: Mapping[str, Any]) -> bool:
    return not any(re.search(r"\b" + re.escape(w) + r"\b", text, flags=re.IGNORECASE) for w in kw["forbidden_words"])


def keyword_frequency(text: str, kw: Mapping[str, Any]) -> bool:
    count = len(re.findall(re.escape(kw["keyword"]), text, flags=re.IGNORECASE))
    return _compare(count, kw["relation"], int(kw["frequency"]))


def letter_frequency(text: str, kw: Mapping[str, Any]) -> bool:
    count = Counter(text.lower())[str(kw["letter"]).lower()]
    return _compare(count, kw["let_relation"], int(kw["let_frequency"]))


def end_checker(text: str, kw: Mapping[str, Any]) -> bool:
    return text.strip().strip('"').lower().endswith(str(kw["end_phrase"]).strip().lower())


def quotation(text: str, kw: Mapping[str, Any]) -> bool:
    body = text.strip()
    return len(body) > 1 and body[0] == '"' and body[-1] == '"'


def postscript(text: str, kw: Mapping[str, Any]) -> bool:
    marker = str(kw["postscript_marker"]).strip()
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:
        pattern = r"\s*" + re.escape(marker.lower()) + r".*$"
    return bool(re.findall(pattern, text.lower(), flags=re.MULTILINE))


def number_placeholders(text: str, kw: Mapping[str, Any]) -> bool:
    """At least `num_placeholders` square-bracket placeholders such as [address]."""
    return len(re.findall(r"\[.*?\]", text)) >= int(kw["num_placeholders"])


def repeat_prompt(text: str, kw: Mapping[str, Any]) -> bool:
    return text.strip().lower().startswith(str(kw["prompt_to_repeat"]).strip().lower())


def two_responses(text: str, kw: Mapping[str, Any]) -> bool:
    """Two different responses separated by six asterisks."""
    parts = text.split("******")
    valid = []
    for i, p in enumerate(parts):
        if not p.strip():
            if i not in (0, len(parts) - 1):
                return False
        else:
            valid.append(p)
    return len(valid) == 2 and valid[0].strip() != valid[1].strip()


Checker = Callable[[str, Mapping[str, Any]], bool]

# id -> (checker, kwargs it needs)
CHECKERS: dict[str, tuple[Checker, tuple[str, ...]]] = {
    "punctuation:no_comma": (no_comma, ()),
    "length_constraints:number_words": (number_words, ("num_words", "relation")),
    "length_constraints:number_sentences": (number_sentences, ("num_sentences", "relation")),
    "length_constraints:number_paragraphs": (number_paragraphs, ("num_paragraphs",)),
    "length_constraints:nth_paragraph_first_word": (nth_paragraph_first_word,
                                                    ("num_paragraphs", "nth_paragraph", "first_word")),
    "detectable_format:number_bullet_lists": (number_bullet_lists, ("num_bullets",)),
    "detectable_format:json_format": (json_format, ()),
    "detectable_format:title": (title, ()),
    "detectable_format:number_highlighted_sections": (number_highlighted_sections, ("num_highlights",)),
    "detectable_format:constrained_response": (constrained_response, ()),
    "detectable_format:multiple_sections": (multiple_sections, ("section_spliter", "num_sections")),
    "change_case:english_lowercase": (english_lowercase, ()),
    "change_case:english_capital": (english_capital, ()),
    "change_case:capital_word_frequency": (capital_word_frequency, ("capital_frequency", "capital_relation")),
    "keywords:existence": (keyword_existence, ("keywords",)),
    "keywords:forbidden_words": (forbidden_words, ("forbidden_words",)),
    "keywords:frequency": (keyword_frequency, ("keyword", "frequency", "relation")),
    "keywords:letter_frequency": (letter_frequency, ("letter", "let_frequency", "let_relation")),
    "startend:end_checker": (end_checker, ("end_phrase",)),
    "startend:quotation": (quotation, ()),
    "detectable_content:postscript": (postscript, ("postscript_marker",)),
    "detectable_content:number_placeholders": (number_placeholders, ("num_placeholders",)),
    "combination:repeat_prompt": (repeat_prompt, ("prompt_to_repeat",)),
    "combination:two_responses": (two_responses, ()),
}

_RELATION_KEYS = ("relation", "capital_relation", "let_relation")
_INT_KEYS = {"num_words", "num_sentences", "num_paragraphs", "nth_paragraph", "num_bullets", "num_highlights",
             "num_sections", "capital_frequency", "frequency", "let_frequency", "num_placeholders"}
_LIST_KEYS = {"keywords", "forbidden_words"}


def clean_kwargs(kwargs: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop the None placeholders the hub copy of IFEval carries for every unused argument."""
    return {k: v for k, v in (kwargs or {}).items() if v is not None}


def why_unscorable(instruction_id: str, kwargs: Mapping[str, Any]) -> str | None:
    """None when the instruction can be checked; otherwise the reason it cannot."""
    if instruction_id not in CHECKERS:
        return "no checker for this instruction id"
    missing = [k for k in CHECKERS[instruction_id][1] if k not in kwargs]
    if missing:
        return f"missing kwargs: {', '.join(missing)}"
    needs = CHECKERS[instruction_id][1]
    bad = [k for k in _RELATION_KEYS if k in needs and kwargs[k] not in RELATIONS]
    if bad:
        return f"{bad[0]} must be one of {RELATIONS}"
    for k in _INT_KEYS.intersection(needs):
        try:
            int(kwargs[k])
        except (TypeError, ValueError):
            return f"{k} must be an integer, got {kwargs[k]!r}"
    for k in _LIST_KEYS.intersection(needs):
        if not isinstance(kwargs[k], list | tuple) or not all(isinstance(w, str) for w in kwargs[k]):
            return f"{k} must be a list of strings"
    return None


@dataclass
class Outcome:
    """Per-instruction verdicts for one response; unscorable instructions are listed, not scored."""

    followed: list[tuple[str, bool]] = field(default_factory=list)  # (id, followed), in prompt order
    unscorable: list[tuple[str, str]] = field(default_factory=list)  # (id, why)

    @property
    def score(self) -> float | None:
        """Instruction-level strict accuracy over the scorable instructions (None if none)."""
        return sum(ok for _, ok in self.followed) / len(self.followed) if self.followed else None

    @property
    def all_followed(self) -> bool | None:
        """Prompt-level strict: every scorable instruction followed."""
        return all(ok for _, ok in self.followed) if self.followed else None


def check(response: str, instruction_ids: Sequence[str], kwargs_list: Sequence[Mapping[str, Any] | None]) -> Outcome:
    """Check every instruction of one prompt against the response."""
    if len(instruction_ids) != len(kwargs_list):
        raise ValueError(f"{len(instruction_ids)} instruction ids but {len(kwargs_list)} kwargs entries")
    out = Outcome()
    for iid, raw in zip(instruction_ids, kwargs_list, strict=True):
        kw = clean_kwargs(raw)
        reason = why_unscorable(iid, kw)
        if reason is not None:
            out.unscorable.append((iid, reason))
            continue
        out.followed.append((iid, bool(CHECKERS[iid][0](response, kw))))
    return out


def degenerate_reply(reply: str, request: str) -> str | None:
    """An empty reply, or the request copied back verbatim (all of the reply's words, in order, are a
    stretch of the request): no attempt at the task, though it satisfies several checks vacuously.
    Short replies and JSON are legitimate answers to some instructions, so nothing else is gated."""
    words = re.findall(r"\w+", reply.lower())
    if not words:
        return "empty"
    if len(words) >= 5 and " ".join(words) in " ".join(re.findall(r"\w+", request.lower())):
        return "echo"
    return None


def instruction_judge():
    """An eval Judge: the share of a sample's scorable instructions the response follows.

    Reads `instruction_id_list` and `kwargs` from the sample metadata. A sample with no scorable
    instruction scores None (excluded); the unscorable ones are recorded per sample.
    """

    async def judge(state, target, ctx):
        from beneficial_rl.evals.common import prompt_messages

        reply = state.output.completion
        request = next((m["content"] for m in reversed(prompt_messages(state)) if m["role"] == "user"), "")
        why = degenerate_reply(reply, request)
        if why is not None:  # they satisfy "no commas", "lowercase"... vacuously
            return 0.0, {"non_answer": why, "followed": [], "unscorable": [], "prompt_strict": False,
                         "weight": len(state.metadata["instruction_id_list"])}
        out = check(reply, state.metadata["instruction_id_list"], state.metadata["kwargs"])
        return out.score, {
            "followed": [{"id": i, "followed": ok} for i, ok in out.followed],
            "unscorable": [{"id": i, "why": why} for i, why in out.unscorable],
            "prompt_strict": out.all_followed,
            # instructions checked: means pool instructions (IFEval's instruction-level accuracy), not prompts
            "weight": len(out.followed),
        }

    return judge
