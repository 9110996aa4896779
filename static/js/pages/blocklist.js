// The blocklist (seed 000, 001 stop-service): numbers the account never sends to — those
// who opted out by keyword or link, and those blocked by hand. Add, lift, and the history
// of who blocked or lifted a number and when.

import { api } from "../api.js";
import { dateTime, t, words } from "../i18n.js";
import { actionButton, field, fill, form, h, load, table } from "../ui.js";
import { lifterText, reasonText, sourceText } from "../blocks.js";
import { memberNames } from "../people.js";
import { pager } from "../status.js";

words({
  en: {
    "blocklist.title": "Blocklist",
    "blocklist.help": "Messages are never sent to these numbers: a send to one is refused and says why.",
    "blocklist.add": "Block a number",
    "blocklist.list": "Blocked numbers",
    "blocklist.number": "Phone number",
    "blocklist.add_submit": "Block number",
    "blocklist.added": "{number} is now blocked.",
    "blocklist.already": "{number} was already blocked.",
    "blocklist.include_removed": "Show lifted blocks too (history)",
    "blocklist.empty": "No blocked numbers.",
    "blocklist.col.number": "Number",
    "blocklist.col.why": "Why",
    "blocklist.col.source": "Where",
    "blocklist.col.since": "Blocked at",
    "blocklist.col.lifted": "Lifted",
    "blocklist.active": "Blocked",
    "blocklist.lifted": "Lifted {at} by {by}",
    "blocklist.remove": "Unblock {number}",
    "blocklist.removed": "{number} is no longer blocked.",
    "blocklist.lookup": "History of one number",
    "blocklist.lookup_submit": "Show history",
    "blocklist.lookup_number": "Number to look up",
    "blocklist.is_blocked": "{number} is blocked now.",
    "blocklist.not_blocked": "{number} is not blocked now.",
  },
  sv: {
    "blocklist.title": "Spärrlista",
    "blocklist.help": "Meddelanden skickas aldrig till de här numren: ett utskick till något av dem avvisas med en förklaring.",
    "blocklist.add": "Spärra ett nummer",
    "blocklist.list": "Spärrade nummer",
    "blocklist.number": "Telefonnummer",
    "blocklist.add_submit": "Spärra nummer",
    "blocklist.added": "{number} är nu spärrat.",
    "blocklist.already": "{number} var redan spärrat.",
    "blocklist.include_removed": "Visa även hävda spärrar (historik)",
    "blocklist.empty": "Inga spärrade nummer.",
    "blocklist.col.number": "Nummer",
    "blocklist.col.why": "Varför",
    "blocklist.col.source": "Var",
    "blocklist.col.since": "Spärrat",
    "blocklist.col.lifted": "Hävd",
    "blocklist.active": "Spärrat",
    "blocklist.lifted": "Hävd {at} av {by}",
    "blocklist.remove": "Häv spärren för {number}",
    "blocklist.removed": "{number} är inte längre spärrat.",
    "blocklist.lookup": "Historik för ett nummer",
    "blocklist.lookup_submit": "Visa historik",
    "blocklist.lookup_number": "Nummer att slå upp",
    "blocklist.is_blocked": "{number} är spärrat nu.",
    "blocklist.not_blocked": "{number} är inte spärrat nu.",
  },
});

/** Blocklist entries; with `onRemove`, active ones have a button that lifts the block. */
function entriesTable(entries, names, { onRemove, status } = {}) {
  return table(
    [
      [t("blocklist.col.number"), (e) => h("strong", {}, e.number)],
      [t("blocklist.col.why"), (e) => reasonText(e.reason, names)],
      [t("blocklist.col.source"), (e) => sourceText(e.source)],
      [t("blocklist.col.since"), (e) => dateTime(e.created_at)],
      [t("blocklist.col.lifted"), (e) => (e.active ? h("span", { class: "badge bad" }, t("blocklist.active")) : t("blocklist.lifted", { at: dateTime(e.removed_at), by: lifterText(e.removed_by, names) }))],
      [
        "",
        (e) =>
          e.active && onRemove ? actionButton(t("blocklist.remove", { number: e.number }), () => onRemove(e), { status }) : "",
      ],
    ],
    entries,
    { empty: t("blocklist.empty"), caption: t("blocklist.title") },
  );
}

export default {
  title: "blocklist.title",
  async render(main) {
    let includeRemoved = false;
    const pages = [null];
    const status = h("div", { class: "form-status", id: "blocklist-status" });
    const list = h("div", { id: "blocklist" });
    const history = h("div", { id: "number-history" });

    const remove = async (entry) => {
      try {
        await api("DELETE", `/v1/blocklist/${encodeURIComponent(entry.number)}`);
      } finally {
        await show();
      }
      return t("blocklist.removed", { number: entry.number });
    };

    const show = () =>
      load(list, async () => {
        const q = new URLSearchParams({ limit: "100" });
        if (includeRemoved) q.set("include_removed", "true");
        const cursor = pages[pages.length - 1];
        if (cursor) q.set("cursor", cursor);
        const page = await api("GET", `/v1/blocklist?${q}`);
        const names = await memberNames(page.entries.flatMap((e) => [e.reason, e.source, e.removed_by]));
        return [entriesTable(page.entries, names, { onRemove: remove, status }), pager(pages.length > 1 ? () => (pages.pop(), show()) : null, page.next_cursor ? () => (pages.push(page.next_cursor), show()) : null)];
      });

    const addForm = form(
      [field(t("blocklist.number"), "number", { type: "tel", required: true, autocomplete: "off" })],
      async (values, formEl) => {
        const answer = await api("POST", "/v1/blocklist", { number: values.number.trim() });
        formEl.reset();
        pages.splice(1);
        await show();
        return t(answer.created ? "blocklist.added" : "blocklist.already", { number: answer.number });
      },
      { submit: t("blocklist.add_submit") },
    );

    const toggle = h(
      "label",
      { class: "check" },
      h("input", {
        type: "checkbox",
        id: "include-removed",
        onchange: (e) => {
          includeRemoved = e.target.checked;
          pages.splice(1);
          show();
        },
      }),
      ` ${t("blocklist.include_removed")}`,
    );

    const lookup = form(
      [field(t("blocklist.lookup_number"), "number", { id: "lookup-number", type: "tel", required: true, autocomplete: "off" })],
      async (values) => {
        const answer = await api("GET", `/v1/blocklist/${encodeURIComponent(values.number.trim())}`);
        const names = await memberNames(answer.entries.flatMap((e) => [e.reason, e.source, e.removed_by]));
        fill(history, h("p", {}, t(answer.blocked ? "blocklist.is_blocked" : "blocklist.not_blocked", { number: answer.number })), entriesTable(answer.entries, names));
        return null;
      },
      { submit: t("blocklist.lookup_submit") },
    );

    fill(
      main,
      h("h1", {}, t("blocklist.title")),
      h("p", { class: "muted" }, t("blocklist.help")),
      h("h2", {}, t("blocklist.add")),
      addForm,
      status,
      h("h2", {}, t("blocklist.list")),
      toggle,
      list,
      h("h2", {}, t("blocklist.lookup")),
      lookup,
      history,
    );
    await show();
  },
};
