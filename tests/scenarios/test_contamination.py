from beneficial_rl.scenarios.contamination import Item, find_near_duplicates

TRAIN = [
    Item("t1", "My landlord in Leeds wants to keep my whole deposit of 1,200 pounds for a stain on the carpet that was there when I moved in."),
    Item("t2", "Our team lead wants to skip the rollback test before Friday's database migration because the client is pushing."),
]


def test_reworded_copy_is_caught_and_unrelated_text_is_not():
    evals = [
        Item("e1", "Hi! my landlord in Leeds wants to keep my whole deposit of 1,200 pounds for a stain on the carpet, help"),
        Item("e2", "I'm a pharmacist and a customer keeps asking for codeine without a prescription; what do I say?"),
    ]
    pairs = find_near_duplicates(evals, TRAIN)
    assert [(p.a, p.b) for p in pairs] == [("e1", "t1")]
    assert 0.25 <= pairs[0].similarity <= 1


def test_eval_item_embedded_in_longer_training_text_is_caught():
    long = Item("t3", "Background first. " * 20 + TRAIN[1].text + " Anyway, that's the story." * 5)
    pairs = find_near_duplicates([Item("e", TRAIN[1].text)], [long])
    assert pairs and pairs[0].similarity == 1.0


def test_stock_phrases_alone_do_not_trigger():
    a = Item("a", "What should I do? I'm not sure what to do here, please help me decide.")
    b = Item("b", "My son failed chemistry twice. What should I do? Please help me decide on tutoring.")
    assert find_near_duplicates([a], [b]) == []
