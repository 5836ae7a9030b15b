"""Citation parsing and verification: one small case per edge, each stating the regression it guards."""

import pytest

from rag.answer.citations import cited_sentences, format_citation, parse_citations, pmid_link, verify_citations
from rag.text import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Synthetic claim [PMID:12345678].", ["12345678"]),
        ("Synthetic claim [PMID: 1, 22].", ["1", "22"]),
        ("Synthetic claim [PMIDs: 1; 22 and 333].", ["1", "22", "333"]),
        ("Synthetic claim [PMID 4].", ["4"]),
        ("Synthetic claim (PMID: 5).", ["5"]),
        ("Synthetic claim, see PMID 6 and PMID:7.", ["6", "7"]),
        ("Synthetic claim [pmid:8][PMID:8].", ["8"]),
        ("Synthetic claim [PMID:1, PMID:2].", ["1", "2"]),
        ("Synthetic claim with 12345678 but no marker.", []),
        ("", []),
    ],
)
def test_parse_citations_tolerates_the_forms_models_write(text: str, expected: list[str]) -> None:
    assert parse_citations(text) == expected


def test_citation_after_the_full_stop_belongs_to_the_sentence_before_it() -> None:
    sentences = cited_sentences("Synthetic claim one. [PMID:1] Synthetic claim two [PMID:2].")
    assert [(s.text, s.pmids) for s in sentences] == [("Synthetic claim one.", ["1"]), ("Synthetic claim two.", ["2"])]


def test_trailing_citation_block_attaches_to_the_last_sentence() -> None:
    sentences = cited_sentences("Synthetic claim one. [PMID: 3, 4]")
    assert [(s.text, s.pmids) for s in sentences] == [("Synthetic claim one.", ["3", "4"])]


def test_foreign_pmids_are_removed_and_reported() -> None:
    result = verify_citations("Synthetic claim [PMID:1] [PMID:999]. Another synthetic claim [PMID:2].", ["1", "2"])
    assert result.removed_pmids == ["999"]
    assert result.cited_pmids == ["1", "2"]
    assert "999" not in result.text
    assert result.text == "Synthetic claim [PMID:1]. Another synthetic claim [PMID:2]."
    assert any("999" in w for w in result.warnings)


def test_sentence_citing_only_foreign_pmids_becomes_uncited_and_is_flagged() -> None:
    result = verify_citations("Synthetic claim [PMID:999]. Supported synthetic claim [PMID:1].", ["1"], "flag")
    assert result.uncited == ["Synthetic claim."]
    assert result.text == "Synthetic claim. Supported synthetic claim [PMID:1]."
    assert any(w.startswith("uncited sentence flagged") for w in result.warnings)


def test_uncited_sentences_are_dropped_when_set_to_drop() -> None:
    result = verify_citations("Uncited synthetic claim. Supported synthetic claim [PMID:1].", ["1"], "drop")
    assert result.text == "Supported synthetic claim [PMID:1]."
    assert [s.text for s in result.sentences] == ["Supported synthetic claim."]
    assert any(w.startswith("uncited sentence dropped") for w in result.warnings)


def test_answer_with_no_valid_citation_has_no_cited_sentence() -> None:
    result = verify_citations("Synthetic claim [PMID:42]. Another one.", ["1"], "flag")
    assert not result.has_cited_sentence
    assert result.cited_pmids == []


def test_abbreviations_and_decimals_do_not_split_a_cited_sentence() -> None:
    result = verify_citations("Synthetic dose of 1.5 mg vs. placebo (Doe et al., 2020) [PMID:1]. Next [PMID:2].", ["1", "2"])
    assert [s.text for s in result.sentences] == ["Synthetic dose of 1.5 mg vs. placebo (Doe et al., 2020).", "Next."]


def test_canonical_marker_and_link() -> None:
    assert format_citation(["1", "2", "1"]) == "[PMID:1] [PMID:2]"
    assert pmid_link("12345678") == "https://pubmed.ncbi.nlm.nih.gov/12345678/"


def test_rendered_text_round_trips_through_the_parser() -> None:
    text = "Synthetic claim A [PMID:1]. Synthetic claim B [PMID:2] [PMID:3]."
    result = verify_citations(text, ["1", "2", "3"])
    assert result.text == text
    assert parse_citations(result.text) == ["1", "2", "3"]


def test_split_sentences_handles_labels_snippets_and_truncation() -> None:
    text = "BACKGROUND: Synthetic A. odocoilei finding e.g. here. RESULTS: It held (p < 0.05). … Cut-off synthetic tai"
    sentences = split_sentences(text, truncated=True)
    assert [s.text for s in sentences] == [
        "Synthetic A. odocoilei finding e.g. here.",
        "It held (p < 0.05).",
        "Cut-off synthetic tai",
    ]
    assert [s.complete for s in sentences] == [True, True, False]
    assert split_sentences("Expert snippet without a period", truncated=False)[0].complete


def test_a_section_label_glued_to_the_sentence_before_it_still_splits() -> None:
    text = "Synthetic cells grew 2.5-fold.METHODS: Invented mice were dosed.CONCLUSIONS: It held (made-up)."
    assert [s.text for s in split_sentences(text)] == [
        "Synthetic cells grew 2.5-fold.",
        "Invented mice were dosed.",
        "It held (made-up).",
    ]
    # a capitalised word after a period with no colon is no label: the fragment stays whole
    assert len(split_sentences("The synthetic pH was 7.4.Methods were invented.")) == 1


def test_a_sentence_starting_lower_case_after_a_citation_is_still_its_own_sentence() -> None:
    sentences = cited_sentences("Synthetic claim one [PMID:1]. these synthetic cells grew [PMID:2].")
    assert [(s.text, s.pmids) for s in sentences] == [
        ("Synthetic claim one.", ["1"]),
        ("these synthetic cells grew.", ["2"]),
    ]
