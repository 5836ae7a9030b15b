// The review workbench on the page: the evidence map (GET /v1/map) as a heatmap whose cells open their
// records, and an "export references" button (GET /v1/records/export) for the open cell's records or,
// when no cell is open, the answers' citations on the page.
(() => {
  "use strict";

  const FACETS = ["source", "indication", "product", "evidence", "preconditioning", "year"];
  const FORMATS = { ris: "RIS", bibtex: "BibTeX", csljson: "CSL-JSON" };
  const EXTENSIONS = { ris: "ris", bibtex: "bib", csljson: "json" };
  const TITLE_LIMIT = 25;
  let openCell = null;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key in node && key !== "list") node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function select(id, options, chosen) {
    const box = el("select", { id, "data-testid": id });
    for (const [value, label] of options) box.append(el("option", { value, selected: value === chosen }, label));
    return box;
  }

  function colour(count, max) {
    if (!count) return "transparent";
    const share = Math.log1p(count) / Math.log1p(max || 1);
    const light = Math.round(95 - 60 * share);
    return `hsl(205, 70%, ${light}%)`;
  }

  function pageCitations() {
    const pmids = [...document.querySelectorAll("#messages [data-pmid]")].map((node) => node.dataset.pmid);
    return [...new Set(pmids)];
  }

  function setStatus(text) {
    document.getElementById("workbench-status").textContent = text;
  }

  async function showCell(cell, td) {
    openCell = cell;
    document.querySelectorAll("#evidence-map td.selected").forEach((node) => node.classList.remove("selected"));
    td.classList.add("selected");
    const panel = document.getElementById("cell-records");
    panel.replaceChildren(el("h3", {}, `${cell.row} × ${cell.col}: ${cell.count} record${cell.count === 1 ? "" : "s"}`));
    const list = el("ol", { className: "cell-records-list" });
    panel.append(list);
    for (const pmid of cell.pmids) {
      const link = el("a", { href: `https://pubmed.ncbi.nlm.nih.gov/${pmid}/`, target: "_blank", rel: "noopener" }, `PMID ${pmid}`);
      list.append(el("li", { dataset: { pmid } }, link));
    }
    await Promise.all(cell.pmids.slice(0, TITLE_LIMIT).map(async (pmid) => {
      const response = await fetch(`/v1/records/${pmid}`);
      if (!response.ok) return;
      const record = await response.json();
      const item = list.querySelector(`li[data-pmid="${pmid}"]`);
      const title = (record.title || record.abstract || "").replace(/<[^>]+>/g, "").slice(0, 160);
      if (item && title) item.append(` ${record.year ? `(${record.year}) ` : ""}${title}`);
    }));
  }

  function drawMap(data) {
    const table = document.getElementById("evidence-map");
    const counts = new Map(data.cells.map((cell) => [`${cell.row}\u0000${cell.col}`, cell]));
    const max = Math.max(0, ...data.cells.map((cell) => cell.count));
    const head = el("tr", {}, el("th", { scope: "col" }, `${data.rows_facet} \\ ${data.cols_facet}`));
    for (const col of data.cols) head.append(el("th", { scope: "col" }, col));
    const body = el("tbody");
    for (const row of data.rows) {
      const tr = el("tr", {}, el("th", { scope: "row" }, row));
      for (const col of data.cols) {
        const cell = counts.get(`${row}\u0000${col}`);
        const td = el("td", { dataset: { row, col, count: cell ? cell.count : 0 } }, cell ? String(cell.count) : "");
        td.style.background = colour(cell ? cell.count : 0, max);
        if (cell) {
          td.classList.add("cell");
          td.tabIndex = 0;
          td.title = `${cell.count} record(s): click to list them`;
          td.addEventListener("click", () => showCell(cell, td));
          td.addEventListener("keydown", (event) => { if (event.key === "Enter") showCell(cell, td); });
        }
        tr.append(td);
      }
      body.append(tr);
    }
    table.replaceChildren(el("thead", {}, head), body);
    setStatus(`${data.records} records${data.query ? ` matching “${data.query}”` : " in the store"}`);
  }

  // The page draws the default map on load; a map asked for before that answer arrives must not be
  // overwritten by it, so only the latest request draws.
  let latestMap = 0;

  async function loadMap() {
    const request = ++latestMap;
    const params = new URLSearchParams({
      rows: document.getElementById("map-rows").value,
      cols: document.getElementById("map-cols").value,
      hide_unlabelled: document.getElementById("map-hide").checked,
    });
    const query = document.getElementById("map-query").value.trim();
    if (query) params.set("q", query);
    setStatus("loading the map…");
    openCell = null;
    document.getElementById("cell-records").replaceChildren();
    const response = await fetch(`/v1/map?${params}`);
    const data = await response.json();
    if (request !== latestMap) return;
    if (!response.ok) {
      setStatus(data.error ? data.error.message : `map failed (${response.status})`);
      return;
    }
    drawMap(data);
  }

  async function exportReferences() {
    const pmids = openCell ? openCell.pmids : pageCitations();
    if (!pmids.length) {
      setStatus("nothing to export: open a map cell or ask a question first");
      return;
    }
    const format = document.getElementById("export-format").value;
    const params = new URLSearchParams({ pmids: pmids.join(","), format });
    const response = await fetch(`/v1/records/export?${params}`);
    if (!response.ok) {
      setStatus(`export failed (${response.status})`);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: `references.${EXTENSIONS[format]}` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus(`exported ${pmids.length} reference${pmids.length === 1 ? "" : "s"} as ${FORMATS[format]}`);
  }

  function build() {
    const root = document.getElementById("workbench");
    if (!root) return;
    const facetOptions = FACETS.map((facet) => [facet, facet]);
    const form = el("form", { id: "map-form", className: "map-form" },
      el("label", { htmlFor: "map-rows" }, "Rows"), select("map-rows", facetOptions, "source"),
      el("label", { htmlFor: "map-cols" }, "Columns"), select("map-cols", facetOptions, "indication"),
      el("label", { htmlFor: "map-query" }, "Search (optional)"),
      el("input", { id: "map-query", "data-testid": "map-query", placeholder: "whole store", maxLength: 2000 }),
      el("label", { className: "inline" }, el("input", { type: "checkbox", id: "map-hide", checked: true }), " hide unknown"),
      el("button", { type: "submit", "data-testid": "show-map" }, "Show map"));
    form.addEventListener("submit", (event) => { event.preventDefault(); loadMap(); });
    const exporter = el("div", { className: "export" },
      select("export-format", Object.entries(FORMATS), "ris"),
      el("button", { type: "button", id: "export-references", "data-testid": "export-references" }, "Export references"));
    exporter.querySelector("button").addEventListener("click", exportReferences);
    root.append(
      el("h2", {}, "Evidence map"),
      form,
      el("p", { id: "workbench-status", className: "workbench-status", "data-testid": "workbench-status", "aria-live": "polite" }),
      el("div", { className: "map-scroll" }, el("table", { id: "evidence-map", className: "evidence-map", "data-testid": "evidence-map" })),
      exporter,
      el("div", { id: "cell-records", className: "cell-records", "data-testid": "cell-records" }));
    loadMap();
  }

  document.addEventListener("DOMContentLoaded", build);
})();
