"""Small trained models that read the evidence, served with ONNX Runtime (no torch on this path).

- ``relevance/``: a cross-encoder (question, sentence or passage) -> relevance logit.
- ``verdict/``: a pair classifier (yes/no question, evidence) -> P(yes).
- ``question_kind.json``: a tiny logistic regression that recognises yes/no questions.
- ``answer_form.json``: a tiny multinomial one telling factoid, list and summary questions apart.
- ``sentence_selector.onnx``: gradient-boosted trees choosing which evidence sentences an answer may quote.
- ``answer_spans/``: a token tagger (question, sentence) -> the words that answer a factoid or list question.

Each artifact has a card (``card.md`` + ``card.json``) with its data, split rule, command and held-out
scores; ``python -m train`` rebuilds them.
"""

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
RELEVANCE_MODEL = MODELS_DIR / "relevance" / "model-int8.onnx"
VERDICT_MODEL = MODELS_DIR / "verdict" / "model-int8.onnx"
QUESTION_KIND_WEIGHTS = MODELS_DIR / "question_kind.json"
ANSWER_FORM_WEIGHTS = MODELS_DIR / "answer_form.json"
SENTENCE_SELECTOR_MODEL = MODELS_DIR / "sentence_selector.onnx"
ANSWER_SPANS_MODEL = MODELS_DIR / "answer_spans" / "model-int8.onnx"
