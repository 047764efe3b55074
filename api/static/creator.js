// A creator: numbers and red flags, the audience as bars, recent posts (sponsored ones marked
// as the features count them, mentions highlighted, those a flag rests on marked) and
// lookalikes (with their own flags).
import { api } from "./api.js";
import { $, el } from "./dom.js";
import { describe, showError } from "./errors.js";
import { evidenceByPost, flagBadges, flagName } from "./flags.js";
import { state } from "./state.js";
import { fmt, t } from "./text.js";

async function disclosures() {
  if (!state.disclosures) {
    const response = await fetch("/app/disclosures.json");
    const { tags, phrases, evident, gifts, denials } = await response.json();
    const any = (patterns) => new RegExp(patterns.join("|"), "i");
    state.disclosures = {
      tags: new Set(tags), phrases: any(phrases), evident: any(evident), gifts: any(gifts),
      denials: new RegExp(denials.join("|"), "gi"),
    };
  }
  return state.disclosures;
}

const fold = (s) => s.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");

function showsPaid(caption, rules) {
  const tags = Array.from(caption.matchAll(/#([\p{L}\p{N}_]+)/gu), (m) => fold(m[1]));
  return tags.some((tag) => rules.tags.has(tag)) || rules.phrases.test(caption)
    || rules.evident.test(caption)
    || (rules.gifts.test(caption) && /@[A-Za-z0-9_.]*[A-Za-z0-9_]/.test(caption));
}

function isSponsored(post, rules) {
  // as the features count it (features/text.py is_disclosed): declared, or a disclosure or an
  // evident paid form in the caption, still there once explicit denials are cut out
  if (post.sponsored === true) return true;
  const caption = post.caption || "";
  return showsPaid(caption, rules) && showsPaid(caption.replace(rules.denials, " "), rules);
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

export async function openCreator(creatorId, match, flags = match?.flags) {
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
      numbersSection(creator, match, flags), audienceSection(creator.audience || {}),
      postsSection(creator.posts || [], rules, flags), el("section", { id: "similar", class: "similar" }));
    $("#detail-close").focus();
    await similarSection(creatorId);
  } catch (error) {
    showError(error, $("#detail-error"), dialog);
  }
}

function numbersSection(creator, match, flags) {
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
    flagBadges(flags),
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

function postsSection(posts, rules, flags) {
  const evidence = evidenceByPost(flags);
  const recent = [...posts].sort((a, b) => String(b.posted_at).localeCompare(String(a.posted_at))).slice(0, 12);
  const dates = new Intl.DateTimeFormat(state.lang, { dateStyle: "medium" });
  return el("section", { class: "posts" }, el("h3", { text: t("recentPosts") }),
    recent.length ? el("ol", {}, recent.map((post) => {
      const paid = isSponsored(post, rules);
      const raised = evidence.get(post.post_id) || [];
      const classes = ["post", paid && "paid", raised.length && "flagged"].filter(Boolean).join(" ");
      return el("li", { class: classes, "data-post-id": post.post_id },
        el("p", { class: "meta" },
          el("span", { class: paid ? "badge paid" : "badge", text: paid ? t("sponsored") : t("organic") }),
          raised.flatMap((flag) => [" ", el("span", {
            class: "badge evidence", "data-flag": flag.flag, text: `⚑ ${t(`flag_${flag.flag}`)}`,
            title: `${t("flagged")}: ${flagName(flag)}`,
          })]),
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
        onclick: () => {
          const shortlisted = state.answer?.matches.find((x) => x.creator_id === m.creator_id);
          openCreator(m.creator_id, shortlisted, shortlisted?.flags ?? m.flags);
        },
      }), ` ${m.platform} · ${m.tier} · ${fmt.int(m.followers)} · ${t("similarity")} ${fmt.pct(m.similarity)}`,
      flagBadges(m.flags)))));
  } catch (error) {
    const missing = error.status === 404 && error.message === "Not Found"; // no such route yet
    section.append(el("p", { class: "hint", text: missing ? t("similarUnavailable") : describe(error) }));
  }
}
