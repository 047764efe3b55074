// The agency page: a brief → the shortlist (/v1/match), a creator (/v1/creators/{id}, its
// lookalikes), a campaign plan (/v1/plan). Plain JavaScript, no build step; every value from the
// API reaches the page as text nodes, never as HTML.
"use strict";

(() => {
  const KEY_STORE = "microtribe.key"; // sessionStorage: gone when the tab closes, never in a URL
  const LANG_STORE = "microtribe.lang";
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  const state = {
    lang: "en",
    answer: null, // the last /v1/match answer
    brief: null, // the brand of the last request, for highlighting its mentions
    rows: [],
    sort: { key: "rank", dir: 1 },
    page: 0,
    plan: null,
    disclosures: null,
  };

  // ---- text ----------------------------------------------------------------------------

  function t(key, vars = {}) {
    const table = window.MT_TEXT[state.lang] || window.MT_TEXT.en;
    const text = table[key] ?? window.MT_TEXT.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
  }

  function reasonText(reason) {
    if (state.lang === "it" && window.MT_FEATURES_IT[reason.feature]) {
      return window.MT_FEATURES_IT[reason.feature];
    }
    return reason.description || reason.feature;
  }

  function pickLanguage() {
    const saved = localStorage.getItem(LANG_STORE);
    if (saved === "it" || saved === "en") return saved;
    return (navigator.language || "en").toLowerCase().startsWith("it") ? "it" : "en";
  }

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

  const numberFormat = (options) => new Intl.NumberFormat(state.lang, options);
  const fmt = {
    int: (v) => (v == null ? "—" : numberFormat({ maximumFractionDigits: 0 }).format(v)),
    pct: (v) => (v == null ? "—" : numberFormat({ style: "percent", maximumFractionDigits: 0 }).format(v)),
    pct1: (v) => (v == null ? "—" : numberFormat({ style: "percent", maximumFractionDigits: 1 }).format(v)),
    num: (v) => (v == null ? "—" : numberFormat({ maximumFractionDigits: 1 }).format(v)),
    money: (v, currency) =>
      v == null ? "—" : numberFormat({ style: "currency", currency, maximumFractionDigits: 0 }).format(v),
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child != null) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // ---- the API -------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      super(body?.error?.message || `HTTP ${status}`);
      this.status = status;
      this.details = body?.error?.details || [];
      this.retryAfter = retryAfter;
    }
  }

  function currentKey() {
    const typed = $("#api-key").value.trim();
    if (typed) sessionStorage.setItem(KEY_STORE, typed);
    return sessionStorage.getItem(KEY_STORE) || "";
  }

  async function api(method, path, body) {
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

  // ---- errors: in words, next to the field they are about --------------------------------

  function clearErrors(scope) {
    for (const node of $$(".field-error.from-api", scope)) node.remove();
    for (const node of $$("[aria-invalid]", scope)) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    }
    for (const box of $$(".form-error", scope)) box.hidden = true;
    $("#api-key-error").hidden = true;
  }

  function fieldFor(scope, path) {
    // `filters.countries.0` names an item of the countries field: try shorter paths too
    const parts = String(path).split(".");
    for (let n = parts.length; n > 0; n -= 1) {
      const found = $(`[data-field="${CSS.escape(parts.slice(0, n).join("."))}"]`, scope);
      if (found) return found;
    }
    return null;
  }

  function markField(field, message) {
    const id = `${field.id || field.dataset.field.replace(/\W/g, "-")}-problem`;
    let note = document.getElementById(id);
    if (!note) {
      note = el("p", { id, class: "field-error from-api", role: "alert" });
      field.insertAdjacentElement("afterend", note);
    }
    note.textContent = note.textContent ? `${note.textContent}; ${message}` : message;
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", id);
  }

  function describe(error) {
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

  function showError(error, box, scope = document) {
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

  function showBanner(text) {
    const banner = $("#banner");
    banner.textContent = text;
    banner.hidden = !text;
  }

  async function watchReadiness() {
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

  // ---- the brief and the filters, from the form ----------------------------------------

  const text = (selector) => $(selector).value.trim();
  const codes = (selector, upper) =>
    text(selector).split(/[\s,;]+/).filter(Boolean).map((c) => (upper ? c.toUpperCase() : c.toLowerCase()));
  const numberOrNull = (selector) => (text(selector) === "" ? null : Number(text(selector)));
  const checked = (name) => $$(`input[name="${name}"]:checked`).map((box) => box.value);

  function briefFromForm() {
    const brand = { values: text("#brand-values") };
    if (text("#brand-name")) brand.name = text("#brand-name");
    if (text("#brand-category")) brand.category = text("#brand-category").toLowerCase();
    if (text("#brand-description")) brand.description = text("#brand-description");
    if (codes("#brand-markets", true).length) brand.markets = codes("#brand-markets", true);
    if (codes("#brand-languages").length) brand.languages = codes("#brand-languages");
    const amount = numberOrNull("#brand-budget");
    if (amount != null) brand.budget = { amount, currency: $("#brand-currency").value };
    return brand;
  }

  const FILTER_DEFAULTS = {
    platforms: [], tiers: [], min_followers: 0, max_followers: null, countries: [],
    languages: [], min_authenticity: null, max_cost: null,
  };

  function filtersFromForm() {
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

  function activeFilters(filters) {
    return Object.keys(FILTER_DEFAULTS).filter((name) => {
      const value = filters[name];
      if (value == null) return false;
      return Array.isArray(value) ? value.length > 0 : value !== FILTER_DEFAULTS[name];
    });
  }

  function needsValues(box) {
    if (text("#brand-values")) return false;
    markField($("#brand-values"), t("needValues"));
    box.textContent = t("needValues");
    box.hidden = false;
    $("#brand-values").focus();
    return true;
  }

  async function busy(button, work) {
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

  // ---- brief → shortlist ---------------------------------------------------------------

  async function runMatch() {
    const form = $("#brief-form");
    const box = $("#match-error");
    clearErrors(form);
    if (needsValues(box)) return;
    const request = {
      brand: briefFromForm(),
      k: numberOrNull("#k") ?? 20,
      filters: filtersFromForm(),
      explain: true,
      diversify: $("#diversify").checked,
      rank_by: $("#rank-by").value,
    };
    await busy($("#run-match"), async () => {
      try {
        const answer = await api("POST", "/v1/match", request);
        state.answer = answer;
        state.brief = request.brand;
        state.sort = { key: "rank", dir: 1 };
        state.page = 0;
        renderResults();
        $("#results").scrollIntoView({ block: "start" });
        if (!answer.matches.length) await explainEmpty(request, box);
      } catch (error) {
        showError(error, box, form);
      }
    });
  }

  async function explainEmpty(request, box) {
    // Which filter emptied the list: the ones whose removal alone brings creators back.
    const active = activeFilters(request.filters);
    const culprits = [];
    for (const name of active) {
      const filters = { ...request.filters, [name]: FILTER_DEFAULTS[name] };
      const probe = { ...request, k: 1, explain: false, filters };
      const answer = await api("POST", "/v1/match", probe);
      if (answer.matches.length) culprits.push(name);
    }
    let message = t("emptyResult");
    if (!active.length) message = t("emptyAll");
    else if (culprits.length) {
      message += " " + t("emptyBecause", { filters: culprits.map((name) => t(`filt_${name}`)).join(", ") });
      for (const name of culprits) markField(fieldFor(document, `filters.${name}`), t("emptyResult"));
    }
    box.textContent = message;
    box.classList.add("info");
    box.hidden = false;
  }

  const COLUMNS = [
    { key: "rank", label: "colRank", sort: 1 },
    { key: "handle", label: "colHandle", sort: 1, render: handleCell },
    { key: "platform", label: "colPlatform", sort: 1 },
    { key: "tier", label: "colTier", sort: 1 },
    { key: "followers", label: "colFollowers", sort: -1, format: fmt.int },
    { key: "authenticity", label: "colAuthenticity", sort: -1, format: fmt.pct },
    { key: "sponsored_share", label: "colSponsored", sort: 1, format: fmt.pct },
    { key: "reply_rate", label: "colReply", sort: -1, format: fmt.pct },
    { key: "estimated_cost", label: "colCost", sort: 1, format: (v) => fmt.money(v, state.answer.currency) },
    { key: "advocacy_fit", label: "colAdvocacy", sort: -1, format: fmt.pct },
    { key: "expected_engagement_rate", label: "colEngagement", sort: -1, format: fmt.pct1 },
  ];

  function sortedRows() {
    const { key, dir } = state.sort;
    const rows = [...state.answer.matches];
    rows.sort((a, b) => {
      const x = a[key], y = b[key];
      if (x == null && y == null) return a.rank - b.rank;
      if (x == null) return 1; // unknown values last, whichever the direction
      if (y == null) return -1;
      const order = typeof x === "string" ? x.localeCompare(y) : x - y;
      return order * dir || a.rank - b.rank;
    });
    return rows;
  }

  function renderResults() {
    const answer = state.answer;
    $("#results").hidden = false;
    $("#results-summary").textContent = t("summary", {
      n: answer.matches.length, brand: state.brief?.name || answer.brand_id,
      rank: t({ advocacy: "rankAdvocacy", engagement: "rankEngagement", value: "rankValue" }[answer.rank_by]),
      model: answer.model_version, ms: Math.round(answer.took_ms),
    });
    renderSortChoices();
    renderHead();
    renderPage();
  }

  function renderSortChoices() {
    const select = $("#sort-by");
    select.replaceChildren(
      ...COLUMNS.filter((c) => c.sort).flatMap((c) => [
        el("option", { value: `${c.key}:${c.sort}`, text: `${t(c.label)} ${c.sort > 0 ? "↑" : "↓"}` }),
        el("option", { value: `${c.key}:${-c.sort}`, text: `${t(c.label)} ${c.sort > 0 ? "↓" : "↑"}` }),
      ]),
    );
    select.value = `${state.sort.key}:${state.sort.dir}`;
  }

  function renderHead() {
    const row = $("#shortlist thead tr");
    row.replaceChildren(
      ...COLUMNS.map((column) => {
        const th = el("th", { scope: "col" });
        if (!column.sort) {
          th.textContent = t(column.label);
          return th;
        }
        const active = state.sort.key === column.key;
        if (active) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
        const arrow = active ? (state.sort.dir > 0 ? " ▲" : " ▼") : "";
        th.append(el("button", {
          type: "button", class: "sort", text: t(column.label) + arrow,
          onclick: () => sortBy(column.key, active ? -state.sort.dir : column.sort),
        }));
        return th;
      }),
    );
  }

  function sortBy(key, dir) {
    state.sort = { key, dir };
    state.page = 0;
    renderSortChoices();
    renderHead();
    renderPage();
  }

  function renderPage() {
    const rows = sortedRows();
    const size = Number($("#page-size").value);
    const pages = Math.max(1, Math.ceil(rows.length / size));
    state.page = Math.min(state.page, pages - 1);
    const shown = rows.slice(state.page * size, (state.page + 1) * size);
    const scale = Math.max(1e-9, ...rows.flatMap((r) => r.reasons.map((x) => Math.abs(x.contribution))));
    // each creator: a row of numbers, then a full-width row of reasons (what moved it up or down)
    $("#shortlist tbody").replaceChildren(
      ...shown.flatMap((match) => [
        el("tr", { class: "creator", "data-creator-id": match.creator_id }, COLUMNS.map((column) => {
          const value = match[column.key];
          const content = column.render ? column.render(match) : column.format ? column.format(value) : value;
          return el("td", { "data-label": t(column.label), class: `c-${column.key}` }, content);
        })),
        el("tr", { class: "why" }, el("td", { colspan: COLUMNS.length, "data-label": t("colReasons") },
          reasonsCell(match, scale))),
      ]),
    );
    $("#page-info").textContent = t("pageInfo", { page: state.page + 1, pages });
    $("#page-prev").disabled = state.page === 0;
    $("#page-next").disabled = state.page >= pages - 1;
  }

  function handleCell(match) {
    return el("button", {
      type: "button", class: "link", text: `@${match.handle}`,
      "aria-label": t("openCreator", { handle: `@${match.handle}` }),
      onclick: () => openCreator(match.creator_id, match),
    });
  }

  function reasonsCell(match, scale) {
    return el("ul", { class: "reasons" }, match.reasons.map((reason) => reasonBar(reason, scale)));
  }

  function reasonBar(reason, scale) {
    const up = reason.contribution >= 0;
    const bar = el("span", { class: "bar" });
    bar.style.width = `${Math.max(4, (Math.abs(reason.contribution) / scale) * 100)}%`;
    const sign = up ? "+" : "−";
    return el("li", { class: `reason ${up ? "up" : "down"}` },
      el("span", { class: "track", "aria-hidden": "true" }, el("span", { class: "half neg" }, up ? null : bar),
        el("span", { class: "half pos" }, up ? bar : null)),
      el("span", { class: "why" }, `${sign} ${reasonText(reason)}`));
  }

  // ---- CSV -----------------------------------------------------------------------------

  function csvCell(value) {
    if (value == null) return "";
    let cell = String(value);
    // a text cell starting like a formula would run in a spreadsheet: keep it text
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
    return /[",\n\r;]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
  }

  function exportCsv() {
    const header = ["rank", "creator_id", "handle", "platform", "tier", "followers", "authenticity",
      "sponsored_share", "reply_rate", "estimated_cost", "currency", "advocacy_fit",
      "expected_engagement_rate", "score", "reasons"];
    const lines = [header.join(",")];
    for (const m of sortedRows()) {
      const reasons = m.reasons.map((r) => `${r.feature} ${r.contribution >= 0 ? "+" : ""}${r.contribution.toFixed(3)}`);
      const row = [m.rank, m.creator_id, m.handle, m.platform, m.tier, m.followers, m.authenticity,
        m.sponsored_share, m.reply_rate, m.estimated_cost, state.answer.currency, m.advocacy_fit,
        m.expected_engagement_rate, m.score, reasons.join("; ")];
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

  // ---- a creator -------------------------------------------------------------------------

  async function disclosures() {
    if (!state.disclosures) {
      const response = await fetch("/app/disclosures.json");
      const { tags, phrases } = await response.json();
      state.disclosures = { tags: new Set(tags), phrases: new RegExp(phrases.join("|"), "i") };
    }
    return state.disclosures;
  }

  const fold = (s) => s.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");

  function isSponsored(post, rules) {
    // as the features count it: declared, or a disclosure in the caption
    const caption = post.caption || "";
    if (post.sponsored === true) return true;
    const tags = Array.from(caption.matchAll(/#([\p{L}\p{N}_]+)/gu), (m) => fold(m[1]));
    return tags.some((tag) => rules.tags.has(tag)) || rules.phrases.test(caption);
  }

  function brandPattern() {
    const brand = state.brief;
    const names = [brand?.name, ...(brand?.aliases || [])].filter((n) => n && n.length >= 3);
    const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return escaped.length ? new RegExp(`(${escaped.join("|")})`, "i") : null;
  }

  function highlighted(caption) {
    // @handles and #tags are mentions; the brief's brand name is marked more strongly
    const brand = brandPattern();
    const parts = [];
    const pattern = brand
      ? new RegExp(`(${brand.source.slice(1, -1)}|@[\\w.]*\\w|#[\\p{L}\\p{N}_]+)`, "giu")
      : /(@[\w.]*\w|#[\p{L}\p{N}_]+)/giu;
    let last = 0;
    for (const found of caption.matchAll(pattern)) {
      parts.push(caption.slice(last, found.index));
      const token = found[0];
      const own = brand && (brand.test(token) || brand.test(token.slice(1)));
      parts.push(el("mark", { class: own ? "brand" : "mention", text: token }));
      last = found.index + token.length;
    }
    parts.push(caption.slice(last));
    return parts;
  }

  async function openCreator(creatorId, match) {
    const dialog = $("#detail");
    $("#detail-title").textContent = creatorId;
    $("#detail-error").hidden = true;
    $("#detail-body").replaceChildren(el("p", { class: "hint", text: t("working") }));
    if (!dialog.open) dialog.showModal();
    try {
      const [creator, rules] = await Promise.all([
        api("GET", `/v1/creators/${encodeURIComponent(creatorId)}`), disclosures()]);
      $("#detail-title").textContent = `@${creator.handle} · ${creator.platform}`;
      $("#detail-body").replaceChildren(
        numbersSection(creator, match), audienceSection(creator.audience || {}),
        postsSection(creator.posts || [], rules), el("section", { id: "similar", class: "similar" }));
      $("#detail-close").focus();
      await similarSection(creatorId);
    } catch (error) {
      showError(error, $("#detail-error"), dialog);
    }
  }

  function numbersSection(creator, match) {
    const items = [
      [t("colFollowers"), fmt.int(creator.followers)],
      [t("colTier"), match?.tier],
      [t("countryLanguage"), [creator.country, creator.language].filter(Boolean).join(" · ")],
      [t("colAdvocacy"), match && fmt.pct(match.advocacy_fit)],
      [t("colEngagement"), match && fmt.pct1(match.expected_engagement_rate)],
      [t("colCost"), match && state.answer && fmt.money(match.estimated_cost, state.answer.currency)],
      [t("colAuthenticity"), match && fmt.pct(match.authenticity)],
      [t("colSponsored"), match && fmt.pct(match.sponsored_share)],
      [t("colReply"), match && fmt.pct(match.reply_rate)],
    ].filter(([, value]) => value);
    const card = creator.rate_card;
    if (card?.post != null) items.push([t("rateCard"), fmt.money(card.post, card.currency || "EUR")]);
    return el("section", { class: "numbers" },
      el("h3", { text: t("detailNumbers") }),
      creator.bio ? el("p", { class: "bio", text: creator.bio }) : null,
      (creator.categories || []).length ? el("p", { class: "hint", text: creator.categories.join(" · ") }) : null,
      el("dl", { class: "totals" }, items.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])));
  }

  function shareBars(title, shares) {
    const entries = Object.entries(shares).filter(([, v]) => v != null).sort((a, b) => b[1] - a[1]).slice(0, 6);
    return el("figure", { class: "bars" }, el("figcaption", { text: title }),
      el("ul", {}, entries.map(([name, share]) => {
        const bar = el("span", { class: "bar" });
        bar.style.width = `${Math.round(share * 100)}%`;
        return el("li", {}, el("span", { class: "name", text: name }),
          el("span", { class: "track", "aria-hidden": "true" }, bar), el("span", { class: "value", text: fmt.pct(share) }));
      })));
  }

  function audienceSection(audience) {
    const extra = {};
    if (audience.female_share != null) extra[t("audFemale")] = audience.female_share;
    if (audience.authentic_share != null) extra[t("audAuthentic")] = audience.authentic_share;
    const ages = Object.fromEntries(["13-17", "18-24", "25-34", "35-44", "45-54", "55+"]
      .filter((b) => audience.ages?.[b] != null).map((b) => [b, audience.ages[b]]));
    return el("section", { class: "audience" }, el("h3", { text: t("audience") }),
      el("div", { class: "charts" }, shareBars(t("audCountries"), audience.countries || {}),
        el("figure", { class: "bars ages" }, el("figcaption", { text: t("audAges") }),
          el("ul", {}, Object.entries(ages).map(([name, share]) => {
            const bar = el("span", { class: "bar" });
            bar.style.width = `${Math.round(share * 100)}%`;
            return el("li", {}, el("span", { class: "name", text: name }),
              el("span", { class: "track", "aria-hidden": "true" }, bar), el("span", { class: "value", text: fmt.pct(share) }));
          }))),
        shareBars("", extra)));
  }

  function postsSection(posts, rules) {
    const recent = [...posts].sort((a, b) => String(b.posted_at).localeCompare(String(a.posted_at))).slice(0, 12);
    const dates = new Intl.DateTimeFormat(state.lang, { dateStyle: "medium" });
    return el("section", { class: "posts" }, el("h3", { text: t("recentPosts") }),
      recent.length ? el("ol", {}, recent.map((post) => {
        const paid = isSponsored(post, rules);
        return el("li", { class: paid ? "post paid" : "post" },
          el("p", { class: "meta" },
            el("span", { class: paid ? "badge paid" : "badge", text: paid ? t("sponsored") : t("organic") }),
            ` ${dates.format(new Date(post.posted_at))} · ${fmt.int(post.likes)} ${t("likes")} · ${fmt.int(post.comments)} ${t("comments")}`,
            post.creator_replies != null ? ` · ${fmt.int(post.creator_replies)} ${t("replies")}` : ""),
          el("p", { class: "caption" }, highlighted(post.caption || "")));
      })) : el("p", { class: "hint", text: t("noPosts") }));
  }

  async function similarSection(creatorId) {
    const section = $("#similar");
    section.replaceChildren(el("h3", { text: t("moreLikeThis") }));
    try {
      const answer = await api("GET", `/v1/creators/${encodeURIComponent(creatorId)}/similar?k=6`);
      if (!answer.matches.length) return section.append(el("p", { class: "hint", text: t("noSimilar") }));
      section.append(el("ul", { class: "similar-list" }, answer.matches.map((m) =>
        el("li", {}, el("button", {
          type: "button", class: "link", text: `@${m.handle}`,
          "aria-label": t("openCreator", { handle: `@${m.handle}` }),
          onclick: () => openCreator(m.creator_id, state.answer?.matches.find((x) => x.creator_id === m.creator_id)),
        }), ` ${m.platform} · ${m.tier} · ${fmt.int(m.followers)} · ${t("similarity")} ${fmt.pct(m.similarity)}`))));
    } catch (error) {
      const missing = error.status === 404 && error.message === "Not Found"; // no such route yet
      section.append(el("p", { class: "hint", text: missing ? t("similarUnavailable") : describe(error) }));
    }
  }

  // ---- the plan --------------------------------------------------------------------------

  async function runPlan() {
    const form = $("#brief-form");
    const box = $("#plan-error");
    clearErrors(form);
    if (needsValues(box)) return;
    const request = {
      brand: briefFromForm(),
      budget: numberOrNull("#plan-budget"),
      currency: $("#brand-currency").value,
      min_creators: numberOrNull("#plan-min"),
      max_creators: numberOrNull("#plan-max"),
      max_overlap: numberOrNull("#plan-overlap"),
      filters: filtersFromForm(),
      objective: $("#plan-objective").value,
    };
    for (const name of Object.keys(request)) if (request[name] === null) delete request[name];
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

  function renderPlan(answer) {
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
    renderPlanTable(plan.creators, money);
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
    $("#plan-table thead tr").replaceChildren(...columns.map(([, label]) => el("th", { scope: "col", text: t(label) })));
    const show = {
      handle: (c) => el("button", { type: "button", class: "link", text: `@${c.handle}`, onclick: () => openCreator(c.creator_id) }),
      followers: (c) => fmt.int(c.followers), estimated_cost: (c) => money(c.estimated_cost),
      advocacy_fit: (c) => fmt.pct(c.advocacy_fit), expected_engagements: (c) => fmt.int(c.expected_engagements),
    };
    $("#plan-table tbody").replaceChildren(...creators.map((c) => el("tr", {}, columns.map(([key, label]) =>
      el("td", { "data-label": t(label) }, show[key] ? show[key](c) : c[key])))));
  }

  // ---- wiring ----------------------------------------------------------------------------

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
})();
