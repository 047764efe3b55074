// The brief, the filters and the plan's numbers as the API wants them, read from the form.
import { $, $$ } from "./dom.js";
import { markField } from "./errors.js";
import { t } from "./text.js";

export const value = (selector) => $(selector).value.trim();
export const codes = (selector, upper) =>
  value(selector).split(/[\s,;]+/).filter(Boolean).map((c) => (upper ? c.toUpperCase() : c.toLowerCase()));
export const numberOrNull = (selector) => (value(selector) === "" ? null : Number(value(selector)));
export const checked = (name) => $$(`input[name="${name}"]:checked`).map((box) => box.value);

export function briefFromForm() {
  const brand = { values: value("#brand-values") };
  if (value("#brand-name")) brand.name = value("#brand-name");
  if (value("#brand-category")) brand.category = value("#brand-category").toLowerCase();
  if (value("#brand-description")) brand.description = value("#brand-description");
  if (codes("#brand-markets", true).length) brand.markets = codes("#brand-markets", true);
  if (codes("#brand-languages").length) brand.languages = codes("#brand-languages");
  const amount = numberOrNull("#brand-budget");
  if (amount != null) brand.budget = { amount, currency: $("#brand-currency").value };
  return brand;
}

export const FILTER_DEFAULTS = {
  platforms: [], tiers: [], min_followers: 0, max_followers: null, countries: [],
  languages: [], min_authenticity: null, max_cost: null,
};

export function filtersFromForm() {
  const filters = {
    platforms: checked("platforms"),
    tiers: checked("tiers"),
    min_followers: numberOrNull("#f-min-followers") ?? 0,
    max_followers: numberOrNull("#f-max-followers"),
    countries: codes("#f-countries", true),
    languages: codes("#f-languages"),
    min_authenticity: numberOrNull("#f-min-authenticity"),
    max_cost: numberOrNull("#f-max-cost"),
  };
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== null));
}

// The guardrails chosen in the "Red flags" fieldset; null when every flag keeps its default.
export function guardrailsFromForm() {
  const chosen = $$("select[data-guardrail]").filter((select) => select.value)
    .map((select) => [select.dataset.guardrail, select.value]);
  return chosen.length ? Object.fromEntries(chosen) : null;
}

export function activeFilters(filters) {
  return Object.keys(FILTER_DEFAULTS).filter((name) => {
    const value = filters[name];
    if (value == null) return false;
    return Array.isArray(value) ? value.length > 0 : value !== FILTER_DEFAULTS[name];
  });
}

export function needsValues(box) {
  if (value("#brand-values")) return false;
  markField($("#brand-values"), t("needValues"));
  box.textContent = t("needValues");
  box.hidden = false;
  $("#brand-values").focus();
  return true;
}

export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  const label = button.textContent;
  button.textContent = t("working");
  try {
    await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}
