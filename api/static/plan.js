// A campaign plan (/v1/plan): its totals, and bars beside the macro-only and greedy plans.
import { api } from "./api.js";
import { briefFromForm, busy, filtersFromForm, guardrailsFromForm, needsValues, numberOrNull } from "./brief.js";
import { constraintProblems, creatorIds, limitsFromForm } from "./constraints.js";
import { openCreator } from "./creator.js";
import { $, el } from "./dom.js";
import { clearErrors, showError } from "./errors.js";
import { flagBadges } from "./flags.js";
import { state } from "./state.js";
import { fmt, t } from "./text.js";

export async function runPlan() {
  const form = $("#brief-form");
  const box = $("#plan-error");
  clearErrors(form);
  if (needsValues(box)) return;
  const exclude = creatorIds("#plan-exclude");
  const request = {
    brand: briefFromForm(),
    budget: numberOrNull("#plan-budget"),
    currency: $("#brand-currency").value,
    min_creators: numberOrNull("#plan-min"),
    max_creators: numberOrNull("#plan-max"),
    ...limitsFromForm(),
    max_overlap: numberOrNull("#plan-overlap"),
    include_creator_ids: creatorIds("#plan-include"),
    filters: { ...filtersFromForm(), ...(exclude.length ? { exclude_creator_ids: exclude } : {}) },
    objective: $("#plan-objective").value,
    horizon_months: numberOrNull("#plan-horizon"),
    posts_per_month: numberOrNull("#plan-posts"),
    guardrails: guardrailsFromForm(),
  };
  for (const name of Object.keys(request)) if (request[name] === null) delete request[name];
  // a limit, a list only when given: the request says what the person asked for, nothing more
  for (const name of ["tiers", "platforms"]) if (!Object.keys(request[name]).length) delete request[name];
  if (!request.include_creator_ids.length) delete request.include_creator_ids;
  if (constraintProblems(request)) {
    box.textContent = t("err422");
    box.hidden = false;
    $("[aria-invalid]", form).focus();
    return;
  }
  await busy($("#run-plan"), async () => {
    try {
      const answer = await api("POST", "/v1/plan", request);
      state.brief = request.brand;
      renderPlan(answer);
      $("#plan-result").scrollIntoView({ block: "start" });
    } catch (error) {
      if (error.status === 404 && error.message === "Not Found") {
        box.textContent = t("planUnavailable");
        box.hidden = false;
      } else showError(error, box, form);
    }
  });
}

const TOTALS = [
  ["advocated_engagements", "totAdvocated", fmt.int],
  ["expected_advocates", "totAdvocates", fmt.num],
  ["expected_engagements", "totEngagements", fmt.int],
  ["unique_reach", "totReach", fmt.int],
  ["cost", "totCost", null],
];

