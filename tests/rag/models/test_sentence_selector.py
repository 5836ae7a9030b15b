"""The trained sentence selector: features are pure functions of a question's candidate scores, the shipped
trees match their card, and a sentence that looks like the experts' evidence scores higher than one that
merely comes from a retrieved record."""

import json

import numpy as np
import onnx
import pytest

from rag.models import SENTENCE_SELECTOR_MODEL
from rag.models.sentence_selector import FEATURES, SentenceCandidates, SentenceSelector, selector_features
from train.export import sha256_of

FLOOR = 0.45


def candidates(**overrides) -> SentenceCandidates:
    fields = {
        "relevance": np.array([0.9, 0.2, 0.6, -1.0]),
        "first_pass": np.array([0.6, 0.5, 0.3, 0.2]),
        "cosine": np.array([0.5, 0.5, 0.3, 0.2]),
        "record_ranks": np.array([0, 0, 1, 2]),
        "positions": np.array([0, 1, 0, 0]),
        "word_counts": np.array([12, 20, 8, 30]),
        "records": ["a", "a", "b", "c"],
    }
    return SentenceCandidates(**{**fields, **overrides})


def column(matrix: np.ndarray, name: str) -> list[float]:
    return matrix[:, FEATURES.index(name)].round(4).tolist()


def test_features_describe_each_sentence_and_its_record() -> None:
    features = selector_features(candidates(), FLOOR, lexical_weight=0.35)
    assert features.shape == (4, len(FEATURES))
    assert column(features, "record_passes_floor") == [1.0, 1.0, 0.0, 0.0]
    assert column(features, "record_first_pass_over_floor") == [0.15, 0.15, -0.15, -0.25]
    assert column(features, "record_best_relevance") == [0.9, 0.9, 0.6, 0.0001]  # unread sentences count as ~0
    assert column(features, "relevance_rank_inverse") == [1.0, 0.3333, 0.5, 0.25]
    assert column(features, "relevance_below_best") == [0.0, -0.7, -0.3, -0.8999]
    assert column(features, "question_best_first_pass_over_floor") == [0.15] * 4
    # first pass = 0.65 cosine + 0.35 overlap, so the overlap is recovered from the two
    assert column(features, "word_overlap") == [round((0.6 - 0.65 * 0.5) / 0.35, 4), 0.5, 0.3, 0.2]


def test_no_candidates_no_features() -> None:
    empty = np.zeros(0)
    none = candidates(relevance=empty, first_pass=empty, cosine=empty, record_ranks=empty, positions=empty,
                      word_counts=empty, records=[])
    assert selector_features(none, FLOOR, 0.35).shape == (0, len(FEATURES))


def selector_graph(tmp_path, features: list[str]):
    """The shipped graph relabelled as trained on `features`."""
    model = onnx.load(SENTENCE_SELECTOR_MODEL)
    onnx.helper.set_model_props(model, {"features": json.dumps(features), "threshold": "0.5"})
    path = tmp_path / "selector.onnx"
    onnx.save(model, path)
    return path


def test_trees_trained_on_other_features_are_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="trained on features"):
        SentenceSelector.load(selector_graph(tmp_path, ["relevance"]))


def test_a_graph_without_selector_metadata_is_refused(tmp_path) -> None:
    model = onnx.load(SENTENCE_SELECTOR_MODEL)
    del model.metadata_props[:]
    onnx.save(model, tmp_path / "bare.onnx")
    with pytest.raises(ValueError, match="no selector metadata"):
        SentenceSelector.load(tmp_path / "bare.onnx")


def test_shipped_trees_match_their_card() -> None:
    card = json.loads(SENTENCE_SELECTOR_MODEL.with_suffix(".card.json").read_text())
    assert card["sha256"] == sha256_of(SENTENCE_SELECTOR_MODEL)
    assert card["command"].startswith("python -m train sentence-selector")
    selector = SentenceSelector.load(SENTENCE_SELECTOR_MODEL)
    assert card["hyper_parameters"]["threshold"] == selector.threshold
    # held out: the selector must cite better than the rule it replaced, at a better balance of the two
    test = card["test"]
    assert test["selector_citation_gold_precision"] > test["rule_citation_gold_precision"]
    selector_f1 = 2 / (1 / test["selector_key_fact_recall"] + 1 / test["selector_citation_gold_precision"])
    rule_f1 = 2 / (1 / test["rule_key_fact_recall"] + 1 / test["rule_citation_gold_precision"])
    assert selector_f1 > rule_f1


def test_shipped_selector_prefers_the_sentence_the_cross_encoder_and_the_floor_both_back() -> None:
    selector = SentenceSelector.load(SENTENCE_SELECTOR_MODEL)
    p = selector.probabilities(selector_features(candidates(), FLOOR, 0.35))
    assert np.all((p > 0) & (p < 1))
    assert p[0] > p[1] and p[0] > p[2]


def test_no_candidates_no_probabilities() -> None:
    selector = SentenceSelector.load(SENTENCE_SELECTOR_MODEL)
    assert selector.probabilities(np.zeros((0, len(FEATURES)))).shape == (0,)
