// Contacts and groups (seed 000): search the contact book, add, edit and delete contacts;
// list and create groups and open one (/groups/:id) to manage its members.

import { api } from "../api.js";
import { t, words } from "../i18n.js";
import { actionButton, field, fill, form, h, load, notice, table } from "../ui.js";
import { pager } from "../status.js";

words({
  en: {
    "contacts.title": "Contacts",
    "contacts.on_blocklist": "Opted out (blocklist)",
    "contacts.search": "Search names or numbers",
    "contacts.empty": "No contacts match.",
    "contacts.col.name": "Name",
    "contacts.col.number": "Number",
    "contacts.col.note": "Note",
    "contacts.edit": "Edit {name}",
    "contacts.delete": "Delete {name}",
    "contacts.deleted": "Contact {name} deleted.",
    "contacts.add": "Add a contact",
    "contacts.number": "Phone number",
    "contacts.first_name": "First name",
    "contacts.last_name": "Last name",
    "contacts.note": "Note",
    "contacts.add_submit": "Add contact",
    "contacts.added": "Contact {name} added.",
    "contacts.editing": "Edit contact {name}",
    "contacts.edit_submit": "Save contact",
    "contacts.updated": "Contact {name} saved.",
    "groups.title": "Groups",
    "groups.empty": "No groups yet.",
    "groups.col.name": "Group",
    "groups.col.members": "Members",
    "groups.create": "Create a group",
    "groups.name": "Group name",
    "groups.create_submit": "Create group",
    "groups.created": "Group {name} created.",
  },
  sv: {
    "contacts.title": "Kontakter",
    "contacts.on_blocklist": "Avregistrerad (spärrlista)",
    "contacts.search": "Sök namn eller nummer",
    "contacts.empty": "Inga kontakter matchar.",
    "contacts.col.name": "Namn",
    "contacts.col.number": "Nummer",
    "contacts.col.note": "Anteckning",
    "contacts.edit": "Redigera {name}",
    "contacts.delete": "Ta bort {name}",
    "contacts.deleted": "Kontakten {name} togs bort.",
    "contacts.add": "Lägg till en kontakt",
    "contacts.number": "Telefonnummer",
    "contacts.first_name": "Förnamn",
    "contacts.last_name": "Efternamn",
    "contacts.note": "Anteckning",
    "contacts.add_submit": "Lägg till kontakt",
    "contacts.added": "Kontakten {name} lades till.",
    "contacts.editing": "Redigera kontakten {name}",
    "contacts.edit_submit": "Spara kontakt",
    "contacts.updated": "Kontakten {name} sparades.",
    "groups.title": "Grupper",
    "groups.empty": "Inga grupper ännu.",
    "groups.col.name": "Grupp",
    "groups.col.members": "Medlemmar",
    "groups.create": "Skapa en grupp",
    "groups.name": "Gruppnamn",
    "groups.create_submit": "Skapa grupp",
    "groups.created": "Gruppen {name} skapades.",
  },
});

export function contactName(c) {
  const name = `${c.first_name || ""} ${c.last_name || ""}`.trim();
  return name || c.number;
}

