// The inbox (GET /v1/inbox): SMS received on the account's numbers, newest first, with
// what the platform did with each (opt-out, keyword, saved contact…); filters and pages.

import { api } from "../api.js";
import { dateTime, t, words } from "../i18n.js";
import { field, fill, h, load, table } from "../ui.js";
import { pager } from "../status.js";

const ACTIONS = ["none", "opt_out", "opt_in", "help", "save", "malformed_save", "custom"];

words({
  en: {
    "inbox.title": "Inbox",
    "inbox.from": "Sender number",
    "inbox.action": "What happened",
    "inbox.any_action": "Anything",
    "inbox.since": "Received from (date)",
    "inbox.until": "Received until (date)",
    "inbox.filter": "Filter",
    "inbox.empty": "No received messages match.",
    "inbox.col.received": "Received",
    "inbox.col.from": "From",
    "inbox.col.to": "To",
    "inbox.col.text": "Text",
    "inbox.col.action": "What happened",
    "inbox.missing": "parts missing: {parts}",
    "inbox.action.none": "Nothing (a plain message)",
    "inbox.action.opt_out": "Opted out",
    "inbox.action.opt_in": "Opted in again",
    "inbox.action.help": "Asked for help",
    "inbox.action.save": "Saved as a contact",
    "inbox.action.malformed_save": "Could not be saved as a contact",
    "inbox.action.custom": "Your keyword",
  },
  sv: {
    "inbox.title": "Inkorg",
    "inbox.from": "Avsändarens nummer",
    "inbox.action": "Vad som hände",
    "inbox.any_action": "Allt",
    "inbox.since": "Mottaget från (datum)",
    "inbox.until": "Mottaget till (datum)",
    "inbox.filter": "Filtrera",
    "inbox.empty": "Inga mottagna meddelanden matchar.",
    "inbox.col.received": "Mottaget",
    "inbox.col.from": "Från",
    "inbox.col.to": "Till",
    "inbox.col.text": "Text",
    "inbox.col.action": "Vad som hände",
    "inbox.missing": "delar saknas: {parts}",
    "inbox.action.none": "Inget (ett vanligt meddelande)",
    "inbox.action.opt_out": "Avregistrerade sig",
    "inbox.action.opt_in": "Registrerade sig igen",
    "inbox.action.help": "Bad om hjälp",
    "inbox.action.save": "Sparades som kontakt",
    "inbox.action.malformed_save": "Kunde inte sparas som kontakt",
    "inbox.action.custom": "Ert nyckelord",
  },
});

/** A local date (YYYY-MM-DD) as the RFC 3339 instant its day starts, in the browser's zone. */
function dayStart(day, plusDays = 0) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

export default {
  title: "inbox.title",
  async render(main) {
    const filters = { from: "", action: "", since: "", until: "" };
    const pages = [null];
    const list = h("div", { id: "inbox-list" });
    const show = () =>
      load(list, async () => {
        const params = new URLSearchParams({ limit: "50" });
        if (filters.from) params.set("from", filters.from);
        if (filters.action) params.set("action", filters.action);
        if (filters.since) params.set("since", dayStart(filters.since));
        if (filters.until) params.set("until", dayStart(filters.until, 1));
        const cursor = pages[pages.length - 1];
        if (cursor) params.set("cursor", cursor);
        const page = await api("GET", `/v1/inbox?${params}`);
        return [
          table(
            [
              [t("inbox.col.received"), (m) => dateTime(m.received_at)],
              [t("inbox.col.from"), (m) => m.from],
              [t("inbox.col.to"), (m) => m.to],
              [t("inbox.col.text"), (m) => [h("span", { class: "pre" }, m.text), m.missing_parts ? h("div", { class: "muted" }, t("inbox.missing", { parts: m.missing_parts })) : null]],
              [t("inbox.col.action"), (m) => [t(`inbox.action.${m.action}`), m.action_detail ? h("div", { class: "muted" }, m.action_detail) : null]],
            ],
            page.messages,
            { empty: t("inbox.empty"), caption: t("inbox.title") },
          ),
          pager(
            pages.length > 1 ? () => (pages.pop(), show()) : null,
            page.next_cursor ? () => (pages.push(page.next_cursor), show()) : null,
          ),
        ];
      });
    const filterForm = h(
      "form",
      { class: "filters", role: "search" },
      field(t("inbox.from"), "from", { type: "tel", autocomplete: "off" }),
      field(t("inbox.action"), "action", { type: "select", value: "", options: [["", t("inbox.any_action")], ...ACTIONS.map((a) => [a, t(`inbox.action.${a}`)])] }),
      field(t("inbox.since"), "since", { type: "date" }),
      field(t("inbox.until"), "until", { type: "date" }),
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("inbox.filter"))),
    );
    filterForm.addEventListener("submit", (e) => {
      e.preventDefault();
      for (const name of Object.keys(filters)) filters[name] = filterForm.elements[name].value.trim();
      pages.splice(1);
      show();
    });
    fill(main, h("h1", {}, t("inbox.title")), filterForm, list);
    await show();
  },
};
