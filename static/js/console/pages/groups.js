// Permission groups (seed 003 "Groups"): each says Allow, Deny or nothing for every area
// of the console. A staff member may do what some group of theirs allows and none denies.
// Making a group, changing its name or choices, and deleting one (asked first).

import { t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section } from "../../ui.js";
import { AREAS, areaName } from "../words.js";
import { call } from "../lib.js";

words({
  en: {
    "groups.title": "Permission groups",
    "groups.help": "For each area choose Allow, Deny or — (the group says nothing). A staff member may use an area when one of their groups allows it and none denies it.",
    "groups.none": "No groups yet.",
    "groups.members": "Members: {names}",
    "groups.no_members": "No members.",
    "groups.name": "Group name",
    "groups.area": "Area",
    "groups.choice": "Permission for {area}",
    "groups.allow": "Allow",
    "groups.deny": "Deny",
    "groups.unset": "—",
    "groups.save": "Save the group",
    "groups.saved": "{name} is saved.",
    "groups.new": "New group",
    "groups.create": "Create the group",
    "groups.created": "{name} is created.",
    "groups.delete": "Delete group",
    "groups.delete_for": "Delete the group {name}",
    "groups.delete_q": "Delete {name}? Its members lose what it allowed.",
    "groups.delete_yes": "Yes, delete",
    "groups.deleted": "{name} is deleted.",
    "groups.summary_allow": "Allows: {areas}",
    "groups.summary_deny": "Denies: {areas}",
  },
  sv: {
    "groups.title": "Behörighetsgrupper",
    "groups.help": "Välj Tillåt, Neka eller — (gruppen säger inget) för varje område. En person i personalen får använda ett område när någon av personens grupper tillåter det och ingen nekar det.",
    "groups.none": "Inga grupper ännu.",
    "groups.members": "Medlemmar: {names}",
    "groups.no_members": "Inga medlemmar.",
    "groups.name": "Gruppens namn",
    "groups.area": "Område",
    "groups.choice": "Behörighet för {area}",
    "groups.allow": "Tillåt",
    "groups.deny": "Neka",
    "groups.unset": "—",
    "groups.save": "Spara gruppen",
    "groups.saved": "{name} är sparad.",
    "groups.new": "Ny grupp",
    "groups.create": "Skapa gruppen",
    "groups.created": "{name} är skapad.",
    "groups.delete": "Ta bort gruppen",
    "groups.delete_for": "Ta bort gruppen {name}",
    "groups.delete_q": "Ta bort {name}? Medlemmarna förlorar det gruppen tillät.",
    "groups.delete_yes": "Ja, ta bort",
    "groups.deleted": "{name} är borttagen.",
    "groups.summary_allow": "Tillåter: {areas}",
    "groups.summary_deny": "Nekar: {areas}",
  },
});

/** A table of areas, each with Allow / Deny / — as radio buttons (a group of its own). */
function permissionGrid(permissions, prefix) {
  return h(
    "div",
    { class: "table-wrap perm-grid" },
    h(
      "table",
      {},
      h("caption", {}, t("groups.title")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("groups.area")), ["allow", "deny", ""].map((v) => h("th", { scope: "col" }, t(v ? `groups.${v}` : "groups.unset"))))),
      h(
        "tbody",
        {},
        AREAS.map((area) =>
          h(
            "tr",
            { role: "radiogroup", "aria-label": t("groups.choice", { area: areaName(area) }), "data-area": area },
            h("th", { scope: "row" }, areaName(area)),
            ["allow", "deny", ""].map((value) => {
              const id = `${prefix}-${area}-${value || "unset"}`;
              const label = t(value ? `groups.${value}` : "groups.unset");
              return h(
                "td",
                { "data-label": label },
                h("input", { type: "radio", id, name: `perm-${area}`, value, checked: (permissions[area] || "") === value, "aria-label": `${areaName(area)}: ${label}` }),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

function permissionsOf(values) {
  const out = {};
  for (const area of AREAS) if (values[`perm-${area}`]) out[area] = values[`perm-${area}`];
  return out;
}

function summary(group) {
  const by = (p) => AREAS.filter((a) => group.permissions[a] === p).map(areaName).join(", ");
  return [by("allow") ? t("groups.summary_allow", { areas: by("allow") }) : null, by("deny") ? t("groups.summary_deny", { areas: by("deny") }) : null].filter(Boolean).join(" · ");
}

export default {
  title: "groups.title",
  async render(main) {
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "group-list" });
    const show = async () => {
      const { groups } = await call("GET", "/v1/admin/staff-groups");
      fill(
        list,
        groups.length
          ? groups.map((g) => {
              const remove = h("div", { class: "inline" });
              askFirst(remove, {
                label: t("groups.delete"),
                ariaLabel: t("groups.delete_for", { name: g.name }),
                question: t("groups.delete_q", { name: g.name }),
                yes: t("groups.delete_yes"),
                status,
                action: async () => {
                  await call("DELETE", `/v1/admin/staff-groups/${encodeURIComponent(g.id)}`);
                  await show();
                  fill(status, notice(t("groups.deleted", { name: g.name })));
                },
              });
              return h(
                "details",
                { class: "panel group", "data-group": g.id },
                h("summary", {}, h("strong", {}, g.name), h("span", { class: "hint" }, ` ${summary(g)}`)),
                h("p", { class: "hint" }, g.members?.length ? t("groups.members", { names: g.members.map((m) => m.name).join(", ") }) : t("groups.no_members")),
                form(
                  [field(t("groups.name"), "name", { id: `gname-${g.id}`, required: true, maxlength: "100", value: g.name }), permissionGrid(g.permissions, `g-${g.id}`)],
                  async (values) => {
                    const saved = await call("PATCH", `/v1/admin/staff-groups/${encodeURIComponent(g.id)}`, { name: values.name.trim(), permissions: permissionsOf(values) });
                    await show();
                    fill(status, notice(t("groups.saved", { name: saved.name })));
                  },
                  { submit: t("groups.save") },
                ),
                remove,
              );
            })
          : h("p", { class: "empty" }, t("groups.none")),
      );
    };
    fill(
      main,
      h("h1", {}, t("groups.title")),
      h("p", { class: "hint" }, t("groups.help")),
      status,
      list,
      section(
        "group-new",
        t("groups.new"),
        form(
          [field(t("groups.name"), "name", { id: "f-group-name", required: true, maxlength: "100" }), permissionGrid({}, "new")],
          async (values, element) => {
            const made = await call("POST", "/v1/admin/staff-groups", { name: values.name.trim(), permissions: permissionsOf(values) });
            element.reset();
            await show();
            return t("groups.created", { name: made.name });
          },
          { submit: t("groups.create") },
        ),
      ),
    );
    await show();
  },
};
