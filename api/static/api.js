// Calls to /v1 with the key the person entered (kept in sessionStorage, sent as a Bearer token).
import { $ } from "./dom.js";
import { KEY_STORE } from "./state.js";
import { t } from "./text.js";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.details = body?.error?.details || [];
    this.retryAfter = retryAfter;
  }
}

export function currentKey() {
  const typed = $("#api-key").value.trim();
  if (typed) sessionStorage.setItem(KEY_STORE, typed);
  return sessionStorage.getItem(KEY_STORE) || "";
}

export async function api(method, path, body) {
  const key = currentKey();
  if (!key) throw new ApiError(0, { error: { code: "no_key", message: t("errNoKey") } });
  const headers = { Authorization: `Bearer ${key}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(-1, null);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get("Retry-After"));
  return data;
}
