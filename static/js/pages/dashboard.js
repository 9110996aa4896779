// The dashboard (seed 002): the account's primary number, balance, SMS and voice credits
// and time zone, and charts of the last 14 days — messages per day by status, spend per
// day and the top destinations. What a figure needs a higher access level for is left
// out rather than shown as an error.

import { api } from "../api.js";
import { allowed } from "../app.js";
import { language, money, t, words } from "../i18n.js";
import { errorBox, fill, h } from "../ui.js";
import { barChart, COLOURS } from "../charts.js";
import { isoDay } from "../status.js";

const DAYS = 14;
const MAX_MESSAGES = 2000;

words({
  en: {
    "dashboard.title": "Dashboard",
    "dashboard.balance": "Balance",
    "dashboard.available": "Available incl. credit",
    "dashboard.sms_credits": "SMS credits",
    "dashboard.voice_credits": "Voice credits",
    "dashboard.primary": "Primary number",
    "dashboard.no_primary": "None yet",
    "dashboard.time_zone": "Time zone",
    "dashboard.period": "The last {days} days",
    "dashboard.per_day": "Messages per day by status",
    "dashboard.spend": "Spend per day ({currency})",
    "dashboard.destinations": "Top destinations (messages)",
    "dashboard.day": "Day",
    "dashboard.country": "Country",
    "dashboard.messages": "Messages",
    "dashboard.no_data": "No messages in this period.",
    "dashboard.capped": "Counted from the latest {count} messages.",
    "dashboard.group.delivered": "Delivered",
    "dashboard.group.pending": "In progress",
    "dashboard.group.failed": "Failed or expired",
    "dashboard.group.rejected": "Refused or canceled",
    "dashboard.usage_admin": "Spend and destinations are shown to account admins.",
  },
  sv: {
    "dashboard.title": "Översikt",
    "dashboard.balance": "Saldo",
    "dashboard.available": "Tillgängligt inkl. kredit",
    "dashboard.sms_credits": "SMS-krediter",
    "dashboard.voice_credits": "Röstkrediter",
    "dashboard.primary": "Primärt nummer",
    "dashboard.no_primary": "Inget ännu",
    "dashboard.time_zone": "Tidszon",
    "dashboard.period": "De senaste {days} dagarna",
    "dashboard.per_day": "Meddelanden per dag efter status",
    "dashboard.spend": "Kostnad per dag ({currency})",
    "dashboard.destinations": "Vanligaste destinationer (meddelanden)",
    "dashboard.day": "Dag",
    "dashboard.country": "Land",
    "dashboard.messages": "Meddelanden",
    "dashboard.no_data": "Inga meddelanden under perioden.",
    "dashboard.capped": "Räknat på de senaste {count} meddelandena.",
    "dashboard.group.delivered": "Levererade",
    "dashboard.group.pending": "Pågår",
    "dashboard.group.failed": "Misslyckade eller utgångna",
    "dashboard.group.rejected": "Avvisade eller avbrutna",
    "dashboard.usage_admin": "Kostnad och destinationer visas för kontoadministratörer.",
  },
});

function group(code) {
  if (code === 201) return "delivered";
  if (code < 200) return "pending";
  if (code === 203 || (code >= 400 && code < 500)) return "rejected";
  return "failed";
}

function days() {
  return Array.from({ length: DAYS }, (_, i) => isoDay(i - DAYS + 1));
}

function dayLabel(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(language() === "sv" ? "sv-SE" : "en-GB", { day: "numeric", month: "short" }).format(new Date(y, m - 1, d));
}

