"""The intent classifier: learns from examples, generalises to new wordings, caches itself."""

from __future__ import annotations

from pathlib import Path

from bot.understanding import classifier
from bot.understanding.classifier import IntentClassifier, features, fingerprint, load_or_train

EXAMPLES = [
    ("salary", ["how", "much", "do", "mle", "earn"]),
    ("salary", ["mle", "salary", "london"]),
    ("salary", ["pay", "for", "senior", "mle"]),
    ("salary", ["what", "is", "the", "typical", "compensation"]),
    ("interviews", ["how", "to", "prepare", "for", "interview"]),
    ("interviews", ["interview", "questions", "for", "mle"]),
    ("interviews", ["system", "design", "interview", "tips"]),
    ("interviews", ["coding", "round", "advice"]),
] * 5


def test_it_ranks_the_intent_whose_words_a_new_message_uses() -> None:
    model = IntentClassifier.train(EXAMPLES)
    post = model.posterior(["what", "salary", "should", "i", "ask"])
    assert max(post, key=lambda k: post[k]) == "salary"
    post = model.posterior(["interviewing", "next", "week", "tips"])  # char n-grams: "interview"
    assert max(post, key=lambda k: post[k]) == "interviews"
    assert abs(sum(post.values()) - 1.0) < 1e-5
    assert model.posterior(["zzz"]) == {}


def test_a_model_is_cached_by_what_it_learned_from(tmp_path: Path) -> None:
    first = load_or_train(EXAMPLES, tmp_path)
    files = list(tmp_path.glob("intents-*.npz"))
    assert [f.name for f in files] == [f"intents-{fingerprint(EXAMPLES)}.npz"]
    again = load_or_train(EXAMPLES, tmp_path)
    words = ["mle", "pay", "in", "london"]
    assert again.posterior(words) == first.posterior(words)
    load_or_train([*EXAMPLES, ("salary", ["wage"])], tmp_path)  # other examples: another file
    assert len(list(tmp_path.glob("intents-*.npz"))) == 2


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    model = load_or_train(EXAMPLES, blocked / "cache")
    assert model.posterior(["salary"])


def test_a_message_is_read_as_its_features_say_however_full_the_word_cache() -> None:
    """At run time each word's columns are cached; the vector must equal the one built from
    `features` as in training, with the cache filling, full, or bypassed."""
    model = IntentClassifier.train(EXAMPLES)
    messages = [["what", "salary", "should", "i", "ask"], ["interviewing", "tips", "<level>"],
                ["mle", "mle", "salary", "salary", "zzz"], []]  # fmt: skip
    for bound in (50_000, 1, 0):
        classifier._CACHE_WORDS, saved = bound, classifier._CACHE_WORDS
        model._word_cache.clear()
        try:
            for words in messages * 2:
                expected = [model.vocabulary[f] for f in features(words) if f in model.vocabulary]
                assert model._known_features(words) == expected, (bound, words)
        finally:
            classifier._CACHE_WORDS = saved
        assert len(model._word_cache) <= bound
