// Red flags (docs/ranking.md): each raised flag a small badge; its evidence (value against
// threshold, the posts behind it) shows on hover, on keyboard focus, and on tap/click (the
// badge is a button that toggles it: aria-expanded), and is the button's description.
import { el } from "./dom.js";
import { fmt, t } from "./text.js";

export const FLAG_NAMES = ["saturated", "suspicious_audience", "inactive", "critical_stance", "off_market"];
const SHOWN_IDS = 6; // post ids in the evidence text; the creator panel marks them all
let serial = 0;

function figures(flag) {
  const n = flag.evidence.length;
  const total = flag.flag === "saturated" && n && flag.value > 0 ? Math.round(n / flag.value) : null;
  return {
    pct: fmt.pct(flag.value),
    days: fmt.int(flag.value),
    n: fmt.int(flag.flag === "critical_stance" ? Math.round(flag.value) : n),
    total: total == null ? null : fmt.int(total),
    threshold: ["inactive", "critical_stance"].includes(flag.flag) ? fmt.num(flag.threshold) : fmt.pct(flag.threshold),
  };
}

export function flagName(flag) {
  return t(`badge_${flag.flag}`, figures(flag));
}

export function flagEvidence(flag) {
  const values = figures(flag);
  const key = flag.flag === "saturated" && values.total == null ? "ev_saturated_share" : `ev_${flag.flag}`;
  let text = t(key, values);
  if (flag.evidence.length) {
    const ids = flag.evidence.slice(0, SHOWN_IDS).join(", ");
    const more = flag.evidence.length > SHOWN_IDS ? `, … (+${flag.evidence.length - SHOWN_IDS})` : "";
    text += t("evPosts", { ids: ids + more });
  }
  if (flag.action === "ignore") text += ` · ${t("flagIgnored")}`;
  else if (flag.action === "demote") text += ` · ${t("flagDemoted")}`;
  return text;
}

function badge(flag) {
  const id = `flag-ev-${++serial}`;
  const evidence = el("span", { id, class: "flag-evidence", role: "tooltip", text: flagEvidence(flag) });
  const button = el("button", {
    type: "button", class: `flag ${flag.action === "ignore" ? "ignored" : ""}`.trim(),
    "data-flag": flag.flag, "aria-expanded": "false", "aria-describedby": id, text: flagName(flag),
    onclick: (event) => {
      const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
      event.currentTarget.setAttribute("aria-expanded", String(open));
      event.currentTarget.removeAttribute("data-dismissed");
    },
    onkeydown: (event) => {
      if (event.key !== "Escape") return;
      const target = event.currentTarget;
      if (target.getAttribute("aria-expanded") === "true" || !target.hasAttribute("data-dismissed")) {
        event.preventDefault(); // close the evidence, not the dialog around it
        event.stopPropagation();
      }
      target.setAttribute("aria-expanded", "false");
      target.setAttribute("data-dismissed", "");
    },
    onblur: (event) => event.currentTarget.removeAttribute("data-dismissed"),
  });
  return el("li", { class: "flag-item" }, button, evidence);
}

// The flags as a list of badges (null when none is raised).
export function flagBadges(flags) {
  if (!flags?.length) return null;
  return el("ul", { class: "flags", "aria-label": t("redFlags") }, flags.map(badge));
}

// post id → the flags that name it as evidence
export function evidenceByPost(flags) {
  const found = new Map();
  for (const flag of flags || []) {
    for (const id of flag.evidence) found.set(id, [...(found.get(id) || []), flag]);
  }
  return found;
}
