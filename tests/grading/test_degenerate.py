from beneficial_rl.grading.degenerate import POLICIES, PanelContext, content_words, off_topic, responses


def test_panel_has_every_policy_in_order():
    r = responses(PanelContext(user_text="How do I bake bread?", criteria=["Give the oven temperature"]))
    assert tuple(r) == POLICIES
    assert r["echo"] == "How do I bake bread?"
    assert "Give the oven temperature" in r["paste_rubric"]
    assert r["empty"] == "" and r["first_option"] == "A"


def test_off_topic_avoids_the_prompt_topic():
    assert "sourdough" not in off_topic("My sourdough starter smells of acetone and the bread flour is old")


def test_options_pasted_when_no_rubric_and_keywords_derived():
    r = responses(PanelContext(user_text="Which is the capital?", options=["Canberra", "Sydney"]))
    assert r["paste_rubric"] == "- (A) Canberra\n- (B) Sydney"
    assert "canberra" in r["keyword_bag"] and "the" not in content_words("the capital")
