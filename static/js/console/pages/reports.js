// Reports (issue 18 "Traffic and money"): over a range of UTC days, every account's
// messages (or one account's) per day by status and by carrier connection, the top
// destinations, and revenue, cost and margin per currency (never added across
// currencies), with the per-day rows as a CSV download. GET /v1/admin/reports/traffic.

import { money, t, words } from "../../i18n.js";
import { barChart, COLOURS } from "../../charts.js";
import { errorBox, field, fill, form, h, table } from "../../ui.js";
import { isoDay } from "../../status.js";
import { call, unitPrice } from "../lib.js";

words({
  en: {
    "rep.title": "Reports",
    "rep.help": "Traffic and money over days (UTC), for every client or one.",
    "rep.from": "From",
    "rep.to": "To",
    "rep.account": "Client id (optional)",
    "rep.show": "Show",
    "rep.csv": "Download CSV",
    "rep.by_status": "Messages per day by status",
    "rep.by_carrier": "Messages per day by carrier connection",
    "rep.day": "Day",
    "rep.messages": "Messages",
    "rep.delivered": "Delivered",
    "rep.failed": "Failed or refused",
    "rep.pending": "Pending",
    "rep.other": "Other",
    "rep.destinations": "Top destinations",
    "rep.country": "Country",
    "rep.money": "Revenue, cost and margin",
    "rep.currency": "Currency",
    "rep.revenue": "Revenue",
    "rep.cost": "Cost",
    "rep.margin": "Margin",
    "rep.without_cost": "Without cost price",
    "rep.money_help": "Revenue is what was charged less refunds; cost is the carrier's cost price. Each currency on its own.",
    "rep.none": "No messages in these days.",
  },
  sv: {
    "rep.title": "Rapporter",
    "rep.help": "Trafik och pengar per dag (UTC), för alla kunder eller en.",
    "rep.from": "Från",
    "rep.to": "Till",
    "rep.account": "Kund-id (valfritt)",
    "rep.show": "Visa",
    "rep.csv": "Ladda ner CSV",
    "rep.by_status": "Meddelanden per dag efter status",
    "rep.by_carrier": "Meddelanden per dag efter operatörsanslutning",
    "rep.day": "Dag",
    "rep.messages": "Meddelanden",
    "rep.delivered": "Levererade",
    "rep.failed": "Misslyckade eller avvisade",
    "rep.pending": "Pågående",
    "rep.other": "Övriga",
    "rep.destinations": "Vanligaste destinationer",
    "rep.country": "Land",
    "rep.money": "Intäkt, kostnad och marginal",
    "rep.currency": "Valuta",
    "rep.revenue": "Intäkt",
    "rep.cost": "Kostnad",
    "rep.margin": "Marginal",
    "rep.without_cost": "Utan inköpspris",
    "rep.money_help": "Intäkten är det som debiterats minus återbetalningar; kostnaden är operatörens inköpspris. Varje valuta för sig.",
    "rep.none": "Inga meddelanden dessa dagar.",
  },
});

const CLASSES = ["delivered", "failed", "pending", "other"];
const CLASS_COLOURS = { delivered: COLOURS[2], failed: COLOURS[3], pending: COLOURS[5], other: COLOURS[1] };

function query(values, format) {
  const q = new URLSearchParams({ from: values.from, to: values.to });
  if (values.account_id?.trim()) q.set("account_id", values.account_id.trim());
  if (format) q.set("format", format);
  return `/v1/admin/reports/traffic?${q}`;
}

/** Thousandths of a minor unit in the currency's main unit. */
const milli = (value, currency) => unitPrice(value / 1000, currency);

function show(box, report, values, width) {
  const labels = report.days.map((d) => d.date.slice(5));
  const connections = report.connections.map((c) => c.connection);
  const count = (v) => String(Math.round(v));
  fill(
    box,
    h("p", {}, h("a", { id: "report-csv", class: "button secondary", href: query(values, "csv"), download: "" }, t("rep.csv"))),
    h(
      "div",
      { class: "figures", id: "report-totals", style: "margin-bottom: 16px" },
      ["messages", ...CLASSES].map((k) => h("div", { class: "figure", "data-figure": k }, h("span", {}, t(`rep.${k}`)), h("strong", {}, String(report.totals[k])))),
    ),
    h(
      "div",
      { class: "charts" },
      barChart({
        id: "chart-by-status",
        title: t("rep.by_status"),
        labels,
        series: CLASSES.map((k) => ({ name: t(`rep.${k}`), values: report.days.map((d) => d[k]), colour: CLASS_COLOURS[k] })),
        xLabel: t("rep.day"),
        format: count,
        integer: true,
        empty: t("rep.none"),
        width,
      }),
      barChart({
        id: "chart-by-carrier",
        title: t("rep.by_carrier"),
        labels,
        series: connections.map((name) => ({ name, values: report.days.map((d) => d.connections.find((c) => c.connection === name)?.messages || 0) })),
        xLabel: t("rep.day"),
        format: count,
        integer: true,
        empty: t("rep.none"),
        width,
      }),
    ),
    h("h2", {}, t("rep.money")),
    h("p", { class: "hint" }, t("rep.money_help")),
    h(
      "div",
      { id: "report-money" },
      table(
        [
          [t("rep.currency"), (m) => h("strong", {}, m.currency)],
          [t("rep.messages"), (m) => String(m.messages)],
          [t("rep.revenue"), (m) => money(m.revenue_minor, m.currency)],
          [t("rep.cost"), (m) => milli(m.cost_milli, m.currency)],
          [t("rep.margin"), (m) => milli(m.margin_milli, m.currency)],
          [t("rep.without_cost"), (m) => String(m.without_cost)],
        ],
        report.money,
        { empty: t("rep.none"), caption: t("rep.money"), cards: true },
      ),
    ),
    h("h2", {}, t("rep.destinations")),
    h(
      "div",
      { id: "report-destinations" },
      table(
        [
          [t("rep.country"), (d) => d.country],
          [t("rep.messages"), (d) => String(d.messages)],
        ],
        report.destinations,
        { empty: t("rep.none"), caption: t("rep.destinations"), cards: true },
      ),
    ),
  );
}

export default {
  title: "rep.title",
  async render(main) {
    const box = h("div", { id: "traffic-report", "aria-live": "polite" });
    const run = async (values) => {
      const report = await call("GET", query(values));
      const width = Math.min(main.clientWidth || 640, 768) - 18;
      show(box, report, values, width);
    };
    const initial = { from: isoDay(-29), to: isoDay(0), account_id: "" };
    const filters = form(
      [
        h(
          "div",
          { class: "row" },
          field(t("rep.from"), "from", { type: "date", value: initial.from, required: true }),
          field(t("rep.to"), "to", { type: "date", value: initial.to, required: true }),
          field(t("rep.account"), "account_id", { autocomplete: "off" }),
        ),
      ],
      run,
      { submit: t("rep.show") },
    );
    fill(main, h("h1", {}, t("rep.title")), h("p", { class: "hint" }, t("rep.help")), filters, box);
    try {
      await run(initial);
    } catch (error) {
      fill(box, errorBox(error));
    }
  },
};