function localDay(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function figure(label, value, id) {
  return h("div", { class: "figure", id }, h("span", {}, label), h("strong", {}, value));
}

function countryName(code) {
  try {
    return new Intl.DisplayNames([language() === "sv" ? "sv" : "en"], { type: "region" }).of(code) || code;
  } catch (_) {
    return code;
  }
}

/** Messages of the period from the message log, grouped per local day and status group. */
async function messagesPerDay(range, width) {
  const since = new Date(`${range[0]}T00:00:00`).toISOString();
  const messages = [];
  let cursor = null;
  while (messages.length < MAX_MESSAGES) {
    const q = new URLSearchParams({ limit: "500", since });
    if (cursor) q.set("cursor", cursor);
    const page = await api("GET", `/v1/messages?${q}`);
    messages.push(...page.messages);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  const groups = ["delivered", "pending", "failed", "rejected"];
  const counts = Object.fromEntries(groups.map((g) => [g, Object.fromEntries(range.map((d) => [d, 0]))]));
  for (const m of messages) {
    const day = localDay(m.created_at);
    if (day in counts.delivered) counts[group(m.status.code)][day] += 1;
  }
  const colours = { delivered: COLOURS[2], pending: COLOURS[5], failed: COLOURS[3], rejected: COLOURS[1] };
  return [
    messages.length
      ? barChart({
          id: "chart-per-day",
          title: t("dashboard.per_day"),
          labels: range.map(dayLabel),
          series: groups.map((g) => ({ name: t(`dashboard.group.${g}`), values: range.map((d) => counts[g][d]), colour: colours[g] })),
          xLabel: t("dashboard.day"),
          yLabel: t("dashboard.messages"),
          format: (v) => String(Math.round(v)),
          integer: true,
          width,
        })
      : h("figure", { class: "chart", id: "chart-per-day" }, h("figcaption", {}, t("dashboard.per_day")), h("p", { class: "empty" }, t("dashboard.no_data"))),
    messages.length >= MAX_MESSAGES ? h("p", { class: "muted" }, t("dashboard.capped", { count: messages.length })) : null,
  ];
}

async function usageCharts(range, width) {
  const q = (groupBy) => `/v1/billing/usage?from=${range[0]}&to=${range[range.length - 1]}&group_by=${groupBy}`;
  const [perDay, destinations] = await Promise.all([api("GET", q("day")), api("GET", q("destination"))]);
  const currency = perDay.currency;
  const spendByDay = Object.fromEntries(perDay.rows.map((r) => [r.date, r.spend_minor]));
  const top = [...destinations.rows].sort((a, b) => b.messages - a.messages).slice(0, 8);
  return [
    barChart({
      id: "chart-spend",
      title: t("dashboard.spend", { currency }),
      labels: range.map(dayLabel),
      series: [{ name: t("dashboard.spend", { currency }), values: range.map((d) => spendByDay[d] || 0), colour: COLOURS[0] }],
      xLabel: t("dashboard.day"),
      format: (v) => money(v, currency),
      empty: t("dashboard.no_data"),
      width,
    }),
    barChart({
      id: "chart-destinations",
      title: t("dashboard.destinations"),
      labels: top.map((r) => r.country),
      series: [{ name: t("dashboard.messages"), values: top.map((r) => r.messages), colour: COLOURS[4] }],
      xLabel: t("dashboard.country"),
      format: (v) => String(Math.round(v)),
      empty: t("dashboard.no_data"),
      integer: true,
      width,
    }),
    top.length ? h("p", { class: "muted" }, top.map((r) => `${r.country}: ${countryName(r.country)}`).join(" · ")) : null,
  ];
}

export default {
  title: "dashboard.title",
  async render(main, _params, ctx) {
    const account = ctx.account;
    const figures = h("div", { class: "figures", id: "figures" });
    const charts = h("div", { class: "charts" });
    const range = days();
    fill(main, h("h1", {}, `${t("dashboard.title")}: ${account.name}`), figures, h("h2", {}, t("dashboard.period", { days: DAYS })), charts);

    const [balance, numbers, settings] = await Promise.all([
      allowed("admin") ? api("GET", "/v1/billing/balance").catch((e) => e) : null,
      allowed("manager") ? api("GET", "/v1/numbers").catch((e) => e) : null,
      allowed("admin") ? api("GET", "/v1/account/settings").catch((e) => e) : null,
    ]);
    const errors = [balance, numbers, settings].filter((x) => x instanceof Error);
    const currency = account.currency;
    const primary = numbers && !(numbers instanceof Error) ? numbers.numbers.find((n) => n.role === "primary") : null;
    const bal = balance && !(balance instanceof Error) ? balance : null;
    fill(
      figures,
      numbers && !(numbers instanceof Error) ? figure(t("dashboard.primary"), primary ? primary.number : t("dashboard.no_primary"), "figure-primary") : null,
      figure(t("dashboard.balance"), money(bal ? bal.balance_minor : account.balance_minor, currency), "figure-balance"),
      bal && bal.credit_limit_minor ? figure(t("dashboard.available"), money(bal.available_minor, currency), "figure-available") : null,
      bal ? figure(t("dashboard.sms_credits"), String(bal.sms_credits), "figure-sms-credits") : null,
      bal ? figure(t("dashboard.voice_credits"), String(bal.voice_credits), "figure-voice-credits") : null,
      settings && !(settings instanceof Error) ? figure(t("dashboard.time_zone"), settings.time_zone, "figure-time-zone") : null,
    );
    if (errors.length) figures.after(...errors.map(errorBox));

    const perDay = h("div", { class: "charts" });
    const usage = h("div", { class: "charts" });
    fill(charts, perDay, usage);
    // The charts' width: the main column less the chart's frame, at most their CSS max-width.
    const width = Math.min(charts.clientWidth || 640, 768) - 18;
    await Promise.all([
      messagesPerDay(range, width)
        .then((c) => fill(perDay, c))
        .catch((e) => fill(perDay, errorBox(e))),
      allowed("admin")
        ? usageCharts(range, width)
            .then((c) => fill(usage, c))
            .catch((e) => fill(usage, errorBox(e)))
        : fill(usage, h("p", { class: "muted" }, t("dashboard.usage_admin"))),
    ]);
  },
};
