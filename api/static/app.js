// The agency page: a brief → the shortlist (/v1/match), a creator (/v1/creators/{id}, its
// lookalikes), a campaign plan (/v1/plan). Plain JavaScript modules, no build step. This one
// wires the page up.
import { exportCsv } from "./csv.js";
import { $, $$ } from "./dom.js";
import { watchReadiness } from "./errors.js";
import { renderPlan, runPlan } from "./plan.js";
import { renderPage, renderResults, runMatch, sortBy } from "./shortlist.js";
import { KEY_STORE, LANG_STORE, state } from "./state.js";
import { pickLanguage, t } from "./text.js";

function applyLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang;
  $("#lang").value = lang;
  for (const el of $$("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of $$("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  showKeyState();
  if (state.answer) renderResults();
  if (state.plan) renderPlan(state.plan);
}

function showKeyState() {
  $("#key-state").textContent = sessionStorage.getItem(KEY_STORE) ? t("keyKept") : t("keyMissing");
}

function selectTab(tab) {
  for (const other of $$(".tab")) {
    const on = other === tab;
    other.setAttribute("aria-selected", String(on));
    other.tabIndex = on ? 0 : -1;
    $(`#${other.getAttribute("aria-controls")}`).hidden = !on;
  }
}

function wire() {
  $("#key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("#api-key").value.trim();
    if (key) sessionStorage.setItem(KEY_STORE, key);
    $("#api-key").removeAttribute("aria-invalid");
    $("#api-key-error").hidden = true;
    showKeyState();
  });
  $("#key-forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORE);
    $("#api-key").value = "";
    showKeyState();
  });
  $("#lang").addEventListener("change", (event) => {
    localStorage.setItem(LANG_STORE, event.target.value);
    applyLanguage(event.target.value);
  });
  const tabs = $$(".tab");
  $(".tabs").setAttribute("role", "tablist");
  for (const tab of tabs) {
    tab.setAttribute("role", "tab");
    $(`#${tab.getAttribute("aria-controls")}`).setAttribute("role", "tabpanel");
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      selectTab(next);
      next.focus();
    });
  }
  selectTab(tabs[0]);
  $("#brief-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const plan = event.submitter ? event.submitter.id === "run-plan" : !$("#view-plan").hidden;
    (plan ? runPlan : runMatch)();
  });
  $("#sort-by").addEventListener("change", (event) => {
    const [key, dir] = event.target.value.split(":");
    sortBy(key, Number(dir));
  });
  $("#page-size").addEventListener("change", () => { state.page = 0; renderPage(); });
  $("#page-prev").addEventListener("click", () => { state.page -= 1; renderPage(); });
  $("#page-next").addEventListener("click", () => { state.page += 1; renderPage(); });
  $("#export-csv").addEventListener("click", exportCsv);
  // the plan's budget follows the brief's until the person sets it themselves
  $("#plan-budget").addEventListener("input", (event) => { event.target.dataset.edited = "1"; });
  $("#brand-budget").addEventListener("input", (event) => {
    if (!$("#plan-budget").dataset.edited && event.target.value) $("#plan-budget").value = event.target.value;
  });
  $("#detail-close").addEventListener("click", () => $("#detail").close());
}

function start() {
  const key = sessionStorage.getItem(KEY_STORE);
  if (key) $("#api-key").value = key;
  wire();
  applyLanguage(pickLanguage());
  watchReadiness();
}

start();
