// Brief → shortlist: /v1/match, then sorting and pages in the browser; each creator's
// reasons as bars (what moved it up or down, grey when the signal cannot be known), its red
// flags as badges; an empty list explained by the filter that emptied it.
import { api } from "./api.js";
import {
  activeFilters, briefFromForm, busy, FILTER_DEFAULTS, filtersFromForm, guardrailsFromForm, needsValues, numberOrNull,
} from "./brief.js";
import { openCreator } from "./creator.js";
import { $, el } from "./dom.js";
import { clearErrors, fieldFor, markField, showError } from "./errors.js";
import { flagBadges } from "./flags.js";
import { state } from "./state.js";
import { fmt, reasonText, t } from "./text.js";

export async function runMatch() {
  const form = $("#brief-form");
  const box = $("#match-error");
  clearErrors(form);
  if (needsValues(box)) return;
  const request = {
    brand: briefFromForm(),
    k: numberOrNull("#k") ?? 20,
    filters: filtersFromForm(),
    explain: true,
    diversify: $("#diversify").checked,
    rank_by: $("#rank-by").value,
  };
  const guardrails = guardrailsFromForm();
  if (guardrails) request.guardrails = guardrails;
  await busy($("#run-match"), async () => {
    try {
      const answer = await api("POST", "/v1/match", request);
      state.answer = answer;
      state.brief = request.brand;
      state.sort = { key: "rank", dir: 1 };
      state.page = 0;
      renderResults();
      $("#results").scrollIntoView({ block: "start" });
      if (!answer.matches.length) await explainEmpty(request, box);
    } catch (error) {
      showError(error, box, form);
    }
  });
}

async function explainEmpty(request, box) {
  // Which filter emptied the list: the ones whose removal alone brings creators back.
  const active = activeFilters(request.filters);
  const culprits = [];
  for (const name of active) {
    const filters = { ...request.filters, [name]: FILTER_DEFAULTS[name] };
    const probe = { ...request, k: 1, explain: false, filters };
    const answer = await api("POST", "/v1/match", probe);
    if (answer.matches.length) culprits.push(name);
  }
  let message = t("emptyResult");
  if (!active.length) message = t("emptyAll");
  else if (culprits.length) {
    message += " " + t("emptyBecause", { filters: culprits.map((name) => t(`filt_${name}`)).join(", ") });
    for (const name of culprits) markField(fieldFor(document, `filters.${name}`), t("emptyResult"));
  }
  box.textContent = message;
  box.classList.add("info");
  box.hidden = false;
}

const COLUMNS = [
  { key: "rank", label: "colRank", sort: 1 },
  { key: "handle", label: "colHandle", sort: 1, render: handleCell },
  { key: "platform", label: "colPlatform", sort: 1 },
  { key: "tier", label: "colTier", sort: 1 },
  { key: "followers", label: "colFollowers", sort: -1, format: fmt.int },
  { key: "authenticity", label: "colAuthenticity", sort: -1, format: fmt.pct },
  { key: "sponsored_share", label: "colSponsored", sort: 1, format: fmt.pct },
  { key: "reply_rate", label: "colReply", sort: -1, format: fmt.pct },
  { key: "estimated_cost", label: "colCost", sort: 1, format: (v) => fmt.money(v, state.answer.currency) },
  { key: "advocacy_fit", label: "colAdvocacy", sort: -1, format: fmt.pct },
  { key: "expected_engagement_rate", label: "colEngagement", sort: -1, format: fmt.pct1 },
];

export function sortedRows() {
  const { key, dir } = state.sort;
  const rows = [...state.answer.matches];
  rows.sort((a, b) => {
    const x = a[key], y = b[key];
    if (x == null && y == null) return a.rank - b.rank;
    if (x == null) return 1; // unknown values last, whichever the direction
    if (y == null) return -1;
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return order * dir || a.rank - b.rank;
  });
  return rows;
}

export function renderResults() {
  const answer = state.answer;
  $("#results").hidden = false;
  $("#results-summary").textContent = t("summary", {
    n: answer.matches.length, brand: state.brief?.name || answer.brand_id,
    rank: t({ advocacy: "rankAdvocacy", engagement: "rankEngagement", value: "rankValue" }[answer.rank_by]),
    model: answer.model_version, ms: Math.round(answer.took_ms),
  });
  renderSortChoices();
  renderHead();
  renderPage();
}

