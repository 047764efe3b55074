// What the page holds between requests, shared by its modules.
export const KEY_STORE = "microtribe.key"; // sessionStorage: gone when the tab closes, never in a URL
export const LANG_STORE = "microtribe.lang"; // localStorage: a preference, not a secret

export const state = {
  lang: "en",
  answer: null, // the last /v1/match answer
  brief: null, // the brand of the last request, for highlighting its mentions
  sort: { key: "rank", dir: 1 },
  page: 0,
  plan: null, // the last /v1/plan answer
  disclosures: null, // /app/disclosures.json, once fetched
};
