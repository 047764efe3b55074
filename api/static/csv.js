// The shortlist as CSV, in the order on screen, made and downloaded in the browser; the red
// flags raised are the last column, their names separated by ";".
import { el } from "./dom.js";
import { sortedRows } from "./shortlist.js";
import { state } from "./state.js";

function csvCell(value) {
  if (value == null) return "";
  let cell = String(value);
  // a text cell starting like a formula would run in a spreadsheet: keep it text
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
  return /[",\n\r;]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function exportCsv() {
  const header = ["rank", "creator_id", "handle", "platform", "tier", "followers", "authenticity",
    "sponsored_share", "reply_rate", "estimated_cost", "currency", "advocacy_fit",
    "expected_engagement_rate", "score", "reasons", "flags"];
  const lines = [header.join(",")];
  for (const m of sortedRows()) {
    const reasons = m.reasons.map((r) =>
      r.unknown ? `${r.feature} unknown` : `${r.feature} ${r.contribution >= 0 ? "+" : ""}${r.contribution.toFixed(3)}`);
    const row = [m.rank, m.creator_id, m.handle, m.platform, m.tier, m.followers, m.authenticity,
      m.sponsored_share, m.reply_rate, m.estimated_cost, state.answer.currency, m.advocacy_fit,
      m.expected_engagement_rate, m.score, reasons.join("; "), (m.flags || []).map((f) => f.flag).join(";")];
    lines.push(row.map(csvCell).join(","));
  }
  const blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const name = (state.brief?.name || state.answer.brand_id || "brief").replace(/[^\w.-]+/g, "-");
  const link = el("a", { href: url, download: `microtribe-shortlist-${name}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
