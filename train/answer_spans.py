"""The answer tagger: (question, evidence sentence) -> O/B/I per sentence token (rag/models/answer_spans).

Data: BioASQ factoid and list questions of the "train" split. Their gold records' text is the expert
snippets, and their key facts (the exact answers with synonyms) mark the answer words: every occurrence of
a phrasing, whole words, longest first, is a span. Each question brings its snippet sentences that hold an
answer (at most `POSITIVES`), a few that do not, and the sentence of each of its top BM25 non-gold records
that shares most words with it (tagged the same way, so an answer named there is still an answer).
Held-out: validation (checked while choosing) and test questions, read over the same kind of sentences
(gold snippets plus BM25 distractors); an answer counts as found when its phrasing lies in one of the top
ranked strings, as `key_fact_recall` counts it in an answer.
"""

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.splits import select
from rag.answer.named_answers import rank_named_answers
from rag.models.answer_spans import LABELS, AnswerSpanReader, decode_readings
from train import card, data
from train.negatives import Bm25
from train.sources import SharedData
from train.trainer import TrainConfig, base_model_path, freeze

FORMS = ("bioasq-factoid", "bioasq-list")
POSITIVES = 6
NEGATIVES = 2
HARD_RECORDS = 3
EVAL_HARD_RECORDS = 5
TOP_K = (1, 3, 5, 10)


CONFIG = TrainConfig(epochs=3.0, batch_size=16, learning_rate=1e-4, warmup_ratio=0.1, max_length=128, seed=13)


@dataclass(frozen=True)
class Example:
    question: str
    sentence: str
    spans: list[tuple[int, int]]


@dataclass(frozen=True)
class Case:
    """A held-out question: the sentences the tagger reads and the key facts it should find."""

    question: str
    form: str
    key_facts: list[list[str]]
    sentences: list[str]


def questions(shared: SharedData, split: str) -> list[dict]:
    return [q for q in select(shared.bioasq, split) if q["category"] in FORMS and q.get("key_facts")]


def phrasings(question: dict) -> list[str]:
    return [p for fact in question["key_facts"] for p in fact]


def gold_sentences(question: dict, shared: SharedData) -> list[str]:
    return [
        s
        for p in question["gold_pmids"]
        if p in shared.records
        for s in data.usable_sentences(shared.records[p]["abstract"])
    ]


def distractors(question: dict, shared: SharedData, bm25: Bm25, k: int) -> list[str]:
    """The most question-like sentence of each of the top-k BM25 records that are not gold."""
    found = []
    for pmid in bm25.top(question["question"], k, exclude=set(question["gold_pmids"])):
        sentence = data.hardest_sentence(question["question"], data.usable_sentences(shared.records[pmid]["abstract"]))
        if sentence:
            found.append(sentence)
    return found


def training_examples(shared: SharedData, bm25: Bm25, split: str, rng: random.Random) -> list[Example]:
    examples = []
    for q in questions(shared, split):
        phrases = phrasings(q)
        tagged = [(s, data.answer_phrase_spans(s, phrases)) for s in gold_sentences(q, shared)]
        positives = [t for t in tagged if t[1]]
        negatives = [t for t in tagged if not t[1]]
        chosen = rng.sample(positives, min(POSITIVES, len(positives))) + rng.sample(
            negatives, min(NEGATIVES, len(negatives))
        )
        chosen += [(s, data.answer_phrase_spans(s, phrases)) for s in distractors(q, shared, bm25, HARD_RECORDS)]
        examples += [Example(q["question"], s, spans) for s, spans in chosen]
    return examples


def cases(shared: SharedData, bm25: Bm25, split: str) -> list[Case]:
    out = []
    for q in questions(shared, split):
        sentences = gold_sentences(q, shared) + distractors(q, shared, bm25, EVAL_HARD_RECORDS)
        out.append(Case(q["question"], q["category"], q["key_facts"], sentences))
    return out


def fact_found(fact: Sequence[str], names: Sequence[str]) -> bool:
    """As `key_fact_recall` counts: one phrasing occurs, case-insensitively, in the text."""
    text = " ".join(names).lower()
    return any(p.lower() in text for p in fact)


