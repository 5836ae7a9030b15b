"""The BM25 tokenizer keeps biomedical names whole and also indexes their parts and stems."""

import pytest

from rag.index.tokenize import BioTokenizer, normalize


@pytest.fixture(scope="module")
def tok() -> BioTokenizer:
    return BioTokenizer()


@pytest.mark.parametrize(
    ("term", "whole", "parts"),
    [
        ("miR-21", "mir-21", ["mir21", "mir", "21"]),
        ("IL-6", "il-6", ["il6", "il", "6"]),
        ("TGF-β1", "tgf-beta1", ["tgfbeta1", "tgf", "beta1"]),
        ("NF-κB", "nf-kappab", ["nfkappab", "nf", "kappab"]),
    ],
)
def test_hyphenated_terms_stay_whole_and_add_joined_form_and_parts(tok, term, whole, parts):
    tokens = tok.tokens(term)
    assert tokens[0] == whole
    assert tokens[1:] == parts


@pytest.mark.parametrize(("term", "token"), [("CD63", "cd63"), ("NCT04366063", "nct04366063"), ("CXCR4", "cxcr4")])
def test_alphanumeric_names_are_one_token(tok, term, token):
    assert tok.tokens(f"{term} was measured") == [token, "measur"]


def test_spelling_variants_meet_on_shared_tokens(tok):
    assert "il6" in tok.tokens("serum IL6 levels")
    assert "il6" in tok.tokens("serum IL-6 levels")
    assert "tgfbeta1" in tok.tokens("TGF-beta1") and "tgfbeta1" in tok.tokens("TGF–β1")


def test_plain_words_are_stemmed_and_stopwords_dropped(tok):
    assert tok.tokens("What are the effects of secreted vesicles?") == ["effect", "secret", "vesicl"]


def test_trial_id_inside_sentence_survives_punctuation(tok):
    assert "nct04366063" in tok.tokens("registered (NCT04366063).")


def test_single_letters_and_empty_text_give_nothing(tok):
    assert tok.tokens("a b c") == []
    assert tok.tokens("") == []


def test_normalize_spells_greek_and_unifies_dashes():
    assert normalize("TGF‐β1 – IFN-γ") == "tgf-beta1 - ifn-gamma"
