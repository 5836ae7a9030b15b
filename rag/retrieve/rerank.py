"""Optional second stage: a local cross-encoder reads query and passage together and re-orders the top records.

Only used when `retrieval.reranker_model` names a local sentence-transformers CrossEncoder directory.
"""

from pathlib import Path

import numpy as np

from core.errors import ModelUnavailableError
from rag.types import Evidence


class CrossEncoderReranker:
    """Scores (query, passage) pairs with a local CrossEncoder; higher is more relevant."""

    def __init__(self, path: Path, batch_size: int = 32):
        from sentence_transformers import CrossEncoder

        if not Path(path).is_dir():
            raise ModelUnavailableError(f"re-ranker model directory {path} does not exist")
        try:
            self.model = CrossEncoder(str(path), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(f"cannot load the re-ranker at {path}: {exc}") from exc
        self.batch_size = batch_size

    def scores(self, query: str, passages: list[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        pairs = [(query, passage) for passage in passages]
        return np.asarray(self.model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False), dtype=np.float32)


def rerank(reranker: CrossEncoderReranker, query: str, evidence: list[Evidence]) -> list[Evidence]:
    """Re-order by cross-encoder score of the best passage (title in front); the score replaces the fused one."""
    texts = [f"{e.title}\n{e.passages[0].text}" if e.title else e.passages[0].text for e in evidence]
    scores = reranker.scores(query, texts)
    for item, score in zip(evidence, scores, strict=True):
        item.score = float(score)
    return sorted(evidence, key=lambda e: -e.score)