function renderSortChoices() {
  const select = $("#sort-by");
  select.replaceChildren(
    ...COLUMNS.filter((c) => c.sort).flatMap((c) => [
      el("option", { value: `${c.key}:${c.sort}`, text: `${t(c.label)} ${c.sort > 0 ? "↑" : "↓"}` }),
      el("option", { value: `${c.key}:${-c.sort}`, text: `${t(c.label)} ${c.sort > 0 ? "↓" : "↑"}` }),
    ]),
  );
  select.value = `${state.sort.key}:${state.sort.dir}`;
}

function renderHead() {
  const row = $("#shortlist thead tr");
  row.replaceChildren(
    ...COLUMNS.map((column) => {
      const th = el("th", { scope: "col" });
      if (!column.sort) {
        th.textContent = t(column.label);
        return th;
      }
      const active = state.sort.key === column.key;
      if (active) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
      const arrow = active ? (state.sort.dir > 0 ? " ▲" : " ▼") : "";
      th.append(el("button", {
        type: "button", class: "sort", text: t(column.label) + arrow,
        onclick: () => sortBy(column.key, active ? -state.sort.dir : column.sort),
      }));
      return th;
    }),
  );
}

export function sortBy(key, dir) {
  state.sort = { key, dir };
  state.page = 0;
  renderSortChoices();
  renderHead();
  renderPage();
}

export function renderPage() {
  const rows = sortedRows();
  const size = Number($("#page-size").value);
  const pages = Math.max(1, Math.ceil(rows.length / size));
  state.page = Math.min(state.page, pages - 1);
  const shown = rows.slice(state.page * size, (state.page + 1) * size);
  const scale = Math.max(1e-9, ...rows.flatMap((r) => r.reasons.map((x) => Math.abs(x.contribution))));
  // each creator: a row of numbers, then a full-width row of reasons (what moved it up or down)
  $("#shortlist tbody").replaceChildren(
    ...shown.flatMap((match) => [
      el("tr", { class: "creator", "data-creator-id": match.creator_id }, COLUMNS.map((column) => {
        const value = match[column.key];
        const content = column.render ? column.render(match) : column.format ? column.format(value) : value;
        return el("td", { "data-label": t(column.label), class: `c-${column.key}` }, content);
      })),
      el("tr", { class: "why" }, el("td", { colspan: COLUMNS.length, "data-label": t("colReasons") },
        reasonsCell(match, scale))),
    ]),
  );
  $("#page-info").textContent = t("pageInfo", { page: state.page + 1, pages });
  $("#page-prev").disabled = state.page === 0;
  $("#page-next").disabled = state.page >= pages - 1;
}

function handleCell(match) {
  return el("div", { class: "who" }, el("button", {
    type: "button", class: "link", text: `@${match.handle}`,
    "aria-label": t("openCreator", { handle: `@${match.handle}` }),
    onclick: () => openCreator(match.creator_id, match),
  }), flagBadges(match.flags));
}

function reasonsCell(match, scale) {
  return el("ul", { class: "reasons" }, match.reasons.map((reason) => reasonBar(reason, scale)));
}

function reasonBar(reason, scale) {
  if (reason.unknown) { // the signal cannot be known: neither for nor against the creator
    return el("li", { class: "reason unknown" },
      el("span", { class: "track", "aria-hidden": "true" }, el("span", { class: "half neg" }), el("span", { class: "half pos" })),
      el("span", { class: "why" }, `? ${reasonText(reason)}: ${t("unknown")}`));
  }
  const up = reason.contribution >= 0;
  const bar = el("span", { class: "bar" });
  bar.style.width = `${Math.max(4, (Math.abs(reason.contribution) / scale) * 100)}%`;
  const sign = up ? "+" : "−";
  return el("li", { class: `reason ${up ? "up" : "down"}` },
    el("span", { class: "track", "aria-hidden": "true" }, el("span", { class: "half neg" }, up ? null : bar),
      el("span", { class: "half pos" }, up ? bar : null)),
    el("span", { class: "why" }, `${sign} ${reasonText(reason)}`));
}
