"""Merging the tagger's spans across evidence sentences into ranked, cited names, and the opening that gives
them (pure rules, synthetic names)."""

import numpy as np
import pytest

from rag.answer.citations import CitedSentence, cited_sentences
from rag.answer.extractive import chosen_names, tagger_reading
from rag.answer.named_answers import NamedAnswer, answer_key, names_in, names_sentence, rank_named_answers
from rag.answer.support import SupportChecker
from rag.models.answer_spans import Span
from tests.rag.answer.answer_fixtures import synthetic_evidence


def span(text: str, score: float) -> Span:
    return Span(text, 0, len(text), score)


def test_names_differing_in_case_article_or_punctuation_are_one_answer():
    assert answer_key("The  QX-1 factor.") == answer_key("qx-1 factor") == "qx-1 factor"


def test_a_name_read_in_several_sentences_outranks_one_read_once_and_cites_its_best_reading():
    ranked = rank_named_answers(
        [[span("zorbinotecan", 0.6)], [span("Zorbinotecan", 0.6), span("capecitabine", 0.7)]],
        [1.0, 0.5],
        ["11", "22"],
    )
    assert [a.text for a in ranked] == ["zorbinotecan", "capecitabine"]
    assert ranked[0].pmid == "11"
    assert ranked[0].score == pytest.approx(1 - (1 - 0.6) * (1 - 0.3))
    assert ranked[1].score == pytest.approx(0.35)


def test_a_sentence_of_no_relevance_adds_nothing():
    ranked = rank_named_answers([[span("teapotase", 0.9)]], [0.0], ["33"])
    assert [(a.text, a.score) for a in ranked] == [("teapotase", 0.0)]


def test_the_names_opening_lists_each_name_with_its_record_and_reads_back():
    sentence = names_sentence([NamedAnswer("zorbinotecan", "11", 0.9), NamedAnswer("QX-1 factor", "22", 0.7)])
    assert sentence == "Named in the evidence: zorbinotecan [PMID:11]; QX-1 factor [PMID:22]."
    (cited,) = cited_sentences(sentence)
    assert cited.pmids == ["11", "22"]
    assert names_in(cited.text) == ["zorbinotecan", "QX-1 factor"]
    assert names_in("Synthetic exosomes carried miR-21.") is None


def test_names_below_the_confidence_floor_or_over_the_limit_or_shaped_like_a_citation_are_left_out():
    ranked = [
        NamedAnswer("PMID 123", "1", 0.99),
        NamedAnswer("zorbinotecan", "11", 0.9),
        NamedAnswer("capecitabine", "22", 0.8),
        NamedAnswer("teapotase", "33", 0.7),
        NamedAnswer("kettlin", "44", 0.2),
    ]
    assert [a.text for a in chosen_names(ranked, min_score=0.5, limit=2)] == ["zorbinotecan", "capecitabine"]
    assert [a.text for a in chosen_names(ranked, min_score=0.5, limit=9)] == [
        "zorbinotecan",
        "capecitabine",
        "teapotase",
    ]


def test_the_tagger_reads_the_most_relevant_sentences_the_cross_encoder_read():
    relevance = np.array([0.2, 0.9, -1.0, 0.7, 0.8])
    assert tagger_reading(relevance, limit=2) == [1, 4]
    assert tagger_reading(relevance, limit=9) == [1, 4, 3, 0]


def test_a_names_opening_is_supported_only_when_every_name_stands_in_a_cited_record():
    evidence = {
        "11": synthetic_evidence("11", "Synthetic zorbinotecan cured synthetic mice."),
        "22": synthetic_evidence("22", "The QX-1 factor was measured in synthetic plasma."),
    }
    checker = SupportChecker(None)
    good = CitedSentence("Named in the evidence: zorbinotecan; QX-1 factor", ["11", "22"])
    invented = CitedSentence("Named in the evidence: zorbinotecan; teapotase", ["11", "22"])
    assert checker.check([good, invented], evidence).unsupported == [invented.text]
