// Accounts (seed 000): every account the user may act on, searchable, sortable by each
// column (the API sorts), paged or shown all at once; the default account's row is
// highlighted and any other can be made the default; each row links to its overview.
// The search and sort live in the address (?q=&sort=&order=&all=1); the pages shown so
// far are a stack of the API's cursors (`next_cursor`), so Previous goes back one.

import { api } from "../api.js";
import { money, t, words } from "../i18n.js";
import { actionButton, errorBox, fill, h } from "../ui.js";
import { kindName, levelName } from "../people.js";

const PAGE = 25;

words({
  en: {
    "accounts.title": "Accounts",
    "accounts.search": "Search accounts",
    "accounts.search_hint": "Account ID or name",
    "accounts.id": "Account ID",
    "accounts.name": "Name/Note",
    "accounts.type": "Type",
    "accounts.balance": "Balance",
    "accounts.level": "Access level",
    "accounts.actions": "Actions",
    "accounts.overview": "Overview",
    "accounts.overview_of": "Overview: {name}",
    "accounts.default": "Default account",
    "accounts.make_default": "Make default",
    "accounts.make_default_of": "Make default: {name}",
    "accounts.blocked": "Blocked",
    "accounts.count": "Accounts {from}–{to} of {total}",
    "accounts.none": "No accounts match.",
    "accounts.show_all": "Show all",
    "accounts.show_pages": "Show in pages",
    "accounts.default_set": "{name} is now your default account.",
  },
  sv: {
    "accounts.title": "Konton",
    "accounts.search": "Sök konton",
    "accounts.search_hint": "Konto-id eller namn",
    "accounts.id": "Konto-id",
    "accounts.name": "Namn/Anteckning",
    "accounts.type": "Typ",
    "accounts.balance": "Saldo",
    "accounts.level": "Behörighet",
    "accounts.actions": "Åtgärder",
    "accounts.overview": "Översikt",
    "accounts.overview_of": "Översikt: {name}",
    "accounts.default": "Standardkonto",
    "accounts.make_default": "Gör till standard",
    "accounts.make_default_of": "Gör till standard: {name}",
    "accounts.blocked": "Spärrat",
    "accounts.count": "Konto {from}–{to} av {total}",
    "accounts.none": "Inga konton matchar.",
    "accounts.show_all": "Visa alla",
    "accounts.show_pages": "Visa sidvis",
    "accounts.default_set": "{name} är nu ditt standardkonto.",
  },
});

const COLUMNS = [
  ["id", "accounts.id"],
  ["name", "accounts.name"],
  ["type", "accounts.type"],
  ["balance", "accounts.balance"],
  ["level", "accounts.level"],
];

function readState() {
  const q = new URLSearchParams(location.search);
  return {
    q: q.get("q") || "",
    sort: COLUMNS.some(([c]) => c === q.get("sort")) ? q.get("sort") : "name",
    order: q.get("order") === "desc" ? "desc" : "asc",
    cursors: [null],
    all: q.get("all") === "1",
  };
}

