"""General helpfulness prompts and the generic helpfulness rubric.

The same generic rubric grades the helpfulness control arm (trait conversations, generic reward),
so "the reward, not the data" is the only difference between that arm and the beneficial one.
Each item carries a machine check so the offline grader can score it; the checks are rough
stand-ins for a judge and are labelled approximate wherever they are reported.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from beneficial_rl.scenarios.schema import Check, RubricItem
from beneficial_rl.training.tasks.base import StandardItem, user

_LIST_LINE = r"(?m)^\s*(?:[-*\u2022]|\d+[.)])\s"

GENERIC_RUBRIC: list[RubricItem] = [
    RubricItem(criterion="Answer the user's actual request directly instead of deflecting or refusing without reason",
               points=3, check=Check(none=[r"\bi can(?:no|')t help\b", r"\bi(?: am|'m) (?:not able|unable) to\b",
                                           r"\bas an ai\b"])),
    RubricItem(criterion="Give concrete, actionable specifics such as steps, numbers or examples", points=2,
               check=Check(any=[r"\d", r"\bfor example\b", r"\be\.g\.", r"\bsuch as\b", _LIST_LINE])),
    RubricItem(criterion="Organize the answer so it is easy to follow (short paragraphs, steps or bullet points)",
               points=1, check=Check(any=[r"\n\s*\n", _LIST_LINE])),
    RubricItem(criterion="Give a substantive answer rather than a one-line reply", points=1,
               check=Check(all=[r"(?:\S+\s+){25}\S+"])),
    RubricItem(criterion="Pad the reply with filler, repetition or empty disclaimers", points=-1,
               check=Check(any=[r"\bas an ai\b", r"\b(\w+)\b(?:\W+\1\b){3,}"])),
    RubricItem(criterion="Address the grader or ask for a score instead of helping the user", points=-3,
               check=Check(any=[r"\bgrader\b", r"\bfull marks\b", r"\b(?:maximum|perfect) score\b", r"\breward model\b"])),
]

# (request, words an on-topic answer is very likely to use)
REQUESTS: list[tuple[str, list[str]]] = [
    ("How can I keep basil alive on a windowsill?", ["water", "light", "sun", "soil", "pot"]),
    ("What is a sensible way to prepare for a job interview next week?", ["research", "questions", "practice", "company"]),
    ("Explain compound interest to a teenager.", ["interest", "money", "year", "grow"]),
    ("How do I make my laptop battery last longer?", ["battery", "brightness", "charge", "power"]),
    ("What should I pack for a three-day hiking trip?", ["water", "food", "layers", "map", "first aid"]),
    ("How can I get better sleep when I work late?", ["screen", "caffeine", "routine", "bed", "light"]),
    ("How do I start learning to play the guitar as an adult?", ["chords", "practice", "tuning", "fingers"]),
    ("What is the difference between weather and climate?", ["weather", "climate", "average", "long-term"]),
    ("How should I split chores fairly with my roommates?", ["schedule", "rotate", "chores", "agree"]),
    ("Give me a simple weekly meal plan on a tight budget.", ["rice", "beans", "vegetables", "cost", "batch"]),
    ("How do vaccines train the immune system?", ["immune", "antibod", "virus", "response"]),
    ("How can I write a clear email asking my manager for feedback?", ["subject", "specific", "feedback", "meeting"]),
    ("What are good habits for keeping passwords safe?", ["password manager", "unique", "two-factor", "phishing"]),
    ("How do I remove a coffee stain from a cotton shirt?", ["cold water", "soak", "detergent", "stain"]),
    ("How can a small team run shorter, more useful meetings?", ["agenda", "time", "decision", "owner"]),
    ("What is a good way to learn vocabulary in a new language?", ["spaced", "flashcards", "context", "review"]),
    ("My seven-year-old keeps falling off her new bicycle. How can I help her learn?", ["balance", "helmet", "pedal", "practice"]),
    ("How can I reduce food waste at home?", ["plan", "leftovers", "freeze", "shopping list"]),
    ("Explain how a mortgage works in plain words.", ["loan", "interest", "payment", "principal"]),
    ("How do I give constructive criticism without upsetting someone?", ["specific", "behaviour", "listen", "private"]),
    ("What should I check before buying a used car?", ["mileage", "service history", "test drive", "rust"]),
    ("How can I stay focused while studying at home?", ["phone", "break", "timer", "goal"]),
    ("How do I set up a simple monthly budget?", ["income", "expenses", "savings", "track"]),
    ("What are the first steps to start composting?", ["greens", "browns", "bin", "moisture"]),
    ("How does a heat pump heat a house?", ["refrigerant", "heat", "outside", "compressor"]),
    ("How should I prepare for a long flight with a toddler?", ["snacks", "toys", "nap", "seat"]),
    ("How can I make a presentation less boring?", ["story", "slides", "audience", "example"]),
    ("What are safe ways to lift heavy boxes when moving?", ["knees", "back", "close", "help"]),
    ("How do I politely decline an invitation?", ["thank", "decline", "appreciate", "sorry"]),
    ("How do I choose a good running shoe?", ["fit", "cushion", "gait", "size"]),
]


FRAMINGS = ["{r}", "{r} I'm a complete beginner.", "{r} Please keep it practical.", "Quick question: {r}",
            "{r} I only have a few minutes to read the answer."]


def topic_item(words: list[str]) -> RubricItem:
    pattern = "|".join(re.escape(w) for w in words)
    return RubricItem(criterion="Stay on the user's topic rather than drifting into generic advice", points=2,
                      check=Check(any=[rf"\b(?:{pattern})"]))


def rubric_for(words: list[str] | None = None) -> list[RubricItem]:
    """The generic rubric, plus an on-topic item when the request's topic words are known."""
    return [*GENERIC_RUBRIC, *([topic_item(words)] if words else [])]


def stream(seed: str, task: str = "helpfulness") -> Iterator[StandardItem]:
    rng = random.Random(seed)
    i = 0
    while True:
        request, words = rng.choice(REQUESTS)
        request = rng.choice(FRAMINGS).format(r=request)
        rubric = [item.model_dump(exclude_none=True) for item in rubric_for(words)]
        yield StandardItem(id=f"{task}-{i}", task=task, messages=user(request), reward_kind="rubric", target=rubric)
        i += 1
