"""One-time export of a sentence-transformers model to int8 ONNX (per-channel weight quantization).

Imported lazily by the ONNX encoder when its export is missing: the serving path never needs torch.
"""

import logging
import os
import tempfile
import warnings
from pathlib import Path

import torch


class _Exportable(torch.nn.Module):
    """Calls the whole sentence-transformers pipeline (encoder, pooling, normalisation) by keyword."""

    def __init__(self, model, input_names: list[str]):
        super().__init__()
        self.model = model
        self.input_names = input_names

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.model(dict(zip(self.input_names, inputs)))["sentence_embedding"]


def export_int8(model, target: Path) -> None:
    """Export to ONNX (TorchScript exporter) and quantize the weight matrices to int8 per channel.

    Embedding tables stay fp32 (quantizing them costs accuracy and saves no time). Measured on 400 dev
    questions over 3,000 records: dense recall@10 0.880 against 0.885 for bf16/fp32, at about 3x the speed."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        _export_int8(model, target)
    finally:  # onnxruntime.quantization configures the root logger when imported; undo that
        root.handlers[:] = handlers
        root.setLevel(level)


def _export_int8(model, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = list(model.tokenizer.model_input_names)
    sample = model.tokenizer(["a short example", "another, slightly longer example sentence"], padding=True, return_tensors="pt")
    inputs = tuple(sample[name] for name in names)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        axes = {name: {0: "batch", 1: "tokens"} for name in names}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about shape-dependent branches are expected
            torch.onnx.export(
                _Exportable(model.eval(), names),
                inputs,
                str(fp32),
                input_names=names,
                output_names=["sentence_embedding"],
                dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        quantized = Path(tmp) / "model-int8.onnx"
        quantize_dynamic(
            str(fp32),
            str(quantized),
            per_channel=True,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        os.replace(quantized, target)