export function renderPlan(answer) {
  state.plan = answer;
  const plan = answer.plan;
  const currency = answer.currency || $("#brand-currency").value;
  const money = (v) => fmt.money(v, currency);
  $("#plan-result").hidden = false;
  const status = t({ optimal: "statusOptimal", feasible: "statusFeasible", empty: "statusEmpty" }[plan.status] || plan.status);
  const gap = plan.gap ? ` (gap ${fmt.pct1(plan.gap)})` : "";
  $("#plan-status").textContent = t("planStatus", {
    status, gap, n: plan.creators.length, candidates: answer.candidates ?? "—",
  }) + (plan.reason ? ` · ${plan.reason}` : "");
  const totals = plan.totals;
  const items = TOTALS.filter(([key]) => totals[key] != null).map(([key, label, format]) => {
    let value = (format || money)(totals[key]);
    if (key === "expected_advocates" && totals.expected_advocates_low != null) {
      value += ` (${totals.expected_advocates_low}–${totals.expected_advocates_high})`;
    }
    return [t(label), value];
  });
  $("#plan-totals").replaceChildren(...items.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  renderChart(answer, money);
  renderMonths(plan, money);
  renderPlanTable(plan.creators, money);
}

// An always-on programme, month by month, and its horizon's totals in the footer
function renderMonths(plan, money) {
  const section = $("#plan-months");
  section.hidden = !plan.months;
  if (!plan.months) return;
  const columns = [
    ["month", "colMonth", String], ["cost", "colBudgetHeld", money],
    ["expected_cost", "colExpectedCost", money], ["expected_posts", "colPosts", fmt.num],
    ["expected_engagements", "colEngagements", fmt.int], ["expected_advocates", "colAdvocates", fmt.num],
    ["new_unique_reach", "colNewReach", fmt.int], ["cumulative_unique_reach", "colCumReach", fmt.int],
  ];
  const table = $("#plan-months-table");
  $("thead tr", table).replaceChildren(...columns.map(([, label]) => el("th", { scope: "col", text: t(label) })));
  $("tbody", table).replaceChildren(...plan.months.map((month) => el("tr", { "data-month": month.month },
    columns.map(([key, label, format]) => el("td", { "data-label": t(label), text: format(month[key]) })))));
  const totals = plan.totals;
  const horizon = {
    month: t("monthsTotal"), cost: totals.cost, expected_cost: totals.expected_cost,
    expected_posts: totals.expected_posts, expected_engagements: totals.expected_engagements,
    expected_advocates: null, new_unique_reach: totals.unique_reach, cumulative_unique_reach: totals.unique_reach,
  };
  $("tfoot tr", table).replaceChildren(...columns.map(([key, label, format]) => el(key === "month" ? "th" : "td",
    { "data-label": t(label), text: key === "month" ? horizon.month : format(horizon[key]) })));
}

function renderChart(answer, money) {
  const series = [
    ["plan", t("seriesPlan"), answer.plan],
    ["macro", t("seriesMacro"), answer.side_by_side?.macro_only],
    ["greedy", t("seriesGreedy"), answer.side_by_side?.greedy],
  ].filter(([, , plan]) => plan);
  const groups = TOTALS.filter(([key]) => series.every(([, , plan]) => plan.totals[key] != null)).map(([key, label, format]) => {
    const top = Math.max(1e-9, ...series.map(([, , plan]) => plan.totals[key]));
    return el("figure", { class: "group" }, el("figcaption", { text: t(label) }),
      el("ul", {}, series.map(([cls, name, plan]) => {
        const bar = el("span", { class: `bar ${cls}` });
        bar.style.width = `${(plan.totals[key] / top) * 100}%`;
        return el("li", {}, el("span", { class: "name", text: name }),
          el("span", { class: "track", "aria-hidden": "true" }, bar),
          el("span", { class: "value", text: (format || money)(plan.totals[key]) }));
      })));
  });
  const macro = answer.side_by_side?.macro_only?.totals?.advocated_engagements;
  const ours = answer.plan.totals.advocated_engagements;
  const headline = macro > 0 && ours != null
    ? el("p", { class: "headline", text: t("ratio", { x: fmt.num(ours / macro) }) }) : null;
  // an empty side plan draws as zero bars: say why beside them
  const notes = series.filter(([, , plan]) => plan.status === "empty" && plan !== answer.plan)
    .map(([, name, plan]) => el("p", { class: "hint note", text: t("emptySide", { name, reason: plan.reason || "—" }) }));
  $("#plan-chart").replaceChildren(...[headline, ...notes, ...groups].filter(Boolean));
}

function renderPlanTable(creators, money) {
  const columns = [
    ["handle", "colHandle"], ["platform", "colPlatform"], ["tier", "colTier"],
    ["followers", "colFollowers"], ["estimated_cost", "colCost"], ["advocacy_fit", "colAdvocacy"],
    ["expected_engagements", "colEngagements"],
  ];
  // a programme: how likely each creator renews a month, and its posts over the horizon
  if (creators.some((c) => c.retention != null)) columns.push(["retention", "colRetention"], ["expected_posts", "colPosts"]);
  $("#plan-table thead tr").replaceChildren(...columns.map(([, label]) => el("th", { scope: "col", text: t(label) })));
  const show = {
    handle: (c) => el("div", { class: "who" }, el("button", {
      type: "button", class: "link", text: `@${c.handle}`,
      "aria-label": t("openCreator", { handle: `@${c.handle}` }),
      onclick: () => openCreator(c.creator_id, null, c.flags),
    }), flagBadges(c.flags)),
    followers: (c) => fmt.int(c.followers), estimated_cost: (c) => money(c.estimated_cost),
    advocacy_fit: (c) => fmt.pct(c.advocacy_fit), expected_engagements: (c) => fmt.int(c.expected_engagements),
    retention: (c) => fmt.pct(c.retention), expected_posts: (c) => fmt.num(c.expected_posts),
  };
  $("#plan-table tbody").replaceChildren(...creators.map((c) => el("tr", { "data-creator-id": c.creator_id }, columns.map(([key, label]) =>
    el("td", { "data-label": t(label) }, show[key] ? show[key](c) : c[key])))));
}
