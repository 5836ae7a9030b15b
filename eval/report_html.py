"""A self-contained HTML view of an evaluation report: plots as base64 PNGs, the worst questions listed.

Figures are drawn on `matplotlib.figure.Figure` objects (no pyplot global state), so rendering works
headless and in threads. The JSON report stays the source of truth; this only presents it.
"""

import base64
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure

from eval.answer_metrics import ANSWER_SCORES
from eval.report import RETRIEVAL_SCORES, compare_reports

TEMPLATES = Path(__file__).parent / "templates"
PLOTTED_SCORES = (
    "hit_at_10", "ndcg_at_10", "key_fact_recall", "citation_gold_precision", "refusal_accuracy", "rouge_l"
)
WORST_SHOWN = 10


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _score(section: Mapping[str, Any], name: str) -> float:
    for part in ("retrieval", "answers"):
        value = section.get(part, {}).get(name)
        if value is not None:
            return float(value)
    return 0.0


def category_plot(report: Mapping[str, Any]) -> str:
    """Grouped bars: the main scores for each category and overall."""
    groups = {"overall": report} | dict(report["by_category"])
    figure = Figure(figsize=(max(6.0, 1.4 * len(groups) + 2), 4))
    axes = figure.add_subplot()
    width = 0.8 / len(PLOTTED_SCORES)
    for index, name in enumerate(PLOTTED_SCORES):
        positions = [g + (index - (len(PLOTTED_SCORES) - 1) / 2) * width for g in range(len(groups))]
        axes.bar(positions, [_score(section, name) for section in groups.values()], width, label=name)
    axes.set_xticks(range(len(groups)), list(groups), rotation=20, ha="right")
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("score")
    axes.set_title("Scores per category")
    axes.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    return _png(figure)


def latency_plot(report: Mapping[str, Any]) -> str:
    """Histogram of end-to-end answer times with p50 and p95 marked."""
    latencies = [row["latency_ms"] for row in report["per_question"]]
    figure = Figure(figsize=(6, 3.4))
    axes = figure.add_subplot()
    axes.hist(latencies, bins=min(30, max(5, len(latencies) // 3)), color="#4c72b0")
    for label, style in (("p50", "--"), ("p95", ":")):
        value = report["latency_ms"].get(label)
        if value is not None:
            axes.axvline(value, color="#c44e52", linestyle=style, label=f"{label} {value:.0f} ms")
    axes.set_xlabel("answer latency (ms)")
    axes.set_ylabel("questions")
    axes.set_title("Latency distribution")
    axes.legend()
    return _png(figure)


def compare_plot(comparison: Mapping[str, Any]) -> str:
    """Horizontal bars: change of each overall score against the previous report."""
    rows = [
        (name, entry["delta"], entry["better"])
        for part in ("retrieval", "answers")
        for name, entry in comparison[part].items()
        if entry["delta"] is not None
    ]
    figure = Figure(figsize=(6, 0.35 * max(len(rows), 1) + 1.2))
    axes = figure.add_subplot()
    axes.barh(
        [name for name, _, _ in rows],
        [delta for _, delta, _ in rows],
        color=["#c44e52" if better is False else "#55a868" for _, _, better in rows],
    )
    axes.axvline(0, color="black", linewidth=0.8)
    axes.invert_yaxis()
    axes.set_xlabel("change vs previous report")
    axes.set_title("Change against the previous run")
    return _png(figure)


def retrievers_plot(report: Mapping[str, Any]) -> str:
    """Grouped bars: retrieval scores of each retriever mode side by side."""
    modes = report["retrievers"]
    figure = Figure(figsize=(6, 3.4))
    axes = figure.add_subplot()
    width = 0.8 / len(modes)
    for index, (mode, scores) in enumerate(modes.items()):
        positions = [m + (index - (len(modes) - 1) / 2) * width for m in range(len(RETRIEVAL_SCORES))]
        axes.bar(positions, [scores["overall"].get(n) or 0.0 for n in RETRIEVAL_SCORES], width, label=mode)
    axes.set_xticks(range(len(RETRIEVAL_SCORES)), list(RETRIEVAL_SCORES))
    axes.set_ylim(0, 1.05)
    axes.set_title("Retrievers compared")
    axes.legend(ncols=len(modes), loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _png(figure)


def reliability_plot(report: Mapping[str, Any]) -> str | None:
    """Predicted confidence against observed accuracy for verdicts and refusals (diagonal = calibrated)."""
    answers = report.get("answers", {})
    curves = {
        "verdicts": answers.get("verdict_reliability") or [],
        "answer / refuse": answers.get("refusal_reliability") or [],
    }
    if not any(curves.values()):
        return None
    figure = Figure(figsize=(4.5, 4))
    axes = figure.subplots()
    axes.plot([0.5, 1], [0.5, 1], linestyle="--", color="grey", label="calibrated")
    for name, rows in curves.items():
        if rows:
            axes.plot([r["confidence"] for r in rows], [r["accuracy"] for r in rows], marker="o", label=name)
    axes.set_xlabel("predicted confidence")
    axes.set_ylabel("observed accuracy")
    axes.set_ylim(0, 1.05)
    axes.legend(fontsize=8)
    axes.set_title("reliability")
    return _png(figure)


def question_quality(row: Mapping[str, Any]) -> float:
    """One number per question for ranking the worst: the mean of the scores that apply to it."""
    answer = row["scores"]["answer"]
    retrieval = row["scores"].get("retrieval") or {}
    parts = [
        retrieval.get("ndcg_at_10"),
        answer.get("key_fact_recall"),
        answer.get("yesno_accuracy"),
        answer.get("refusal_accuracy"),
    ]
    present = [float(p) for p in parts if p is not None]
    return sum(present) / len(present) if present else 1.0


def worst_questions(report: Mapping[str, Any], count: int = WORST_SHOWN) -> list[dict[str, Any]]:
    """The lowest-quality questions with what was retrieved (gold hits marked)."""
    ranked = sorted(report["per_question"], key=question_quality)[:count]
    worst = []
    for row in ranked:
        gold = set(row["gold_pmids"])
        primary = report["retrieval"].get("mode", "hybrid")
        retrieved = row["retrieved"].get(primary, [])
        worst.append(row | {
            "quality": question_quality(row),
            "retrieved_shown": [r | {"gold": r["pmid"] in gold} for r in retrieved],
        })
    return worst


def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    environment.filters["score"] = lambda v: "–" if v is None else f"{v:.3f}"
    environment.filters["signed"] = lambda v: "–" if v is None else f"{v:+.3f}"
    return environment


def render_html(report: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> str:
    """The HTML page for `report`; with `previous`, the change against it as a table and a plot."""
    comparison = compare_reports(report, previous) if previous is not None else None
    plots: dict[str, str] = {"categories": category_plot(report), "latency": latency_plot(report)}
    if comparison is not None:
        plots["compare"] = compare_plot(comparison)
    if len(report.get("retrievers", {})) > 1:
        plots["retrievers"] = retrievers_plot(report)
    reliability = reliability_plot(report)
    if reliability:
        plots["reliability"] = reliability
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        scopes={"overall": report} | dict(report["by_category"]),
        comparison=comparison,
        plots=plots,
        worst=worst_questions(report),
        retrieval_names=RETRIEVAL_SCORES,
        answer_names=ANSWER_SCORES,
    )


def write_html(report: Mapping[str, Any], path: Path, previous: Mapping[str, Any] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, previous), encoding="utf-8")
