"""The PyTorch runtime for the embedding model (fp32, or bf16 where the CPU has native bf16).

bf16 roughly doubles throughput where the CPU has avx512_bf16 or AMX. Imported only for the torch
backend, the ONNX export, and the benchmarks' baselines.
"""

from pathlib import Path
from typing import Literal

import numpy as np
import torch

from core.errors import ModelUnavailableError
from rag.index.encoders import unit

Precision = Literal["fp32", "bf16"]
_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_supports_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """bf16 pays off only with native instructions; elsewhere it is emulated and slower than fp32."""
    try:
        flags = cpuinfo.read_text()
    except OSError:
        return False
    return any(flag in flags for flag in _BF16_FLAGS)


def resolve_precision(precision: str) -> Precision:
    if precision == "auto":
        return "bf16" if cpu_supports_bf16() else "fp32"
    if precision not in ("fp32", "bf16"):
        raise ValueError(f"unknown precision {precision!r}; use auto, fp32 or bf16")
    return precision  # type: ignore[return-value]


def torch_variant(precision: Precision) -> str:
    return f"torch-{precision}"


def load_sentence_transformer(path: Path, precision: Precision = "fp32", eager_attention: bool = False):
    """Load a local sentence-transformers directory; never reaches for the hub.

    Eager attention exports to an ONNX graph that ONNX Runtime fuses into its own attention kernel."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelUnavailableError(f"{path} is not a sentence-transformers model directory")
    model_kwargs: dict = {"dtype": torch.bfloat16} if precision == "bf16" else {}
    if eager_attention:
        model_kwargs["attn_implementation"] = "eager"
    kwargs = {"model_kwargs": model_kwargs} if model_kwargs else {}
    try:
        return SentenceTransformer(str(path), device="cpu", local_files_only=True, **kwargs)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot load the embedding model at {path}: {exc}") from exc


class TorchEncoder:
    """sentence-transformers on PyTorch; `encode` sorts by length itself."""

    def __init__(self, path: Path, precision: Precision, batch_size: int, threads: int | None):
        if threads:
            torch.set_num_threads(threads)
        self.model = load_sentence_transformer(path, precision)
        self.batch_size = batch_size
        self.dimension = int(self.model.get_embedding_dimension())
        self.variant = torch_variant(precision)

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return unit(np.asarray(vectors, dtype=np.float32))


