"""Which trained models the read path loads, when, and the error when it cannot."""

import numpy as np
import onnx
import pytest

from core.errors import ModelUnavailableError
from core.settings import Settings
from rag.models import ANSWER_SPANS_MODEL, RELEVANCE_MODEL, SENTENCE_SELECTOR_MODEL, VERDICT_MODEL
from rag.models.answer_spans import AnswerSpanReader
from rag.models.pair_classifier import PairClassifier
from rag.models.sentence_selector import SentenceSelector
from rag.pipeline import DeferredAnswerSpanReader, DeferredPairClassifier, load_sentence_selector, load_verdict_models


def settings_with(tmp_path, **answer) -> Settings:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    return settings.model_copy(update={"answer": settings.answer.model_copy(update=answer)})


def test_the_shipped_selector_is_the_default(tmp_path) -> None:
    assert isinstance(load_sentence_selector(settings_with(tmp_path)), SentenceSelector)


def test_rule_selection_loads_no_selector(tmp_path) -> None:
    assert load_sentence_selector(settings_with(tmp_path, sentence_selection="rule")) is None


@pytest.mark.parametrize("content", [None, b"not an onnx graph", "other-features"], ids=["missing", "not-onnx", "other-features"])
def test_an_unreadable_selector_names_the_settings_that_fix_it(tmp_path, content) -> None:
    path = tmp_path / "selector.onnx"
    if content == "other-features":
        model = onnx.load(SENTENCE_SELECTOR_MODEL)
        onnx.helper.set_model_props(model, {"features": '["relevance"]', "threshold": "0.5"})
        onnx.save(model, path)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelUnavailableError, match="SENTENCE_SELECTOR_MODEL.*SENTENCE_SELECTION=rule"):
        load_sentence_selector(settings_with(tmp_path, sentence_selector_model=path))


def test_the_verdict_model_opens_on_its_first_question_and_then_stays_open() -> None:
    deferred = DeferredPairClassifier(VERDICT_MODEL, "verdict", "SECRETOME_ANSWER__VERDICT_MODEL")
    assert deferred._model is None
    logits = deferred.scores("Do the synthetic vesicles reduce fibrosis?", ["They reduced fibrosis.", "No effect."])
    assert logits.shape == (2,)
    assert deferred.model is deferred.model
    assert np.allclose(
        logits,
        PairClassifier(VERDICT_MODEL).scores(
            "Do the synthetic vesicles reduce fibrosis?", ["They reduced fibrosis.", "No effect."]
        ),
    )


def test_the_shipped_verdict_model_is_the_default_and_a_setting_may_name_several(tmp_path, monkeypatch) -> None:
    assert [member.path for member in load_verdict_models(settings_with(tmp_path)).members] == [VERDICT_MODEL]
    other = tmp_path / "other-verdict.onnx"
    other.write_bytes(RELEVANCE_MODEL.read_bytes())
    monkeypatch.setenv("SECRETOME_ANSWER__VERDICT_MODEL", str(other))
    only = load_verdict_models(Settings(_env_file=None, data_dir=tmp_path))
    assert [member.path for member in only.members] == [other]
    monkeypatch.setenv("SECRETOME_ANSWER__VERDICT_MODEL", f"{other}, {VERDICT_MODEL}")
    both = load_verdict_models(Settings(_env_file=None, data_dir=tmp_path))
    assert [member.path for member in both.members] == [other, VERDICT_MODEL]


def test_a_missing_verdict_model_fails_at_start_up_naming_its_setting(tmp_path) -> None:
    with pytest.raises(ModelUnavailableError, match="SECRETOME_ANSWER__VERDICT_MODEL"):
        load_verdict_models(settings_with(tmp_path, verdict_model=[VERDICT_MODEL, tmp_path / "none.onnx"]))
    with pytest.raises(ModelUnavailableError, match="SECRETOME_ANSWER__VERDICT_MODEL"):
        DeferredPairClassifier(tmp_path / "none.onnx", "verdict", "SECRETOME_ANSWER__VERDICT_MODEL")


def test_an_unreadable_verdict_model_is_a_clear_error_on_first_use(tmp_path) -> None:
    broken = tmp_path / "verdict.onnx"
    broken.write_bytes(b"not an onnx graph")
    deferred = DeferredPairClassifier(broken, "verdict", "SECRETOME_ANSWER__VERDICT_MODEL")
    with pytest.raises(ModelUnavailableError, match="cannot load the verdict model"):
        deferred.scores("Is it safe?", ["It is safe."])


def test_the_answer_tagger_opens_on_its_first_list_answer_and_reads_like_the_model() -> None:
    deferred = DeferredAnswerSpanReader(ANSWER_SPANS_MODEL)
    assert deferred._reader is None
    question, sentences = "Which synthetic factors were secreted?", ["The synthetic cells secreted VEGF and HGF."]
    assert deferred.read(question, sentences) == AnswerSpanReader(ANSWER_SPANS_MODEL).read(question, sentences)


def test_a_missing_or_unreadable_answer_tagger_is_a_clear_error_naming_its_setting(tmp_path) -> None:
    with pytest.raises(ModelUnavailableError, match="SECRETOME_ANSWER__NAMES_MODEL"):
        DeferredAnswerSpanReader(tmp_path / "none.onnx")
    broken = tmp_path / "tagger.onnx"
    broken.write_bytes(b"not an onnx graph")
    with pytest.raises(ModelUnavailableError, match="cannot load the answer tagger"):
        DeferredAnswerSpanReader(broken).read("Which?", ["Synthetic text."])
