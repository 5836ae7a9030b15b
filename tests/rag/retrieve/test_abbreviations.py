"""Queries gain the long forms of the field's abbreviations; everything else passes through unchanged."""

import pytest

from rag.retrieve.abbreviations import LONG_FORMS, spell_out


@pytest.mark.parametrize(
    ("query", "long_forms"),
    [
        ("Do MSC exosomes carry microRNAs?", ["mesenchymal stem cell"]),
        ("Which MSCs and EVs help in ARDS?",
         ["mesenchymal stem cell", "extracellular vesicle", "acute respiratory distress syndrome"]),
        ("hUC-MSC-derived sEVs in OA",
         ["human umbilical cord mesenchymal stem cell", "small extracellular vesicle", "osteoarthritis"]),
        ("MSC-EVs versus MSC-CM", ["mesenchymal stem cell", "extracellular vesicle", "conditioned medium"]),
    ],
)
def test_abbreviations_gain_their_long_forms_once_in_order(query, long_forms):
    assert spell_out(query) == f"{query} ({'; '.join(long_forms)})"


@pytest.mark.parametrize(
    "query",
    [
        "Does the secretome of mesenchymal stem cells contain VEGF?",  # nothing abbreviated
        "Are mesenchymal stem cell (MSC) secretomes safe?",  # already spelled out
        "Is a 5 cm wound closed by conditioned medium?",  # lower case "cm" is no abbreviation
        "Do EVSA and MSCAT proteins matter?",  # longer words only start like an abbreviation
    ],
)
def test_queries_without_an_unexplained_abbreviation_are_unchanged(query):
    assert spell_out(query) == query


def test_every_long_form_is_spelled_out_and_differs_from_its_key():
    assert all(form and form.lower() != key.lower() for key, form in LONG_FORMS.items())
