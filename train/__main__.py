"""``python -m train [relevance|verdict|verdict-polarity|verdict-factoid|question-kind|sentence-selector|answer-spans|all] [--out DIR] [--seed 13]``

`verdict-polarity` is the verdict recipe with polarity-flipped copies of the PubMedQA pairs (train/negation.py),
written to `verdict_polarity/`; not shipped and not part of `all` (README "Trained models"). Read it beside the
shipped model with `SECRETOME_ANSWER__VERDICT_MODEL=rag/models/verdict/model-int8.onnx,rag/models/verdict_polarity/model-int8.onnx`.
`verdict-factoid` adds yes/no contrast pairs made from BioASQ factoid and list questions (train/factoid_contrast.py),
written to `verdict_factoid/`; measured in docs/experiments.md.

The sentence selector is trained on the read path's own candidates, so it needs a built index
(``SECRETOME_DATA_DIR``) and the other models in place; `all` trains it last."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from core.settings import Settings
from train import sources
from train.verdict import RECIPES as VERDICT_RECIPES

DEFAULT_OUT = sources.REPO / "rag" / "models"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train", description=__doc__)
    parser.add_argument(
        "model",
        choices=["relevance", *VERDICT_RECIPES, "question-kind", "sentence-selector", "answer-spans", "all"],
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where artifacts and cards go")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/secretome-train"), help="scratch: checkpoints, fp32 graphs, raw results"
    )
    parser.add_argument("--limit", type=int, default=None, help="smoke test: only this many training pairs")
    parser.add_argument("--epochs", type=float, default=None, help="override the model's epochs")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="sentence-selector: the data dir whose index it learns from"
    )
    args = parser.parse_args(argv)
    command = "python -m train " + " ".join(argv if argv is not None else sys.argv[1:])
    shared = sources.load()
    args.work.mkdir(parents=True, exist_ok=True)
    names = (
        ["question-kind", "relevance", "verdict", "answer-spans", "sentence-selector"]
        if args.model == "all"
        else [args.model]
    )
    for name in names:
        start = time.time()
        if name == "relevance":
            from train import relevance as module
        elif name in VERDICT_RECIPES:
            from train import verdict as module
        elif name == "sentence-selector":
            from train import sentence_selector as module
        elif name == "answer-spans":
            from train import answer_spans as module
        else:
            from train import question_kind as module
        extra = {}
        if name == "sentence-selector":
            extra = {"settings": Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))}
        elif name in VERDICT_RECIPES:
            extra = {"recipe": name}
        results = module.run(shared, args.out, args.seed, args.work, limit=args.limit, epochs=args.epochs, **extra)
        results["command"] = command
        results["wall_seconds"] = round(time.time() - start)
        (args.work / f"{name}-results.json").write_text(json.dumps(results, indent=2))
        module.write_card(results, args.out)
        print(f"== {name} held-out test: {json.dumps(results.get('test'))}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
