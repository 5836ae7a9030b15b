"""Where the verdict training finds the relevance model that builds its inference-like test contexts."""

from pathlib import Path

from rag.models import RELEVANCE_MODEL
from train.verdict import RECIPES, relevance_model_for


def test_a_verdict_trained_into_an_empty_directory_is_scored_with_the_shipped_relevance_model(tmp_path: Path):
    assert relevance_model_for(tmp_path) == RELEVANCE_MODEL


def test_a_relevance_model_trained_into_the_same_directory_is_used_once_its_card_is_written(tmp_path: Path):
    trained = tmp_path / "relevance" / "model-int8.onnx"
    trained.parent.mkdir()
    trained.write_bytes(b"weights being written")
    assert relevance_model_for(tmp_path) == RELEVANCE_MODEL  # no card yet: not finished
    (tmp_path / "relevance" / "card.json").write_text("{}")
    assert relevance_model_for(tmp_path) == trained


def test_each_verdict_recipe_has_its_own_directory():
    assert {name: recipe.directory for name, recipe in RECIPES.items()} == {
        "verdict": "verdict",
        "verdict-polarity": "verdict_polarity",
        "verdict-factoid": "verdict_factoid",
    }
