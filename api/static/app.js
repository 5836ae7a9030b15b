// The chat page: streams answers from POST /v1/chat (Server-Sent Events), renders [PMID:n] citations as
// PubMed links with the supporting passage on hover and on expand, and downloads briefings.
"use strict";

const PUBMED = "https://pubmed.ncbi.nlm.nih.gov/";
const CITATION = /\[PMID:\s*(\d+)\]/g;
const state = { conversationId: null, conversationToken: null };

const $ = (id) => document.getElementById(id);

function errorMessage(payload, status) {
  return (payload && payload.error && payload.error.message) || `request failed (HTTP ${status})`;
}

// While the service builds its vectors in the background, /readyz says "indexing 12,000 / 30,106 records":
// the badge shows that and polls until the build is done.
const INDEXING = /indexing [\d,]+ \/ [\d,]+/;

async function checkStatus() {
  const badge = $("status");
  try {
    const response = await fetch("/readyz");
    const body = await response.json().catch(() => null);
    const indexing = response.ok && body && body.checks && INDEXING.exec(body.checks.index || "");
    badge.textContent = indexing ? indexing[0] : response.ok ? "ready" : "not ready";
    badge.title = indexing ? "answers use BM25 and the vectors built so far" : "";
    badge.className = "status " + (indexing ? "busy" : response.ok ? "ok" : "bad");
    if (indexing) setTimeout(checkStatus, 5000);
  } catch {
    badge.textContent = "offline";
    badge.className = "status bad";
  }
}

function addUserMessage(text) {
  const empty = $("empty-state");
  if (empty) empty.hidden = true;
  const item = document.createElement("li");
  item.className = "message user";
  item.textContent = text;
  $("messages").appendChild(item);
  return item;
}

function addAnswerShell() {
  const node = $("answer-template").content.firstElementChild.cloneNode(true);
  node.classList.add("pending");
  $("messages").appendChild(node);
  node.scrollIntoView({ block: "end" });
  return node;
}

// Answer text with every [PMID:n] turned into a link whose tooltip is the passage it rests on.
function renderAnswerText(container, text, citations) {
  const byPmid = new Map(citations.map((c) => [c.pmid, c]));
  container.replaceChildren();
  let last = 0;
  for (const match of text.matchAll(CITATION)) {
    container.append(text.slice(last, match.index));
    const pmid = match[1];
    const link = document.createElement("a");
    link.href = PUBMED + pmid + "/";
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "cite";
    link.dataset.pmid = pmid;
    link.textContent = `PMID:${pmid}`;
    const citation = byPmid.get(pmid);
    if (citation && citation.passage) link.title = citation.passage;
    container.append("[", link, "]");
    last = match.index + match[0].length;
  }
  container.append(text.slice(last));
}

// Titles carry inline markup ("CD34<sup>+</sup>"); most snapshot records have none: show the passage's opening words.
function plainText(text) {
  if (!text) return "";
  const doc = new DOMParser().parseFromString(text, "text/html");
  return (doc.body.textContent || "").replace(/\s+/g, " ").trim();
}

function displayTitle(title, passage) {
  const plain = plainText(title);
  if (plain) return plain;
  const words = plainText(passage).split(" ").filter(Boolean);
  if (!words.length) return "(no title)";
  return words.slice(0, 12).join(" ") + (words.length > 12 ? " …" : "");
}

function renderCitations(list, citations) {
  list.replaceChildren();
  for (const citation of citations) {
    const item = document.createElement("li");
    item.className = "citation";
    item.dataset.pmid = citation.pmid;
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    const link = document.createElement("a");
    link.href = citation.link || PUBMED + citation.pmid + "/";
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = `PMID:${citation.pmid}`;
    const where = [citation.journal, citation.year].filter(Boolean).join(", ");
    const kind = document.createElement("span");
    kind.className = "study-type";
    const level = citation.evidence_level || citation.study_type;
    kind.textContent = citation.phase ? `${level}, ${citation.phase}` : level;
    summary.append(link, " ", displayTitle(citation.title, citation.passage), where ? ` (${where}) ` : " ", kind);
    if (citation.abstract_complete === false) {
      const partial = document.createElement("span");
      partial.className = "partial";
      partial.textContent = "partial abstract";
      partial.title = "The corpus holds only part of this abstract: read the record before relying on it.";
      summary.append(" ", partial);
    }
    const passage = document.createElement("blockquote");
    passage.className = "passage";
    passage.textContent = citation.passage || "No passage recorded.";
    details.append(summary, passage);
    if (citation.trial_ids && citation.trial_ids.length) {
      const trials = document.createElement("p");
      trials.className = "trials";
      trials.textContent = "Trials: " + citation.trial_ids.join(", ");
      details.append(trials);
    }
    item.append(details);
    item.title = citation.passage || "";
    list.appendChild(item);
  }
}

