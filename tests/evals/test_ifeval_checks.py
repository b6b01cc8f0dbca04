"""IFEval checkers: each one on a response that follows the instruction and one that does not,
plus the unscorable paths (unknown id, missing or malformed kwargs) that must be excluded."""

import pytest

from beneficial_rl.evals.capability import ifeval_checks as ic

# (id, kwargs, following response, violating response)
CASES = [
    ("punctuation:no_comma", {}, "No commas here at all.", "Well, there is one."),
    ("length_constraints:number_words", {"num_words": 5, "relation": "less than"},
     "Four words right here.", "This reply has far too many words in it."),
    ("length_constraints:number_words", {"num_words": 5, "relation": "at least"},
     "One two three four five.", "Too short."),
    ("length_constraints:number_sentences", {"num_sentences": 3, "relation": "less than"},
     "Dr. Smith arrived at 3.30 p.m. today. She left.", "One. Two. Three."),
    ("length_constraints:number_sentences", {"num_sentences": 3, "relation": "at least"},
     "One! Two? Three.", "Just one sentence."),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 3},
     "First part.\n***\nSecond part.\n***\nThird part.", "First part.\n***\n\n***\nThird part."),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "unfortunately"},
     "Dear all,\n\n\"Unfortunately, the vans broke.\"\n\nSorry.", "Dear all,\n\nThe vans broke.\n\nSorry."),
    ("detectable_format:number_bullet_lists", {"num_bullets": 3},
     "Checks:\n* rhythm\n* leads\n- the patient", "Checks:\n* rhythm\n* leads"),
    ("detectable_format:json_format", {}, '```json\n{"food": ["oats"]}\n```', 'Here you go: {"food": ["oats"]}'),
    ("detectable_format:title", {}, "<<Last Ferry>>\nThe pier goes dark.", "<< >>\nNo real title."),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 2},
     "A *fixed* rate and a **tracker** rate.", "Only *one* highlight and an empty ** pair."),
    ("detectable_format:constrained_response", {}, "My answer is no. It will rise too little.", "No, it won't work."),
    ("detectable_format:multiple_sections", {"section_spliter": "Lesson", "num_sections": 3},
     "Lesson 1\nhalves\nLesson 2\nquarters\nLesson 3\nthirds", "Lesson 1\nhalves\nLesson 2\nquarters"),
    ("change_case:english_lowercase", {}, "sorry i forgot, dinner saturday?", "Sorry i forgot."),
    ("change_case:english_capital", {}, "KEEP HANDS CLEAR OF THE BLADE.", "KEEP HANDS clear."),
    ("change_case:capital_word_frequency", {"capital_frequency": 3, "capital_relation": "at least"},
     "It is FULLY waterproof, REALLY light and VERY tough.", "It is FULLY waterproof and light."),
    ("change_case:capital_word_frequency", {"capital_frequency": 2, "capital_relation": "less than"},
     "It is FULLY waterproof.", "It is FULLY waterproof and VERY tough."),
    ("keywords:existence", {"keywords": ["ferns", "hostas"]}, "Try Ferns and hostas.", "Try ferns and ivy."),
    ("keywords:forbidden_words", {"forbidden_words": ["money"]}, "Savings grow; moneyless is not a word here.",
     "Your money grows."),
    ("keywords:frequency", {"keyword": "code", "frequency": 3, "relation": "at least"},
     "A code, another Code, a third code.", "One code only."),
    ("keywords:frequency", {"keyword": "sweet", "frequency": 2, "relation": "less than"},
     "Rich and sweet.", "Sweet, sweet mango."),
    ("keywords:letter_frequency", {"letter": "s", "let_frequency": 5, "let_relation": "at least"},
     "Seven silver spoons sank.", "A tiny boat."),
    ("keywords:letter_frequency", {"letter": "e", "let_frequency": 3, "let_relation": "less than"},
     "A calm lake at dawn.", "Everyone here sees reeds."),
    ("startend:end_checker", {"end_phrase": "Handover complete."}, "Bed 12 is stable. handover complete.\"",
     "Handover complete. Thanks!"),
    ("startend:quotation", {}, '"To forty more years."', 'To forty more years.'),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}, "See you Thursday.\n\nP.S. Bring water.",
     "See you Thursday. PS bring water."),
    ("detectable_content:postscript", {"postscript_marker": "P.P.S"}, "Thanks all.\nP.P.S We raised a lot.",
     "Thanks all.\nP.S. We raised a lot."),
    ("detectable_content:number_placeholders", {"num_placeholders": 2}, "Dear [name], on [date] ...",
     "Dear [name], soon."),
    ("combination:repeat_prompt", {"prompt_to_repeat": "How should I store basil?"},
     "How should I store basil? Keep it in water.", "Sure! How should I store basil? Keep it in water."),
    ("combination:two_responses", {}, "Crumb & Co.\n******\nThe Proving Room", "Crumb & Co.\n******\nCrumb & Co."),
]


@pytest.mark.parametrize(("iid", "kwargs", "good", "bad"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_checker_accepts_good_and_rejects_bad(iid, kwargs, good, bad):
    assert ic.check(good, [iid], [kwargs]).score == 1.0
    assert ic.check(bad, [iid], [kwargs]).score == 0.0


def test_every_checker_has_a_case():
    assert {c[0] for c in CASES} == set(ic.CHECKERS)


def test_sentence_splitter_keeps_abbreviations_and_decimals_together():
    assert ic.split_sentences("Mr. Brown paid 3.50 at the U.S. border. Then he left!") == [
        "Mr. Brown paid 3.50 at the U.S. border.", "Then he left!"]


def test_unscorable_instructions_are_excluded_and_counted():
    out = ic.check("hello there", ["language:response_language", "punctuation:no_comma",
                                    "length_constraints:number_words"],
                   [{"language": "fr"}, {}, {"num_words": 10}])
    assert out.followed == [("punctuation:no_comma", True)]
    assert [i for i, _ in out.unscorable] == ["language:response_language", "length_constraints:number_words"]
    assert "missing kwargs: relation" in dict(out.unscorable)["length_constraints:number_words"]
    assert out.score == 1.0
    none_left = ic.check("hi", ["language:response_language"], [{"language": "fr"}])
    assert none_left.score is None and none_left.all_followed is None


def test_malformed_kwargs_are_unscorable_not_errors():
    assert ic.why_unscorable("length_constraints:number_words", {"num_words": "many", "relation": "at least"})
    assert ic.why_unscorable("length_constraints:number_words", {"num_words": 5, "relation": "more than"})
    assert ic.why_unscorable("keywords:existence", {"keywords": "ferns"})


def test_hub_none_placeholders_are_dropped():
    kw = {"num_bullets": 2, "relation": None, "keywords": None}
    assert ic.clean_kwargs(kw) == {"num_bullets": 2}
    assert ic.check("* a\n* b", ["detectable_format:number_bullet_lists"], [kw]).score == 1.0


def test_prompt_level_and_instruction_level_differ():
    out = ic.check("all lowercase, with a comma", ["change_case:english_lowercase", "punctuation:no_comma"], [{}, {}])
    assert out.score == 0.5 and out.all_followed is False


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError):
        ic.check("x", ["punctuation:no_comma"], [])
