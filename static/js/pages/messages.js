// The message log (GET /v1/messages): newest first, filtered by status, recipient number
// or batch (a link from the send page), paged with `next_cursor`.

import { api } from "../api.js";
import { dateTime, t, words } from "../i18n.js";
import { field, fill, h, load, table } from "../ui.js";
import { dayStart, messagePrice, messageStatus, pager, STATUS_CODES, statusText } from "../status.js";

words({
  en: {
    "messages.title": "Messages",
    "messages.status": "Status",
    "messages.any_status": "Any status",
    "messages.number": "Recipient number",
    "messages.filter": "Filter",
    "messages.clear": "Clear filters",
    "messages.batch": "Showing one send request ({batch}).",
    "messages.empty": "No messages match.",
    "messages.col.created": "Created",
    "messages.col.from": "From",
    "messages.col.to": "To",
    "messages.col.text": "Text",
    "messages.col.segments": "Segments",
    "messages.col.price": "Price",
    "messages.col.status": "Status",
    "messages.send": "Send an SMS",
    "messages.from_day": "From day",
    "messages.text_filter": "Text contains",
    "messages.order": "Order",
    "messages.newest": "Newest first",
    "messages.oldest": "Oldest first",
    "messages.until_day": "Until day (inclusive)",
  },
  sv: {
    "messages.title": "Meddelanden",
    "messages.status": "Status",
    "messages.any_status": "Alla statusar",
    "messages.number": "Mottagarens nummer",
    "messages.filter": "Filtrera",
    "messages.clear": "Rensa filter",
    "messages.batch": "Visar en sändning ({batch}).",
    "messages.empty": "Inga meddelanden matchar.",
    "messages.col.created": "Skapat",
    "messages.col.from": "Från",
    "messages.col.to": "Till",
    "messages.col.text": "Text",
    "messages.col.segments": "Delar",
    "messages.col.price": "Pris",
    "messages.col.status": "Status",
    "messages.send": "Skicka ett SMS",
    "messages.from_day": "Från och med dag",
    "messages.text_filter": "Texten innehåller",
    "messages.order": "Ordning",
    "messages.newest": "Nyast först",
    "messages.oldest": "Äldst först",
    "messages.until_day": "Till och med dag",
  },
});

function short(text, n = 60) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

export default {
  title: "messages.title",
  async render(main, _params, ctx) {
    const query = new URLSearchParams(location.search);
    const filters = { status: query.get("status") || "", to: query.get("to") || "", batch: query.get("batch") || "", from: query.get("from") || "", until: query.get("until") || "", q: query.get("q") || "", order: query.get("order") === "asc" ? "asc" : "desc" };
    const pages = [null]; // the `cursor` of each page shown so far
    const list = h("div", { id: "message-list" });

    const show = () =>
      load(list, async () => {
        const params = new URLSearchParams({ limit: "50" });
        if (filters.status) params.set("status", filters.status);
        if (filters.to) params.set("to", filters.to);
        if (filters.batch) params.set("batch_id", filters.batch);
        if (filters.q) params.set("q", filters.q);
        if (filters.order === "asc") params.set("order", "asc");
        // Days in the browser's zone: from the start of `from` to the end of `until`.
        if (filters.from) params.set("since", dayStart(filters.from));
        if (filters.until) params.set("until", new Date(new Date(`${filters.until}T00:00:00`).getTime() + 86400000).toISOString());
        const cursor = pages[pages.length - 1];
        if (cursor) params.set("cursor", cursor);
        const page = await api("GET", `/v1/messages?${params}`);
        return [
          table(
            [
              [t("messages.col.created"), (m) => h("a", { href: `/messages/${m.id}`, "data-link": true }, dateTime(m.created_at))],
              [t("messages.col.from"), (m) => m.from],
              [t("messages.col.to"), (m) => m.to],
              [t("messages.col.text"), (m) => short(m.text)],
              [t("messages.col.segments"), (m) => `${m.segments} (${m.encoding})`],
              [t("messages.col.price"), (m) => messagePrice(m)],
              [t("messages.col.status"), (m) => messageStatus(m)],
            ],
            page.messages,
            { empty: t("messages.empty"), caption: t("messages.title") },
          ),
          pager(
            pages.length > 1
              ? () => {
                  pages.pop();
                  show();
                }
              : null,
            page.next_cursor
              ? () => {
                  pages.push(page.next_cursor);
                  show();
                }
              : null,
          ),
        ];
      });

    const status = field(t("messages.status"), "status", {
      type: "select",
      value: filters.status,
      options: [["", t("messages.any_status")], ...STATUS_CODES.map((c) => [String(c), `${statusText(c)} (${c})`])],
    });
    const number = field(t("messages.number"), "to", { type: "tel", value: filters.to, autocomplete: "off" });
    const from = field(t("messages.from_day"), "from", { type: "date", value: filters.from });
    const until = field(t("messages.until_day"), "until", { type: "date", value: filters.until });
    const words = field(t("messages.text_filter"), "q", { type: "search", value: filters.q, maxlength: "100", autocomplete: "off" });
    const order = field(t("messages.order"), "order", { type: "select", value: filters.order, options: [["desc", t("messages.newest")], ["asc", t("messages.oldest")]] });
    const filterForm = h("form", { class: "filters", role: "search" }, status, number, words, from, until, order, h("div", { class: "actions" }, h("button", { type: "submit" }, t("messages.filter"))));
    filterForm.addEventListener("submit", (e) => {
      e.preventDefault();
      filters.status = filterForm.elements.status.value;
      filters.to = filterForm.elements.to.value.trim();
      filters.from = filterForm.elements.from.value;
      filters.until = filterForm.elements.until.value;
      filters.q = filterForm.elements.q.value.trim();
      filters.order = filterForm.elements.order.value;
      const params = new URLSearchParams();
      if (filters.q) params.set("q", filters.q);
      if (filters.order === "asc") params.set("order", "asc");
      if (filters.status) params.set("status", filters.status);
      if (filters.to) params.set("to", filters.to);
      if (filters.from) params.set("from", filters.from);
      if (filters.until) params.set("until", filters.until);
      if (filters.batch) params.set("batch", filters.batch);
      history.replaceState(null, "", `/messages${params.toString() ? `?${params}` : ""}`);
      pages.splice(1);
      show();
    });

    fill(
      main,
      h("h1", {}, t("messages.title")),
      h("p", {}, h("a", { href: "/send", "data-link": true }, t("messages.send"))),
      filterForm,
      filters.batch ? h("p", {}, t("messages.batch", { batch: filters.batch }), " ", h("a", { href: "/messages", "data-link": true }, t("messages.clear"))) : null,
      list,
    );
    await show();
  },
};