function writeState(state) {
  const q = new URLSearchParams();
  if (state.q) q.set("q", state.q);
  if (state.sort !== "name") q.set("sort", state.sort);
  if (state.order !== "asc") q.set("order", state.order);
  if (state.all) q.set("all", "1");
  const query = q.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

export default {
  title: "accounts.title",
  async render(main, _params, ctx) {
    const state = readState();
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "account-list" });
    const search = h("input", { type: "search", id: "f-q", name: "q", value: state.q, placeholder: t("accounts.search_hint") });

    const show = async () => {
      writeState(state);
      const limit = state.all ? 200 : PAGE;
      const query = new URLSearchParams({ sort: state.sort, order: state.order, limit });
      const cursor = state.all ? null : state.cursors[state.cursors.length - 1];
      if (cursor) query.set("cursor", cursor);
      if (state.q) query.set("q", state.q);
      let page;
      try {
        page = await api("GET", `/v1/accounts?${query}`, undefined, { account: false });
      } catch (error) {
        return fill(list, errorBox(error));
      }
      const header = ([column, key]) => {
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
                state.order = active && state.order === "asc" ? "desc" : "asc";
                state.sort = column;
                state.cursors = [null];
                show().then(() => list.querySelector(`button[data-sort="${column}"]`)?.focus());
              },
            },
            t(key),
            h("span", { "aria-hidden": "true" }, active ? (state.order === "asc" ? " ▲" : " ▼") : " ↕"),
          ),
        );
      };
      const row = (account) =>
        h(
          "tr",
          { class: account.is_default ? "default" : null, "data-account": account.id },
          h("td", { "data-label": t("accounts.id") }, h("code", { class: "id" }, account.id)),
          h("td", { "data-label": t("accounts.name") }, h("span", {}, account.name, account.blocked ? [" ", h("span", { class: "badge bad" }, t("accounts.blocked"))] : null)),
          h("td", { "data-label": t("accounts.type") }, kindName(account.kind)),
          h("td", { class: "number", "data-label": t("accounts.balance") }, money(account.balance_minor, account.currency)),
          h("td", { "data-label": t("accounts.level") }, levelName(account.level)),
          h(
            "td",
            { class: "row-actions", "data-label": t("accounts.actions") },
            h("a", { href: `/accounts/${encodeURIComponent(account.id)}`, "data-link": true, "aria-label": t("accounts.overview_of", { name: account.name }) }, t("accounts.overview")),
            account.is_default
              ? h("span", { class: "badge ok" }, t("accounts.default"))
              : actionButton(
                  t("accounts.make_default"),
                  async () => {
                    await api("PUT", "/v1/me/default-account", { account_id: account.id }, { account: false });
                    ctx.me.default_account_id = account.id;
                    await show();
                    return t("accounts.default_set", { name: account.name });
                  },
                  { status, className: "secondary small", ariaLabel: t("accounts.make_default_of", { name: account.name }) },
                ),
          ),
        );
      if (!page.accounts.length) return fill(list, h("p", { class: "empty" }, t("accounts.none")));
      const from = state.all ? 1 : (state.cursors.length - 1) * PAGE + 1;
      const to = from + page.accounts.length - 1;
      const pager = h(
        "div",
        { class: "pager" },
        h("span", {}, t("accounts.count", { from, to, total: page.total })),
        !state.all && state.cursors.length > 1
          ? h("button", { type: "button", class: "secondary", onclick: () => (state.cursors.pop(), show()) }, t("common.previous"))
          : null,
        !state.all && page.next_cursor
          ? h("button", { type: "button", class: "secondary", onclick: () => (state.cursors.push(page.next_cursor), show()) }, t("common.next"))
          : null,
        page.total > PAGE
          ? h("button", { type: "button", class: "link", onclick: () => ((state.all = !state.all), (state.cursors = [null]), show()) }, t(state.all ? "accounts.show_pages" : "accounts.show_all"))
          : null,
      );
      fill(
        list,
        h(
          "div",
          // On a phone each account is a card (the balance in view, not behind a scroll).
          { class: "table-wrap as-cards" },
          h(
            "table",
            {},
            h("caption", { class: "visually-hidden" }, t("accounts.title")),
            h("thead", {}, h("tr", {}, COLUMNS.map(header), h("th", { scope: "col" }, t("accounts.actions")))),
            h("tbody", {}, page.accounts.map(row)),
          ),
        ),
        pager,
      );
    };

    const searchForm = h(
      "form",
      {
        role: "search",
        class: "search",
        onsubmit: (e) => {
          e.preventDefault();
          state.q = search.value.trim();
          state.cursors = [null];
          show();
        },
      },
      h("label", { for: "f-q" }, t("accounts.search")),
      h("div", { class: "search-row" }, search, h("button", { type: "submit" }, t("common.search"))),
    );
    fill(main, h("h1", {}, t("accounts.title")), searchForm, status, list);
    await show();
  },
};
