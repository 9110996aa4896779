// Clients (seed 004 "Clients list"): every customer account, searched by name, id, note or
// company, sorted by any column (the API sorts), in pages, with
// balance, credit limit, status, type and when it was created. A name opens the client's
// profile; "New client" opens an account. On a phone each client is a card.

import { t, words } from "../../i18n.js";
import { fill, h } from "../../ui.js";
import { kindName } from "../../people.js";
import { call, date, money, pagedList } from "../lib.js";

const PAGE = 25;

words({
  en: {
    "clients.title": "Clients",
    "clients.new": "New client",
    "clients.search": "Search clients",
    "clients.search_hint": "Name, client ID, note or company",
    "clients.name": "Client",
    "clients.type": "Type",
    "clients.balance": "Balance",
    "clients.credit_limit": "Credit limit",
    "clients.status": "Status",
    "clients.created": "Created",
    "clients.blocked": "Blocked",
    "clients.active": "Active",
    "clients.status.awaiting_email": "Signed up, e-mail not confirmed",
    "clients.status.pending": "Waiting for approval",
    "clients.status.rejected": "Sign-up rejected",
    "clients.filter": "Status",
    "clients.filter.all": "All",
    "clients.none": "No clients match.",
    "clients.open": "Open {name}",
    "clients.sort": "Sort",
    "clients.sort.asc": "{column}, ascending",
    "clients.sort.desc": "{column}, descending",
  },
  sv: {
    "clients.title": "Kunder",
    "clients.new": "Ny kund",
    "clients.search": "Sök kunder",
    "clients.search_hint": "Namn, kund-id, anteckning eller företag",
    "clients.name": "Kund",
    "clients.type": "Typ",
    "clients.balance": "Saldo",
    "clients.credit_limit": "Kreditgräns",
    "clients.status": "Status",
    "clients.created": "Skapad",
    "clients.blocked": "Spärrad",
    "clients.active": "Aktiv",
    "clients.status.awaiting_email": "Registrerad, e-post ej bekräftad",
    "clients.status.pending": "Väntar på godkännande",
    "clients.status.rejected": "Registrering avslagen",
    "clients.filter": "Status",
    "clients.filter.all": "Alla",
    "clients.none": "Inga kunder matchar.",
    "clients.open": "Öppna {name}",
    "clients.sort": "Sortering",
    "clients.sort.asc": "{column}, stigande",
    "clients.sort.desc": "{column}, fallande",
  },
});

// [API sort column or null, header key, cell]
const COLUMNS = [
  [
    "name",
    "clients.name",
    (c) => [
      h("a", { href: `/console/clients/${encodeURIComponent(c.id)}`, "data-console-link": true, class: "strong" }, c.name),
      c.company_name && c.company_name !== c.name ? h("div", { class: "hint" }, c.company_name) : null,
      h("div", { class: "hint" }, h("code", { class: "id" }, c.id)),
    ],
  ],
  ["kind", "clients.type", (c) => kindName(c.kind)],
  ["balance", "clients.balance", (c) => money(c.balance_minor, c.currency), "number"],
  ["credit_limit", "clients.credit_limit", (c) => money(c.credit_limit_minor, c.currency), "number"],
  ["status", "clients.status", (c) => statusBadge(c.status)],
  ["created_at", "clients.created", (c) => date(c.created_at)],
];

// An account's status (active, blocked, or where a self-signup stands) as a badge.
const STATUSES = ["active", "blocked", "awaiting_email", "pending", "rejected"];

export function statusBadge(status) {
  const key = status === "active" ? "clients.active" : status === "blocked" ? "clients.blocked" : `clients.status.${status}`;
  const tone = status === "active" ? "ok" : status === "pending" || status === "awaiting_email" ? "pending" : "bad";
  return h("span", { class: `badge ${tone}`, "data-status": status }, t(key));
}

function readState() {
  const q = new URLSearchParams(location.search);
  const sort = COLUMNS.some(([c]) => c && c === q.get("sort")) ? q.get("sort") : "created_at";
  const order = q.get("order") === "asc" || q.get("order") === "desc" ? q.get("order") : sort === "created_at" ? "desc" : "asc";
  const status = STATUSES.includes(q.get("status")) ? q.get("status") : "";
  return { q: q.get("q") || "", sort, order, status };
}

