// The plan's limits per tier and platform, and the creators it must or must not hire, read
// from the form as /v1/plan wants them; checked here first, so a slip is said beside its field
// without a round trip (the API checks the same again, and its 422 lands in the same place).
import { $, $$ } from "./dom.js";
import { markField } from "./errors.js";
import { t } from "./text.js";

// as the API's creator ids (docs: 1–128 of A-Za-z0-9._:@-)
const CREATOR_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export const creatorIds = (selector) => $(selector).value.split(/[\s,;]+/).filter(Boolean);

// {"tiers": {"nano": {"min": 1, "max": 4}}, "platforms": {…}}, only the groups given a limit
export function limitsFromForm() {
  const limits = { tiers: {}, platforms: {} };
  for (const input of $$("input[data-limit]")) {
    const text = input.value.trim();
    if (text === "") continue;
    const { limit, name, bound } = input.dataset;
    limits[limit][name] = { ...limits[limit][name], [bound]: Number(text) };
  }
  return limits;
}

// The problems found, each marked beside its field; true when there were any.
export function constraintProblems(request) {
  const problems = [];
  const count = (input) => {
    const text = input.value.trim();
    if (text !== "" && !(Number.isInteger(Number(text)) && Number(text) >= 0)) {
      problems.push([input, t("needCount")]);
    }
  };
  for (const input of [$("#plan-min"), $("#plan-max"), ...$$("input[data-limit]")]) count(input);
  // a programme: whole months and posts within the API's bounds, posts only with months
  for (const [input, min, max] of [[$("#plan-horizon"), 1, 24], [$("#plan-posts"), 1, 8]]) {
    const text = input.value.trim();
    const number = Number(text);
    if (text !== "" && !(Number.isInteger(number) && number >= min && number <= max)) {
      problems.push([input, t("needRange", { min, max })]);
    }
  }
  if ($("#plan-posts").value.trim() !== "" && $("#plan-horizon").value.trim() === "") {
    problems.push([$("#plan-posts"), t("postsNeedHorizon")]);
  }
  // a minimum above its maximum is said on the minimum, as the API names it
  const pairs = [[$("#plan-min"), $("#plan-max")],
    ...$$("input[data-bound=min]").map((low) => [low, $(`#${low.id.replace(/-min$/, "-max")}`)])];
  const marked = new Set(problems.map(([input]) => input));
  for (const [low, high] of pairs) {
    if (marked.has(low) || marked.has(high) || low.value.trim() === "" || high.value.trim() === "") continue;
    const [min, max] = [Number(low.value), Number(high.value)];
    if (min > max) problems.push([low, t("minAboveMax", { min, max })]);
  }
  const include = request.include_creator_ids || [];
  const exclude = request.filters?.exclude_creator_ids || [];
  for (const [selector, ids] of [["#plan-include", include], ["#plan-exclude", exclude]]) {
    const bad = ids.filter((id) => !CREATOR_ID.test(id));
    if (bad.length) problems.push([$(selector), t("badIds", { ids: bad.join(", ") })]);
  }
  const both = include.filter((id) => exclude.includes(id));
  if (both.length) problems.push([$("#plan-include"), t("includedAndExcluded", { ids: both.join(", ") })]);
  for (const [field, message] of problems) markField(field, message);
  return problems.length > 0;
}
