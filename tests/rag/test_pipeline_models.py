"""Which trained sentence selector the read path loads, and the error when it cannot."""

import pytest

from core.errors import ModelUnavailableError
from core.settings import Settings
from rag.models.sentence_selector import SentenceSelector
from rag.pipeline import load_sentence_selector


def settings_with(tmp_path, **answer) -> Settings:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    return settings.model_copy(update={"answer": settings.answer.model_copy(update=answer)})


def test_the_shipped_selector_is_the_default(tmp_path) -> None:
    assert isinstance(load_sentence_selector(settings_with(tmp_path)), SentenceSelector)


def test_rule_selection_loads_no_selector(tmp_path) -> None:
    assert load_sentence_selector(settings_with(tmp_path, sentence_selection="rule")) is None


WRONG_FEATURES = '{"features": ["relevance"], "intercept": 0, "weights": [1], "threshold": 0.5}'


@pytest.mark.parametrize("content", [None, "{not json", WRONG_FEATURES], ids=["missing", "not-json", "other-features"])
def test_an_unreadable_selector_names_the_settings_that_fix_it(tmp_path, content) -> None:
    path = tmp_path / "selector.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ModelUnavailableError, match="SENTENCE_SELECTOR_MODEL.*SENTENCE_SELECTION=rule"):
        load_sentence_selector(settings_with(tmp_path, sentence_selector_model=path))
