// Errors in words, next to what they are about: the key (401), the field a 422 names,
// the banner for a server not ready (503).
import { ApiError } from "./api.js";
import { $, $$, el } from "./dom.js";
import { t } from "./text.js";

export function clearErrors(scope) {
  for (const node of $$(".field-error.from-api", scope)) node.remove();
  for (const node of $$("[aria-invalid]", scope)) {
    node.removeAttribute("aria-invalid");
    // back to the field's own hint, if it has one
    if (node.dataset.hint) node.setAttribute("aria-describedby", node.dataset.hint);
    else node.removeAttribute("aria-describedby");
  }
  for (const box of $$(".form-error", scope)) box.hidden = true;
  $("#api-key-error").hidden = true;
}

export function fieldFor(scope, path) {
  // `filters.countries.0` names an item of the countries field: try shorter paths too
  const parts = String(path).split(".");
  for (let n = parts.length; n > 0; n -= 1) {
    const found = $(`[data-field="${CSS.escape(parts.slice(0, n).join("."))}"]`, scope);
    if (found) return found;
  }
  return null;
}

export function markField(field, message) {
  const id = `${field.id || field.dataset.field.replace(/\W/g, "-")}-problem`;
  let note = document.getElementById(id);
  if (!note) {
    note = el("p", { id, class: "field-error from-api", role: "alert" });
    field.insertAdjacentElement("afterend", note);
  }
  note.textContent = note.textContent ? `${note.textContent}; ${message}` : message;
  if (field.dataset.hint === undefined) field.dataset.hint = field.getAttribute("aria-describedby") || "";
  field.setAttribute("aria-invalid", "true");
  field.setAttribute("aria-describedby", [field.dataset.hint, id].filter(Boolean).join(" "));
}

export function describe(error) {
  const message = error.message;
  switch (error.status) {
    case 0: return message;
    case -1: return t("errNetwork");
    case 400: return t("err400", { message });
    case 401: return t("err401");
    case 403: return t("err403", { message });
    case 404: return t("err404", { message });
    case 413: return t("err413");
    case 422: return t("err422");
    case 429: return t("err429", { seconds: error.retryAfter || 1 });
    case 503: return t("err503", { message });
    default: return t("errOther", { status: error.status, message });
  }
}

export function showError(error, box, scope = document) {
  if (!(error instanceof ApiError)) {
    console.warn(error); // a bug of the page: say something rather than nothing
    error = new ApiError(-1, null);
  }
  const unplaced = [];
  for (const detail of error.details) {
    const field = fieldFor(scope, detail.field);
    if (field) markField(field, detail.problem);
    else unplaced.push(`${detail.field}: ${detail.problem}`);
  }
  const first = $("[aria-invalid]", scope);
  let text = describe(error);
  if (error.status === 422 && !first) text = error.message;
  box.textContent = [text, ...unplaced].join(" · ");
  box.classList.remove("info");
  box.hidden = false;
  if (error.status === 401 || error.status === 0) {
    const note = $("#api-key-error");
    note.textContent = describe(error);
    note.hidden = false;
    $("#api-key").setAttribute("aria-invalid", "true");
    $("#api-key").focus();
  } else if (first) {
    first.focus();
  }
  if (error.status === 503) showBanner(t("err503", { message: error.message }));
}

export function showBanner(text) {
  const banner = $("#banner");
  banner.textContent = text;
  banner.hidden = !text;
}

export async function watchReadiness() {
  try {
    const response = await fetch("/readyz");
    if (response.ok) return showBanner("");
    const body = await response.json().catch(() => null);
    showBanner(t("notReadyBanner", { message: body?.error?.message || response.status }));
  } catch {
    showBanner(t("errNetwork"));
  }
  setTimeout(watchReadiness, 5000);
}
