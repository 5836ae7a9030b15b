"""The evidence map: record counts over any two profile facets, each cell listing its PMIDs.

Over the whole store or over a search's results (the caller passes the PMIDs). Pure data in
`build_map`; `write_map` renders it as a heatmap (png, svg), a count matrix (csv) or JSON.
"""

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from core.errors import InputError
from rag.review.profile import FACETS, EvidenceProfile, facet_labels

MAP_FACETS = (*FACETS, "year")


class MapCell(BaseModel):
    row: str
    col: str
    count: int
    pmids: list[str] = Field(default_factory=list)


class EvidenceMap(BaseModel):
    """A rows x cols matrix of record counts; `cells` holds only non-empty cells."""

    rows_facet: str
    cols_facet: str
    rows: list[str]
    cols: list[str]
    cells: list[MapCell]
    records: int = Field(description="Records the map counts (a record may fill several preconditioning cells).")
    dictionary_version: str = ""
    query: str | None = None

    def count(self, row: str, col: str) -> int:
        return next((c.count for c in self.cells if c.row == row and c.col == col), 0)

    def matrix(self) -> list[list[int]]:
        index = {(c.row, c.col): c.count for c in self.cells}
        return [[index.get((r, c), 0) for c in self.cols] for r in self.rows]

    def compact(self) -> str:
        """A markdown table of the counts (briefings embed it)."""
        lines = [f"| {self.rows_facet} \\ {self.cols_facet} | " + " | ".join(self.cols) + " |"]
        lines.append("|---" * (len(self.cols) + 1) + "|")
        for row, counts in zip(self.rows, self.matrix(), strict=True):
            lines.append(f"| {row} | " + " | ".join(str(n) if n else "" for n in counts) + " |")
        return "\n".join(lines)


def check_facet(name: str) -> str:
    if name not in MAP_FACETS:
        raise InputError(f"unknown facet {name!r}; use one of {', '.join(MAP_FACETS)}")
    return name


def _order(facet: str, seen: set[str]) -> list[str]:
    if facet == "year":
        return sorted(seen)
    known = facet_labels(facet)
    return [label for label in known if label in seen] + sorted(seen - set(known))


def build_map(
    profiles: Iterable[EvidenceProfile],
    rows: str = "source",
    cols: str = "indication",
    *,
    hide_unlabelled: bool = False,
    query: str | None = None,
    dictionary_version: str = "",
) -> EvidenceMap:
    """Count records per (row label, col label).

    Args:
        profiles: the records to count (the whole store, or a search's results).
        rows, cols: facet names (product, source, indication, evidence, preconditioning, year).
        hide_unlabelled: leave out records whose label on either axis is the facet's "none" label
            (unknown source, indication not stated, ...).
    """
    check_facet(rows)
    check_facet(cols)
    none_labels = {"unknown", "not stated", "none"}
    cells: dict[tuple[str, str], list[str]] = {}
    counted: set[str] = set()
    for profile in profiles:
        for r in profile.facet(rows):
            for c in profile.facet(cols):
                if hide_unlabelled and (r in none_labels or c in none_labels):
                    continue
                cells.setdefault((r, c), []).append(profile.pmid)
                counted.add(profile.pmid)
    row_labels = _order(rows, {r for r, _ in cells})
    col_labels = _order(cols, {c for _, c in cells})
    ordered = [
        MapCell(row=r, col=c, count=len(cells[(r, c)]), pmids=sorted(cells[(r, c)]))
        for r in row_labels
        for c in col_labels
        if (r, c) in cells
    ]
    return EvidenceMap(
        rows_facet=rows,
        cols_facet=cols,
        rows=row_labels,
        cols=col_labels,
        cells=ordered,
        records=len(counted),
        dictionary_version=dictionary_version,
        query=query,
    )


def map_csv(evidence_map: EvidenceMap) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"{evidence_map.rows_facet} \\ {evidence_map.cols_facet}", *evidence_map.cols])
    for row, counts in zip(evidence_map.rows, evidence_map.matrix(), strict=True):
        writer.writerow([row, *counts])
    return buffer.getvalue()


def plot_map(evidence_map: EvidenceMap, path: Path, title: str | None = None) -> None:
    """A heatmap with the count in every cell (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    data = np.array(evidence_map.matrix() or [[0]], dtype=float)
    height = max(3.0, 0.45 * len(evidence_map.rows) + 2.2)
    width = max(5.0, 0.75 * len(evidence_map.cols) + 3.5)
    fig, ax = plt.subplots(figsize=(width, height), dpi=120)
    shown = np.log1p(data)
    image = ax.imshow(shown, cmap="YlGnBu", aspect="auto")
    ax.set_xticks(range(len(evidence_map.cols)), evidence_map.cols, rotation=40, ha="right", fontsize=9)
    ax.set_yticks(range(len(evidence_map.rows)), evidence_map.rows, fontsize=9)
    ax.set_xlabel(evidence_map.cols_facet)
    ax.set_ylabel(evidence_map.rows_facet)
    top = shown.max() or 1.0
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if data[i, j]:
                colour = "white" if shown[i, j] > 0.6 * top else "black"
                ax.text(j, i, f"{int(data[i, j])}", ha="center", va="center", fontsize=8, color=colour)
    scope = f"records matching {evidence_map.query!r}" if evidence_map.query else "records in the store"
    ax.set_title(title or f"Evidence map: {evidence_map.records} {scope}", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="log(1 + records)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_map(evidence_map: EvidenceMap, path: Path) -> None:
    """Write by extension: .png/.svg heatmap, .csv counts, .json everything (with PMIDs)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".png", ".svg"):
        plot_map(evidence_map, path)
    elif suffix == ".csv":
        Path(path).write_text(map_csv(evidence_map))
    elif suffix == ".json":
        Path(path).write_text(json.dumps(evidence_map.model_dump(), indent=1))
    else:
        raise InputError(f"cannot write a map to {path}: use .png, .svg, .csv or .json")