function renderFinal(node, answer) {
  node.classList.remove("pending");
  node.classList.toggle("refused", Boolean(answer.refused));
  renderAnswerText(node.querySelector(".answer-text"), answer.answer || "", answer.citations || []);
  const meta = [];
  const metaNode = node.querySelector(".meta");
  metaNode.removeAttribute("title");
  if (answer.verdict) {
    const p = answer.verdict_probability;
    meta.push(`Verdict: ${answer.verdict}` + (typeof p === "number" ? ` (P(yes) ${p.toFixed(2)})` : ""));
    // the verdict model is weak on questions unlike its training data (README "Trained models")
    metaNode.title = "The trained verdict model's reading; weigh the quoted evidence before relying on it.";
  }
  if (answer.refused) meta.push("The corpus does not hold enough evidence for this question.");
  if (answer.evidence_line) meta.push(answer.evidence_line);
  if (answer.standalone_question && answer.standalone_question !== answer.question) {
    meta.push(`Understood as: ${answer.standalone_question}`);
  }
  metaNode.textContent = meta.join(" · ");
  const warnings = node.querySelector(".warnings");
  warnings.replaceChildren(...(answer.warnings || []).map((w) => {
    const li = document.createElement("li");
    li.textContent = w;
    return li;
  }));
  renderCitations(node.querySelector(".citations"), answer.citations || []);
}

function renderError(node, message) {
  node.classList.remove("pending");
  node.classList.add("error");
  node.querySelector(".answer-text").textContent = message;
}

// Minimal Server-Sent Events reader over a fetch body (EventSource cannot POST).
async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

async function ask(question) {
  addUserMessage(question);
  const node = addAnswerShell();
  const text = node.querySelector(".answer-text");
  let response;
  try {
    response = await fetch("/v1/chat", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "text/event-stream",
      ...(state.conversationToken ? { "X-Conversation-Token": state.conversationToken } : {}),
    },
    body: JSON.stringify({ message: question, conversation_id: state.conversationId, stream: true }),
    });
  } catch (err) {
    renderError(node, `The service could not be reached (${err.message}). Is \`secretome-qa serve\` running?`);
    return;
  }
  if (!response.ok) {
    renderError(node, errorMessage(await response.json().catch(() => null), response.status));
    return;
  }
  // The server issues a conversation's token once, on the response that started it.
  if (response.headers.get("X-Conversation-Token")) state.conversationToken = response.headers.get("X-Conversation-Token");
  for await (const { event, data } of readEvents(response)) {
    if (event === "start") state.conversationId = data.conversation_id;
    else if (event === "token") text.append(data.text);
    else if (event === "citations") renderFinal(node, data);
    else if (event === "error") renderError(node, data.message);
  }
  if (node.classList.contains("pending")) renderError(node, "The answer was cut off before it finished; ask again.");
  node.scrollIntoView({ block: "end" });
}

async function brief(topic, format) {
  const result = $("briefing-result");
  result.textContent = "Writing the briefing…";
  const response = await fetch("/v1/briefings", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ topic, format }),
  });
  if (!response.ok) {
    result.textContent = errorMessage(await response.json().catch(() => null), response.status);
    return;
  }
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `briefing.${format}`;
  link.textContent = `Download briefing.${format}`;
  link.dataset.testid = "briefing-download";
  result.replaceChildren("Briefing ready: ", link);
  const shown = $("briefing-text");
  if (shown) {
    const text = await blob.text();
    if (format === "html") {
      const frame = document.createElement("iframe");
      frame.sandbox = "";
      frame.srcdoc = text;
      frame.title = "Briefing";
      shown.replaceChildren(frame);
    } else {
      const pre = document.createElement("pre");
      pre.textContent = text;
      shown.replaceChildren(pre);
    }
  }
  link.click();
}

function busy(button, on) {
  button.disabled = on;
  button.setAttribute("aria-busy", String(on));
}

document.addEventListener("DOMContentLoaded", () => {
  checkStatus();
  for (const example of document.querySelectorAll("[data-example]")) {
    example.addEventListener("click", () => {
      $("question").value = example.dataset.example;
      $("ask-form").requestSubmit();
    });
  }
  $("ask-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = $("question").value.trim();
    if (!question) return;
    $("question").value = "";
    busy($("ask"), true);
    try {
      await ask(question);
    } catch (err) {
      const pending = document.querySelector("#messages .pending");
      renderError(pending || addAnswerShell(), `The service could not be reached: ${err.message}`);
    } finally {
      busy($("ask"), false);
    }
  });
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("ask-form").requestSubmit();
    }
  });
  $("new-conversation").addEventListener("click", () => {
    state.conversationId = null;
    state.conversationToken = null;
    $("messages").replaceChildren();
    const empty = $("empty-state");
    if (empty) empty.hidden = false;
  });
  $("briefing-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    busy($("brief"), true);
    try {
      await brief($("topic").value.trim(), $("format").value);
    } catch (err) {
      $("briefing-result").textContent = `The service could not be reached: ${err.message}`;
    } finally {
      busy($("brief"), false);
    }
  });
});
