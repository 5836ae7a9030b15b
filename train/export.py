"""Export a fitted cross-encoder to ONNX and quantize it to int8 (weights and embedding tables), then
check that the int8 graph agrees with fp32 on real pairs.

Inputs ``input_ids``, ``attention_mask``, ``token_type_ids`` (batch x tokens, both dynamic), output
``logits`` (batch x labels). Quantizing the Gather (embedding) tables too is what keeps a MiniLM under
30 MB (23 MB instead of 45)."""

import hashlib
import logging
import tempfile
import warnings
from pathlib import Path

import numpy as np

INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_int8(
    model, target: Path, keep_fp32: Path | None = None, *, transformer=None, tokenizer=None, per_token: bool = False
) -> Path:
    """Write ``target`` (int8 ONNX); optionally keep the fp32 graph at ``keep_fp32`` for comparison.

    ``model`` is a CrossEncoder; or pass ``transformer`` (a transformers model whose output has ``.logits``)
    and its ``tokenizer`` instead. ``per_token``: the logits are batch x tokens x labels (a tagger), so their
    token axis is dynamic too."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tokenizer = tokenizer or model.tokenizer

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    sample = tokenizer(
        ["a short question?", "another, longer question about cells?"],
        ["some text", "some other text that is longer than the first one"],
        padding=True,
        return_tensors="pt",
    )
    inputs = tuple(sample[n] for n in INPUT_NAMES)
    target.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = keep_fp32 or Path(tmp) / "model.onnx"
        axes = {n: {0: "batch", 1: "tokens"} for n in INPUT_NAMES}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Wrapper((transformer if transformer is not None else model[0].auto_model).eval()),
                inputs,
                str(fp32),
                input_names=INPUT_NAMES,
                output_names=["logits"],
                dynamic_axes={**axes, "logits": {0: "batch", 1: "tokens"} if per_token else {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        try:
            quantize_dynamic(
                str(fp32),
                str(target),
                per_channel=True,
                weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul", "Gather"],
            )
        finally:  # onnxruntime.quantization configures the root logger when imported
            root.handlers[:] = handlers
            root.setLevel(level)
    return target


def agreement(fp32_path: Path, int8_path: Path, query_texts: list[tuple[str, str]]) -> dict:
    """How closely the int8 graph follows fp32: max/mean absolute logit difference, rank correlation
    and the share of same-sign logits (or same argmax for several labels)."""
    from rag.models.pair_classifier import PairClassifier

    a = PairClassifier(fp32_path)._logits_pairs(query_texts)
    b = PairClassifier(int8_path)._logits_pairs(query_texts)
    if a.ndim == 2 and a.shape[1] == 1:
        a, b = a[:, 0], b[:, 0]
    diff = np.abs(a - b)
    if a.ndim == 1:
        same = float(np.mean((a > 0) == (b > 0)))
        ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
        spearman = float(np.corrcoef(ra, rb)[0, 1])
    else:
        same = float(np.mean(a.argmax(1) == b.argmax(1)))
        spearman = float("nan")
    return {
        "pairs": len(query_texts),
        "max_abs_diff": float(diff.max()),
        "mean_abs_diff": float(diff.mean()),
        "same_decision": same,
        "spearman": spearman,
    }