function writeState(state) {
  const q = new URLSearchParams();
  if (state.q) q.set("q", state.q);
  if (state.status) q.set("status", state.status);
  if (state.sort !== "created_at") q.set("sort", state.sort);
  if (state.order !== (state.sort === "created_at" ? "desc" : "asc")) q.set("order", state.order);
  const query = q.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

export default {
  title: "clients.title",
  async render(main) {
    const state = readState();
    const list = h("div", { id: "client-list" });
    const search = h("input", { type: "search", id: "f-q", name: "q", value: state.q, placeholder: t("clients.search_hint") });

    const header = ([column, key]) => {
      if (!column) return h("th", { scope: "col" }, t(key));
      const active = state.sort === column;
      return h(
        "th",
        { scope: "col", "aria-sort": active ? (state.order === "asc" ? "ascending" : "descending") : null },
        h(
          "button",
          {
            type: "button",
            class: "sort",
            "data-sort": column,
            onclick: () => {
              state.order = active ? (state.order === "asc" ? "desc" : "asc") : ["created_at", "balance", "credit_limit"].includes(column) ? "desc" : "asc";
              state.sort = column;
              show().then(() => list.querySelector(`button[data-sort="${column}"]`)?.focus());
            },
          },
          t(key),
          h("span", { "aria-hidden": "true" }, active ? (state.order === "asc" ? " ▲" : " ▼") : " ↕"),
        ),
      );
    };

    const view = (clients) =>
      clients.length
        ? h(
            "div",
            { class: "table-wrap as-cards" },
            h(
              "table",
              {},
              h("caption", {}, t("clients.title")),
              h("thead", {}, h("tr", {}, COLUMNS.map(header))),
              h(
                "tbody",
                {},
                clients.map((c) =>
                  h(
                    "tr",
                    { "data-client": c.id, class: c.blocked ? "blocked" : null },
                    COLUMNS.map(([, key, cell, className]) => h("td", { "data-label": t(key), class: className }, cell(c))),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, t("clients.none"));

    let paged;
    const show = async () => {
      writeState(state);
      syncSort();
      paged = pagedList(list, {
        pageSize: PAGE,
        load: async (cursor) => {
          const query = new URLSearchParams({ sort: state.sort, order: state.order, limit: PAGE });
          if (cursor) query.set("cursor", cursor);
          if (state.q) query.set("q", state.q);
          if (state.status) query.set("status", state.status);
          const page = await call("GET", `/v1/admin/accounts?${query}`);
          return { items: page.accounts, next_cursor: page.next_cursor, total: page.total };
        },
        view,
      });
      await paged.ready;
    };

    const searchForm = h(
      "form",
      {
        role: "search",
        class: "search",
        onsubmit: (e) => {
          e.preventDefault();
          state.q = search.value.trim();
          show();
        },
      },
      h("label", { for: "f-q" }, t("clients.search")),
      h("div", { class: "search-row" }, search, h("button", { type: "submit" }, t("common.search"))),
    );
    // The same sort as the column headers, for a phone (where the list is cards).
    const sortSelect = h(
      "select",
      {
        id: "f-sort",
        onchange: (e) => {
          [state.sort, state.order] = e.target.value.split(":");
          show();
        },
      },
      COLUMNS.filter(([c]) => c).flatMap(([column, key]) =>
        ["asc", "desc"].map((order) => h("option", { value: `${column}:${order}`, selected: state.sort === column && state.order === order }, t(`clients.sort.${order}`, { column: t(key) }))),
      ),
    );
    const syncSort = () => (sortSelect.value = `${state.sort}:${state.order}`);
    const statusSelect = h(
      "select",
      {
        id: "f-status",
        onchange: (e) => {
          state.status = e.target.value;
          show();
        },
      },
      h("option", { value: "", selected: !state.status }, t("clients.filter.all")),
      STATUSES.map((s) => h("option", { value: s, selected: state.status === s }, t(s === "active" ? "clients.active" : s === "blocked" ? "clients.blocked" : `clients.status.${s}`))),
    );
    fill(
      main,
      h("div", { class: "page-head" }, h("h1", {}, t("clients.title")), h("a", { href: "/console/clients/new", "data-console-link": true, class: "button", id: "new-client" }, t("clients.new"))),
      h(
        "div",
        { class: "filters" },
        searchForm,
        h("div", { class: "field sort-field" }, h("label", { for: "f-status" }, t("clients.filter")), statusSelect),
        h("div", { class: "field sort-field" }, h("label", { for: "f-sort" }, t("clients.sort")), sortSelect),
      ),
      list,
    );
    await show();
  },
};
