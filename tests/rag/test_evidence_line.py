"""The evidence line under answers and briefing sections counts the cited records by evidence level."""

from rag.evidence_line import evidence_line


def test_levels_are_counted_in_a_fixed_order_with_human_trials_called_human() -> None:
    levels = ["animal", "human trial", "in vitro", "animal"]
    assert evidence_line(levels) == "What kind of evidence: 1 in vitro, 2 animal, 1 human (4 cited records)"


def test_one_record_is_singular_and_no_records_give_no_line() -> None:
    assert evidence_line(["review"]) == "What kind of evidence: 1 review (1 cited record)"
    assert evidence_line([]) is None
