"""Fusion is pure arithmetic over ranks and scores; these pin it to hand-computed values."""

import pytest

from rag.retrieve.fusion import dedupe, fuse, rrf_scores, score_fusion


def test_rrf_matches_hand_computed_scores():
    scores = rrf_scores({"dense": ["a", "b"], "bm25": ["b", "c"]}, {}, k=60)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 62)


def test_weights_scale_each_ranking():
    scores = rrf_scores({"dense": ["a"], "bm25": ["b"]}, {"dense": 0.5, "bm25": 2.0}, k=10)
    assert scores["a"] == pytest.approx(0.5 / 11)
    assert scores["b"] == pytest.approx(2.0 / 11)


def test_item_in_both_rankings_beats_items_in_one():
    ranked = fuse({"dense": ["x", "shared"], "bm25": ["y", "shared"]}, {}, k=60)
    assert ranked[0][0] == "shared"


def test_duplicates_within_a_ranking_count_once():
    assert rrf_scores({"dense": ["a", "a", "b"]}, {}, k=60)["a"] == pytest.approx(1 / 61)


def test_ties_keep_first_appearance_order():
    ranked = fuse({"dense": ["p", "q"], "bm25": ["q", "p"]}, {}, k=60)
    assert [item for item, _ in ranked] == ["p", "q"]


def test_rrf_constant_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        rrf_scores({"dense": ["a"]}, {}, k=0)


def test_dedupe_keeps_first_occurrence():
    assert dedupe(["1", "2", "1", "3", "2"]) == ["1", "2", "3"]


def test_score_fusion_normalises_bm25_by_its_maximum():
    ranked = dict(score_fusion({"a": 10.0, "b": 5.0}, {"a": 0.2, "b": 0.5, "c": 0.6}, 0.3, 0.7))
    assert ranked["a"] == pytest.approx(0.3 * 1.0 + 0.7 * 0.2)
    assert ranked["b"] == pytest.approx(0.3 * 0.5 + 0.7 * 0.5)
    assert ranked["c"] == pytest.approx(0.7 * 0.6)


def test_score_fusion_orders_best_first_and_survives_no_bm25():
    ranked = score_fusion({}, {"a": 0.1, "b": 0.9}, 0.3, 0.7)
    assert [item for item, _ in ranked] == ["b", "a"]
    assert ranked[0][1] == pytest.approx(0.63)


def test_bm25_lead_can_overturn_a_small_cosine_gap():
    ranked = score_fusion({"lexical": 8.0, "semantic": 1.0}, {"lexical": 0.50, "semantic": 0.55}, 0.3, 0.7)
    assert ranked[0][0] == "lexical"
