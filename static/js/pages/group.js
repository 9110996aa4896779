// One contact group (/groups/:id): its members (add from the contact book or by number,
// remove), rename, delete.

import { api } from "../api.js";
import { navigate } from "../app.js";
import { t, words } from "../i18n.js";
import { actionButton, field, fill, form, h, load, table } from "../ui.js";
import { pager } from "../status.js";
import { contactName } from "./contacts.js";

words({
  en: {
    "group.title": "Group",
    "group.back": "Contacts and groups",
    "group.members": "Members",
    "group.count": "{count} member(s)",
    "group.empty": "No members yet.",
    "group.remove": "Remove {name} from the group",
    "group.removed": "{name} was taken out of the group.",
    "group.add": "Add members",
    "group.contact": "Contact",
    "group.choose": "Choose a contact…",
    "group.numbers": "Or numbers (one per line or separated by commas; new ones become contacts)",
    "group.add_submit": "Add to group",
    "group.added": "{added} added, {already} already members, {created} new contact(s).",
    "group.nothing": "Choose a contact or write a number.",
    "group.rename": "Rename the group",
    "group.name": "Group name",
    "group.rename_submit": "Rename",
    "group.delete": "Delete this group (its contacts stay)",
    "group.send": "Send an SMS to this group",
  },
  sv: {
    "group.title": "Grupp",
    "group.back": "Kontakter och grupper",
    "group.members": "Medlemmar",
    "group.count": "{count} medlem(mar)",
    "group.empty": "Inga medlemmar ännu.",
    "group.remove": "Ta bort {name} från gruppen",
    "group.removed": "{name} togs bort från gruppen.",
    "group.add": "Lägg till medlemmar",
    "group.contact": "Kontakt",
    "group.choose": "Välj en kontakt…",
    "group.numbers": "Eller nummer (ett per rad eller åtskilda med kommatecken; nya blir kontakter)",
    "group.add_submit": "Lägg till i gruppen",
    "group.added": "{added} tillagda, {already} redan medlemmar, {created} nya kontakter.",
    "group.nothing": "Välj en kontakt eller skriv ett nummer.",
    "group.rename": "Byt namn på gruppen",
    "group.name": "Gruppnamn",
    "group.rename_submit": "Byt namn",
    "group.delete": "Ta bort gruppen (kontakterna finns kvar)",
    "group.send": "Skicka ett SMS till gruppen",
  },
});

export default {
  title: "group.title",
  async render(main, params) {
    const id = encodeURIComponent(params.id);
    const group = await api("GET", `/v1/groups/${id}`);
    const contacts = await api("GET", "/v1/contacts?limit=500").catch(() => ({ contacts: [] }));
    const heading = h("h1", {}, `${t("group.title")}: ${group.name}`);
    const count = h("p", { id: "member-count" }, t("group.count", { count: group.members }));
    const status = h("div", { class: "form-status" });
    const list = h("div", { id: "member-list" });
    const pages = [null];

    const show = () =>
      load(list, async () => {
        const q = new URLSearchParams({ limit: "100" });
        const cursor = pages[pages.length - 1];
        if (cursor) q.set("cursor", cursor);
        const page = await api("GET", `/v1/groups/${id}/members?${q}`);
        const fresh = await api("GET", `/v1/groups/${id}`);
        fill(count, t("group.count", { count: fresh.members }));
        return [
          table(
            [
              [t("contacts.col.name"), (c) => contactName(c)],
              [t("contacts.col.number"), (c) => c.number],
              [
                "",
                (c) =>
                  actionButton(
                    t("group.remove", { name: contactName(c) }),
                    async () => {
                      try {
                        await api("DELETE", `/v1/groups/${id}/members/${encodeURIComponent(c.id)}`);
                      } finally {
                        await show();
                      }
                      return t("group.removed", { name: contactName(c) });
                    },
                    { status },
                  ),
              ],
            ],
            page.members,
            { empty: t("group.empty"), caption: t("group.members") },
          ),
          pager(pages.length > 1 ? () => (pages.pop(), show()) : null, page.next_cursor ? () => (pages.push(page.next_cursor), show()) : null),
        ];
      });

    const addForm = form(
      [
        field(t("group.contact"), "contact_id", {
          type: "select",
          value: "",
          options: [["", t("group.choose")], ...contacts.contacts.map((c) => [c.id, `${contactName(c)} (${c.number})`])],
        }),
        field(t("group.numbers"), "numbers", { type: "textarea", rows: 2 }),
      ],
      async (values, formEl) => {
        const body = {};
        if (values.contact_id) body.contact_ids = [values.contact_id];
        const numbers = values.numbers.split(/[\n,;]+/).map((n) => n.trim()).filter(Boolean);
        if (numbers.length) body.numbers = numbers;
        if (!body.contact_ids && !body.numbers) throw { name: "NothingToAdd", message: t("group.nothing") };
        const added = await api("POST", `/v1/groups/${id}/members`, body);
        formEl.reset();
        await show();
        return t("group.added", { added: added.added, already: added.already_members, created: added.contacts_created });
      },
      { submit: t("group.add_submit") },
    );

    const renameForm = form(
      [field(t("group.name"), "name", { value: group.name, required: true })],
      async (values) => {
        const renamed = await api("PATCH", `/v1/groups/${id}`, { name: values.name.trim() });
        fill(heading, `${t("group.title")}: ${renamed.name}`);
        return t("common.saved");
      },
      { submit: t("group.rename_submit") },
    );

    const deleteButton = actionButton(
      t("group.delete"),
      async () => {
        await api("DELETE", `/v1/groups/${id}`);
        navigate("/contacts");
      },
      { status, className: "danger" },
    );

    fill(
      main,
      h("p", {}, h("a", { href: "/contacts", "data-link": true }, t("group.back"))),
      heading,
      count,
      h("p", {}, h("a", { href: "/send", "data-link": true }, t("group.send"))),
      status,
      h("h2", {}, t("group.members")),
      list,
      h("h2", {}, t("group.add")),
      addForm,
      h("details", { class: "panel" }, h("summary", {}, t("group.rename")), renameForm, h("div", { class: "actions" }, deleteButton)),
    );
    await show();
  },
};