export default {
  title: "contacts.title",
  async render(main) {
    let search = "";
    const pages = [null];
    const list = h("div", { id: "contact-list" });
    const status = h("div", { class: "form-status", id: "contacts-status" });
    const editor = h("div", { id: "contact-editor" });
    const groups = h("div", { id: "group-list" });

    const edit = (c) => {
      const close = () => fill(editor);
      fill(
        editor,
        h(
          "section",
          { class: "panel", "aria-labelledby": "edit-contact" },
          h("h3", { id: "edit-contact", tabindex: "-1" }, t("contacts.editing", { name: contactName(c) })),
          form(
            [
              field(t("contacts.number"), "number", { id: "e-number", type: "tel", value: c.number, required: true }),
              field(t("contacts.first_name"), "first_name", { id: "e-first_name", value: c.first_name }),
              field(t("contacts.last_name"), "last_name", { id: "e-last_name", value: c.last_name }),
              field(t("contacts.note"), "note", { id: "e-note", type: "textarea", rows: 2 }),
            ],
            async (values) => {
              const changed = await api("PATCH", `/v1/contacts/${encodeURIComponent(c.id)}`, {
                number: values.number.trim(),
                first_name: values.first_name.trim(),
                last_name: values.last_name.trim(),
                note: values.note,
              });
              close();
              fill(status, notice(t("contacts.updated", { name: contactName(changed) })));
              await show();
            },
            { submit: t("contacts.edit_submit") },
          ),
          h("button", { type: "button", class: "link", onclick: close }, t("common.cancel")),
        ),
      );
      editor.querySelector("textarea").value = c.note || "";
      editor.querySelector("h3").focus();
    };

    const remove = async (c) => {
      await api("DELETE", `/v1/contacts/${encodeURIComponent(c.id)}`);
      await Promise.all([show(), showGroups()]);
      return t("contacts.deleted", { name: contactName(c) });
    };

    const show = () =>
      load(list, async () => {
        const params = new URLSearchParams({ limit: "50" });
        if (search) params.set("search", search);
        const cursor = pages[pages.length - 1];
        if (cursor) params.set("cursor", cursor);
        const page = await api("GET", `/v1/contacts?${params}`);
        return [
          table(
            [
              [t("contacts.col.name"), (c) => contactName(c)],
              [t("contacts.col.number"), (c) => h("span", {}, c.number, c.on_blocklist ? [" ", h("span", { class: "badge bad", "data-blocked": "true" }, t("contacts.on_blocklist"))] : null)],
              [t("contacts.col.note"), (c) => c.note || ""],
              [
                "",
                (c) =>
                  h(
                    "div",
                    { class: "actions" },
                    h("button", { type: "button", class: "secondary", onclick: () => edit(c) }, t("contacts.edit", { name: contactName(c) })),
                    actionButton(t("contacts.delete", { name: contactName(c) }), () => remove(c), { status }),
                  ),
              ],
            ],
            page.contacts,
            { empty: t("contacts.empty"), caption: t("contacts.title") },
          ),
          pager(pages.length > 1 ? () => (pages.pop(), show()) : null, page.next_cursor ? () => (pages.push(page.next_cursor), show()) : null),
        ];
      });

    const showGroups = () =>
      load(groups, async () => {
        const page = await api("GET", "/v1/groups?limit=200");
        return table(
          [
            [t("groups.col.name"), (g) => h("a", { href: `/groups/${g.id}`, "data-link": true }, g.name)],
            [t("groups.col.members"), (g) => g.members],
          ],
          page.groups,
          { empty: t("groups.empty"), caption: t("groups.title") },
        );
      });

    const searchForm = h(
      "form",
      { class: "filters", role: "search" },
      field(t("contacts.search"), "search", { type: "search", autocomplete: "off" }),
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("common.search"))),
    );
    searchForm.addEventListener("submit", (e) => {
      e.preventDefault();
      search = searchForm.elements.search.value.trim();
      pages.splice(1);
      show();
    });

    const addForm = form(
      [
        field(t("contacts.number"), "number", { type: "tel", required: true, autocomplete: "off" }),
        field(t("contacts.first_name"), "first_name", { autocomplete: "off" }),
        field(t("contacts.last_name"), "last_name", { autocomplete: "off" }),
        field(t("contacts.note"), "note", { type: "textarea", rows: 2 }),
      ],
      async (values, formEl) => {
        const body = { number: values.number.trim() };
        for (const name of ["first_name", "last_name", "note"]) if (values[name].trim()) body[name] = values[name].trim();
        const made = await api("POST", "/v1/contacts", body);
        formEl.reset();
        await show();
        return t("contacts.added", { name: contactName(made) });
      },
      { submit: t("contacts.add_submit") },
    );

    const groupForm = form(
      [field(t("groups.name"), "name", { required: true, autocomplete: "off" })],
      async (values, formEl) => {
        const made = await api("POST", "/v1/groups", { name: values.name.trim() });
        formEl.reset();
        await showGroups();
        return t("groups.created", { name: made.name });
      },
      { submit: t("groups.create_submit") },
    );

    fill(
      main,
      h("h1", {}, t("contacts.title")),
      searchForm,
      status,
      editor,
      list,
      h("details", { class: "panel" }, h("summary", {}, t("contacts.add")), addForm),
      h("h2", {}, t("groups.title")),
      groups,
      h("details", { class: "panel" }, h("summary", {}, t("groups.create")), groupForm),
    );
    await Promise.all([show(), showGroups()]);
  },
};