def evaluate(reader: AnswerSpanReader, held_out: Sequence[Case]) -> dict:
    """Share of key facts among the top-k ranked strings, per form, and how many strings come back."""
    results: dict = {}
    for form in FORMS:
        subset = [c for c in held_out if c.form == form]
        found = {k: 0 for k in TOP_K}
        facts = 0
        first_right = 0
        for case in subset:
            spans = reader.read(case.question, case.sentences)
            ranked = [a.text for a in rank_named_answers(spans, [1.0] * len(spans), [""] * len(spans))]
            facts += len(case.key_facts)
            for k in TOP_K:
                found[k] += sum(fact_found(f, ranked[:k]) for f in case.key_facts)
            first_right += bool(ranked) and any(fact_found(f, ranked[:1]) for f in case.key_facts)
        name = form.removeprefix("bioasq-")
        results[f"{name}_questions"] = len(subset)
        results[f"{name}_top1_question_accuracy"] = round(first_right / max(len(subset), 1), 4)
        for k in TOP_K:
            results[f"{name}_fact_recall_top{k}"] = round(found[k] / max(facts, 1), 4)
    return results


def _encode(tokenizer, examples: Sequence[Example], max_length: int):
    tokenizer.enable_truncation(max_length, strategy="only_second")
    tokenizer.no_padding()
    encodings = tokenizer.encode_batch([(e.question, e.sentence) for e in examples])
    tags = [data.tag_tokens(enc.offsets, enc.sequence_ids, e.spans) for enc, e in zip(encodings, examples, strict=True)]
    return encodings, tags


