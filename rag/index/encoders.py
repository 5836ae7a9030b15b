"""Texts to unit vectors with ONNX Runtime (int8), the default runtime; torch lives in rag.index.torch_encoder.

The int8 model is exported and quantized locally, once, from the bundled weights (rag.index.onnx_export,
imported only when the export is missing). Texts are tokenized by the `tokenizers` package from the
model's tokenizer.json, so serving from an existing export imports neither torch nor transformers.
Texts are sorted by length so a batch pads little.
"""

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import ModelUnavailableError


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 in float32: bf16 and int8 models normalise only approximately, and
    stored vectors must give the same cosine as Chroma's distance."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class Encoder(Protocol):
    dimension: int
    variant: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def pad_batch(features: dict[str, list[list[int]]], rows: np.ndarray, pad_id: int) -> dict[str, np.ndarray]:
    """Right-pad the tokenized `rows` to their longest; pad_id for input ids, 0 for masks and segments."""
    length = max(len(features["input_ids"][i]) for i in rows)
    batch = {}
    for name, values in features.items():
        array = np.full((len(rows), length), pad_id if name == "input_ids" else 0, dtype=np.int64)
        for out_row, i in enumerate(rows):
            array[out_row, : len(values[i])] = values[i]
        batch[name] = array
    return batch


def length_batches(lengths: list[int], batch_size: int) -> list[np.ndarray]:
    """Row indices grouped into batches of similar token length, so padding costs almost nothing."""
    order = np.argsort(lengths, kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def int8_variant(batch_size: int) -> str:
    """The int8 graph quantizes activations per tensor (dynamic quantization: one scale over the whole batch,
    padding included), so a text's vector depends on the texts batched with it, by up to 0.013 in cosine (1,000
    snapshot abstracts; README, "Vectors that do not depend on their batch"). Encoded one at a time a text always
    gets the same vector; those vectors are a variant of their own, so a cache or an index never mixes the two."""
    return "onnx-int8-single" if batch_size == 1 else "onnx-int8"


class OnnxInt8Encoder:
    """The int8 ONNX export of a sentence-transformers model, run by ONNX Runtime on the CPU.

    Bulk encoding runs one single-threaded session per worker on length-sorted batches (of one text by default,
    see `int8_variant`): on 2 cores that measured about 1.25x one session with two intra-op threads (small
    matrices scale badly across threads). The extra sessions open in a background thread as soon as the first
    is ready (opening releases the GIL), so a cold `ask` has them by the time it embeds its candidate sentences.
    Once the export exists only the tokenizer is loaded, not the PyTorch weights, so opening is quick."""

    def __init__(self, path: Path, export_dir: Path, batch_size: int, threads: int | None):
        target = export_dir / "model-int8.onnx"
        if not target.is_file():
            from rag.index.onnx_export import export_int8
            from rag.index.torch_encoder import load_sentence_transformer

            export_int8(load_sentence_transformer(path, "fp32", eager_attention=True), target)
        self.model_file = target
        config = _sentence_config(path)
        self.max_length = int(config.get("max_seq_length") or 512)
        self.lower_case = bool(config.get("do_lower_case", False))
        self.tokenizer = load_tokenizer(path, self.max_length)
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.workers = threads or os.cpu_count() or 1
        self.sessions = [self._open_session()]
        self._opening = threading.Lock()
        self.input_names = [i.name for i in self.sessions[0].get_inputs()]
        self.variant = int8_variant(batch_size)
        self.batch_size = batch_size
        self.dimension = int(self.encode(["dimension probe"]).shape[1])
        threading.Thread(target=self._sessions_for, args=(self.workers,), name="onnx-sessions").start()

    def _open_session(self):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        return ort.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"])

    def _sessions_for(self, batches: int) -> list:
        wanted = min(self.workers, batches)
        with self._opening:
            while len(self.sessions) < wanted:
                self.sessions.append(self._open_session())
        return self.sessions[:wanted]

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = [t.strip().lower() if self.lower_case else t.strip() for t in texts]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        tokenized = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        features = {name: tokenized[name] for name in self.input_names}
        batches = length_batches([len(ids) for ids in features["input_ids"]], self.batch_size)
        sessions = self._sessions_for(len(batches))

        def work(worker: int) -> list[tuple[np.ndarray, np.ndarray]]:
            session = sessions[worker]
            return [
                (rows, session.run(None, pad_batch(features, rows, self.pad_id))[0])
                for rows in batches[worker :: len(sessions)]
            ]

        if len(sessions) == 1:
            results = work(0)
        else:
            with ThreadPoolExecutor(len(sessions)) as pool:
                results = [pair for part in pool.map(work, range(len(sessions))) for pair in part]
        out = np.zeros((len(texts), results[0][1].shape[1]), dtype=np.float32)
        for rows, vectors in results:
            out[rows] = vectors
        return unit(out)


def load_tokenizer(path: Path, max_length: int):
    """The model's fast tokenizer from tokenizer.json, truncating at `max_length`, padding left to pad_batch.

    Same ids as transformers' AutoTokenizer for the same file (it wraps this very tokenizer), without
    importing transformers (and through it torch).

    Raises:
        ModelUnavailableError: the directory has no readable tokenizer.json.
    """
    from tokenizers import Tokenizer

    file = path / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(file))
    except Exception as exc:  # tokenizers raises plain Exception for a missing or malformed file
        raise ModelUnavailableError(f"cannot load the tokenizer {file}: {exc}") from exc
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _sentence_config(path: Path) -> dict:
    """sentence_bert_config.json (max_seq_length, do_lower_case), or {} for a plain transformers directory."""
    file = path / "sentence_bert_config.json"
    return json.loads(file.read_text()) if file.is_file() else {}
