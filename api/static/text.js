// The words of the page in its language, and numbers formatted for it.
import { FEATURES_IT, TEXT } from "./i18n.js";
import { LANG_STORE, state } from "./state.js";

export function t(key, vars = {}) {
  const table = TEXT[state.lang] || TEXT.en;
  const text = table[key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

export function reasonText(reason) {
  if (state.lang === "it" && FEATURES_IT[reason.feature]) {
    return FEATURES_IT[reason.feature];
  }
  return reason.description || reason.feature;
}

export function pickLanguage() {
  const saved = localStorage.getItem(LANG_STORE);
  if (saved === "it" || saved === "en") return saved;
  return (navigator.language || "en").toLowerCase().startsWith("it") ? "it" : "en";
}

const numberFormat = (options) => new Intl.NumberFormat(state.lang, options);
export const fmt = {
  int: (v) => (v == null ? "—" : numberFormat({ maximumFractionDigits: 0 }).format(v)),
  pct: (v) => (v == null ? "—" : numberFormat({ style: "percent", maximumFractionDigits: 0 }).format(v)),
  pct1: (v) => (v == null ? "—" : numberFormat({ style: "percent", maximumFractionDigits: 1 }).format(v)),
  num: (v) => (v == null ? "—" : numberFormat({ maximumFractionDigits: 1 }).format(v)),
  money: (v, currency) =>
    v == null ? "—" : numberFormat({ style: "currency", currency, maximumFractionDigits: 0 }).format(v),
};
