"""A sentence denies a yes/no question when a negation governs the question's own terms."""

import pytest

from rag.answer.negated_claims import denying_sentence

QUESTION = "Can synthetic BMP inhibition steer made-up stromal cells toward stable chondrogenesis?"


@pytest.mark.parametrize(
    ("sentence", "denies"),
    [
        ("Invented BMP inhibition cannot steer made-up stromal cells toward stable chondrogenesis.", True),
        ("The synthetic drug failed to give stable chondrogenesis in invented cells.", True),
        ("Made-up cells reached stable chondrogenesis instead of hypertrophy.", False),  # the question's terms come first
        ("Invented BMP inhibition steered made-up stromal cells toward stable chondrogenesis.", False),
        ("This did not change the invented weather, while stable chondrogenesis followed.", False),  # another clause
        ("Made-up cells that did not receive BMP inhibition reached stable chondrogenesis.", False),  # a group
        ("Cells with and without BMP inhibition were compared for stable chondrogenesis.", False),
        ("It is not known whether BMP inhibition gives stable chondrogenesis in made-up cells.", False),  # ignorance
        ("The synthetic dose did not change BMP levels in invented rats.", False),  # one term is not enough
        ("Invented BMP inhibition had no effect on stable chondrogenesis of made-up cells.", True),  # "no" + noun
        ("Made-up cells showed a lack of stable chondrogenesis under BMP inhibition.", True),
        ("None of the synthetic inhibitors gave stable chondrogenesis.", True),
        ("Rats whose cells had not reached stable chondrogenesis were excluded.", False),  # a group, "whose"
        ("Donors who reported no BMP inhibition of stable chondrogenesis were kept.", False),  # a group, 3 words on
        ("Our made-up data show that BMP inhibition cannot give stable chondrogenesis.", True),  # "that": a finding
        ("Whether BMP inhibition helps has not been clarified for stable chondrogenesis.", False),  # ignorance
        ("It is not fully understood how BMP inhibition shapes stable chondrogenesis.", False),
        ("There is no doubt that BMP inhibition gives stable chondrogenesis in made-up cells.", False),
    ],
)
def test_which_sentences_deny_the_question(sentence, denies):
    assert (denying_sentence(QUESTION, [sentence]) == sentence) is denies


def test_the_first_denying_sentence_is_returned():
    sentences = [
        "Invented cells grew in a synthetic dish.",
        "BMP inhibition did not steer the made-up stromal cells toward stable chondrogenesis.",
        "Synthetic stable chondrogenesis was not reached by BMP inhibition either.",
    ]
    assert denying_sentence(QUESTION, sentences) == sentences[1]
    assert denying_sentence(QUESTION, sentences[:1]) is None
