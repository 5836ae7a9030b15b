"""Checks shared by the tests that read answers over the full corpus."""

import re

CITED = re.compile(r"\[PMID:(\d+)\]")


def carries_topic(standalone: str, follow_up: str) -> bool:
    """The rewritten follow-up names what the first question was about (exosomes of MSCs)."""
    topic = ("exosome", "mesenchymal", "stem cell")
    return standalone != follow_up and any(term in standalone.lower() for term in topic)


def assert_verified(answer: dict) -> None:
    """Every citation is in the evidence, every cited PMID in the text is a listed citation, links are PubMed's."""
    evidence = {e["pmid"] for e in answer["evidence"]}
    cited = {c["pmid"] for c in answer["citations"]}
    assert cited and cited <= evidence, (cited, evidence)
    assert set(CITED.findall(answer["answer"])) == cited
    for citation in answer["citations"]:
        assert citation["link"] == f"https://pubmed.ncbi.nlm.nih.gov/{citation['pmid']}/"
        assert citation["passage"], citation