def fit(examples: list[Example], config: TrainConfig, work_dir: Path, log=print):
    """A BERT token classifier from the bundled MiniLM, plain torch loop, length-bucketed batches."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForTokenClassification, get_linear_schedule_with_warmup, set_seed

    from rag.models.pair_classifier import bundled_tokenizer_path, length_batches, pad

    set_seed(config.seed)
    torch.manual_seed(config.seed)
    model = AutoModelForTokenClassification.from_pretrained(
        str(base_model_path()),
        num_labels=len(LABELS),
        local_files_only=True,
        attn_implementation="eager",
    )
    freeze(model.bert, config)
    tokenizer = Tokenizer.from_file(str(bundled_tokenizer_path()))
    encodings, tags = _encode(tokenizer, examples, config.max_length)
    rng = random.Random(config.seed)
    batches = length_batches([len(e.ids) for e in encodings], config.batch_size)
    steps = int(len(batches) * config.epochs)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.learning_rate, weight_decay=config.weight_decay
    )
    schedule = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * steps), steps)
    model.train()
    start, step, running = time.time(), 0, []
    while step < steps:
        rng.shuffle(batches)
        for batch in batches:
            if step >= steps:
                break
            feed = {
                "input_ids": torch.from_numpy(pad([encodings[i].ids for i in batch])),
                "attention_mask": torch.from_numpy(pad([encodings[i].attention_mask for i in batch])),
                "token_type_ids": torch.from_numpy(pad([encodings[i].type_ids for i in batch])),
                "labels": torch.from_numpy(pad([tags[i] for i in batch], value=-100)),
            }
            loss = model(**feed).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            running.append(loss.item())
            step += 1
            if step % 50 == 0:
                log(f"step {step}/{steps} loss {np.mean(running[-50:]):.4f} ({time.time() - start:.0f} s)")
    model.eval()
    model.save_pretrained(str(work_dir / "final"))
    return model, {
        "steps": steps,
        "first_loss": round(float(np.mean(running[:50])), 4),
        "last_loss": round(float(np.mean(running[-50:])), 4),
    }


def export(model, target: Path, keep_fp32: Path) -> Path:
    from transformers import AutoTokenizer

    from train.export import export_int8

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path()), local_files_only=True)
    return export_int8(None, target, keep_fp32, transformer=model, tokenizer=tokenizer, per_token=True)


def agreement(fp32: AnswerSpanReader, int8: AnswerSpanReader, held_out: Sequence[Case]) -> dict:
    """Share of sentence tokens the int8 graph tags as fp32 does, and of spans both find."""
    same = total = 0
    spans_a = spans_b = both = 0
    for case in held_out:
        readings_a = fp32.probabilities(case.question, case.sentences)
        readings_b = int8.probabilities(case.question, case.sentences)
        for (pa, enc), (pb, _) in zip(readings_a, readings_b, strict=True):
            mask = np.array([sid == 1 for sid in enc.sequence_ids])
            same += int(np.sum(pa.argmax(1)[mask] == pb.argmax(1)[mask]))
            total += int(mask.sum())
        a, b = (
            {
                (i, s.text)
                for i, spans in enumerate(decode_readings(readings, case.sentences))
                for s in spans
                if s.score >= 0.5
            }
            for readings in (readings_a, readings_b)
        )
        spans_a, spans_b, both = spans_a + len(a), spans_b + len(b), both + len(a & b)
    return {
        "token_tags_same": round(same / max(total, 1), 4),
        "spans_fp32": spans_a,
        "spans_int8": spans_b,
        "spans_both": both,
    }


def run(shared: SharedData, out_dir: Path, seed: int, work_dir: Path, limit=None, epochs=None, log=print) -> dict:
    config = TrainConfig(**{**CONFIG.as_dict(), "seed": seed, **({"epochs": epochs} if epochs else {})})
    start = time.time()
    bm25 = Bm25(shared.records)
    examples = training_examples(shared, bm25, "train", random.Random(seed))
    if limit:
        examples = examples[:limit]
    positives = sum(bool(e.spans) for e in examples)
    log(
        f"answer tagger: {len(examples)} sentences ({positives} with an answer) from {len(questions(shared, 'train'))} questions"
    )
    model, fit_facts = fit(examples, config, work_dir / "answer-spans", log)
    train_seconds = round(time.time() - start)
    target = out_dir / "answer_spans" / "model-int8.onnx"
    fp32_path = work_dir / "answer-spans" / "model-fp32.onnx"
    export(model, target, fp32_path)
    int8 = AnswerSpanReader(target)
    validation = cases(shared, bm25, "validation")
    test = cases(shared, bm25, "test")
    results = {
        "config": config.as_dict(),
        "data": {
            "questions": len(questions(shared, "train")),
            "sentences": len(examples),
            "sentences_with_answer": positives,
            "source": "bioasq-dev.jsonl factoid and list questions, split 'train'; sentences of the gold "
            "records (expert snippets) and each question's top BM25 non-gold records",
        },
        "fit": fit_facts,
        "validation": evaluate(int8, validation),
        "test": evaluate(int8, test),
        "int8_vs_fp32": agreement(AnswerSpanReader(fp32_path), int8, validation),
        "timing": {"train_seconds": train_seconds, "total_seconds": round(time.time() - start)},
        "artifact": str(target),
    }
    return results


def write_card(results: dict, out_dir: Path) -> None:
    target = Path(results["artifact"])
    facts = {
        "name": "answer tagger",
        "task": "(question, evidence sentence) -> per sentence token O / B / I (an answer's first / other words)",
        **card.artifact_facts(target),
        "inputs": "input_ids, attention_mask, token_type_ids (batch x tokens, dynamic); output logits "
        "(batch x tokens x 3: O, B, I)",
        "tokenizer": "tokenizer.json of the bundled all-MiniLM-L6-v2; pair truncation only_second, 128 tokens",
        **card.provenance(results),
        "data": results["data"],
        "evaluation": "held-out questions read over their gold records' sentences plus the most question-like "
        f"sentence of each of their top {EVAL_HARD_RECORDS} BM25 non-gold records; spans merged across sentences "
        "by rag.answer.named_answers.rank_named_answers; a key fact counts as found when one of its phrasings "
        "occurs in the top-k strings (as key_fact_recall counts it in an answer); int8 file scored",
        "quantization": "onnxruntime quantize_dynamic, QInt8 per channel, op types MatMul + Gather (embeddings)",
        "hyper_parameters": {**results["config"], **results["fit"], "trainer": "plain torch loop, token cross-entropy"},
        "validation": results["validation"],
        "test": results["test"],
        "int8_vs_fp32": results["int8_vs_fp32"],
        "timing": {**results["timing"], "hardware": "2 shared CPU cores, no GPU"},
    }
    body = (
        "A MiniLM-L6 token tagger (embeddings frozen) fine-tuned to mark the words of an evidence sentence that answer "
        "a factoid or list question. With SECRETOME_ANSWER__NAMED_ANSWERS=true the extractive answer opens list "
        "answers with what it finds, each name cited to the record it was read in."
    )
    card.write(target.parent, facts, "Answer tagger (int8 ONNX)", body)
