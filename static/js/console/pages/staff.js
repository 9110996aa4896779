// Staff (seed 003 "Users"): the people who sign in to the console, their permission
// groups, whether two-factor is on and whether they are disabled; a new staff member (an
// initial password shown once, to hand over; they set up two-factor at first sign-in),
// changing someone's groups, and disabling or enabling someone (asked first).

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section, table } from "../../ui.js";
import { copyButton } from "../../pages/keys.js";
import { call } from "../lib.js";

words({
  en: {
    "staff.title": "Staff",
    "staff.help": "Everyone who signs in to the console. What each may do comes from their permission groups: a Deny in any group wins over an Allow.",
    "staff.name": "Name",
    "staff.email": "E-mail",
    "staff.groups": "Permission groups",
    "staff.no_groups": "No group: no access",
    "staff.two_factor": "Two-factor",
    "staff.tfa_on": "On",
    "staff.tfa_off": "Not set up yet",
    "staff.status": "Status",
    "staff.active": "Active",
    "staff.disabled": "Disabled",
    "staff.since": "Since",
    "staff.you": "(you)",
    "staff.none": "No staff yet.",
    "staff.change_groups": "Change groups",
    "staff.change_groups_for": "Change the groups of {name}",
    "staff.groups_saved": "The groups of {name} are saved.",
    "staff.disable": "Disable",
    "staff.disable_for": "Disable {name}",
    "staff.disable_q": "Disable {name}? They are signed out and cannot sign in until enabled again.",
    "staff.disable_yes": "Yes, disable",
    "staff.disabled_done": "{name} is disabled.",
    "staff.enable": "Enable",
    "staff.enable_for": "Enable {name}",
    "staff.enable_q": "Enable {name}? They can sign in again.",
    "staff.enable_yes": "Yes, enable",
    "staff.enabled_done": "{name} is enabled.",
    "staff.new": "New staff member",
    "staff.f.name": "Name",
    "staff.f.email": "E-mail address",
    "staff.f.groups": "Permission groups",
    "staff.f.no_groups": "There are no permission groups yet: make one under Permission groups first.",
    "staff.create": "Create the staff member",
    "staff.created_title": "{name} can sign in",
    "staff.created_note": "Give them this initial password in a safe way: it is shown only now. They set up two-factor authentication at their first sign-in, at {address}.",
    "staff.copy_password": "Copy the password",
  },
  sv: {
    "staff.title": "Personal",
    "staff.help": "Alla som loggar in i konsolen. Vad var och en får göra kommer från deras behörighetsgrupper: ett Neka i någon grupp vinner över ett Tillåt.",
    "staff.name": "Namn",
    "staff.email": "E-post",
    "staff.groups": "Behörighetsgrupper",
    "staff.no_groups": "Ingen grupp: ingen åtkomst",
    "staff.two_factor": "Tvåstegsverifiering",
    "staff.tfa_on": "På",
    "staff.tfa_off": "Inte inställd än",
    "staff.status": "Status",
    "staff.active": "Aktiv",
    "staff.disabled": "Avstängd",
    "staff.since": "Sedan",
    "staff.you": "(du)",
    "staff.none": "Ingen personal ännu.",
    "staff.change_groups": "Ändra grupper",
    "staff.change_groups_for": "Ändra grupperna för {name}",
    "staff.groups_saved": "Grupperna för {name} är sparade.",
    "staff.disable": "Stäng av",
    "staff.disable_for": "Stäng av {name}",
    "staff.disable_q": "Stänga av {name}? Personen loggas ut och kan inte logga in förrän den aktiveras igen.",
    "staff.disable_yes": "Ja, stäng av",
    "staff.disabled_done": "{name} är avstängd.",
    "staff.enable": "Aktivera",
    "staff.enable_for": "Aktivera {name}",
    "staff.enable_q": "Aktivera {name}? Personen kan logga in igen.",
    "staff.enable_yes": "Ja, aktivera",
    "staff.enabled_done": "{name} är aktiverad.",
    "staff.new": "Ny person i personalen",
    "staff.f.name": "Namn",
    "staff.f.email": "E-postadress",
    "staff.f.groups": "Behörighetsgrupper",
    "staff.f.no_groups": "Det finns inga behörighetsgrupper ännu: skapa en under Behörighetsgrupper först.",
    "staff.create": "Skapa personen",
    "staff.created_title": "{name} kan logga in",
    "staff.created_note": "Ge personen det här första lösenordet på ett säkert sätt: det visas bara nu. Tvåstegsverifiering ställs in vid första inloggningen, på {address}.",
    "staff.copy_password": "Kopiera lösenordet",
  },
});

/** Checkboxes of the groups, those in `chosen` (ids) checked; ids are unique per form by `prefix`. */
export function groupChecks(groups, chosen, prefix) {
  if (!groups.length) return h("p", { class: "warning" }, t("staff.f.no_groups"));
  return h(
    "fieldset",
    { class: "checks" },
    h("legend", {}, t("staff.f.groups")),
    groups.map((g) => {
      const id = `${prefix}-${g.id}`;
      return h("div", { class: "check" }, h("input", { type: "checkbox", id, name: "group", value: g.id, checked: chosen.includes(g.id) }), h("label", { for: id }, g.name));
    }),
  );
}

const checked = (element) => [...element.querySelectorAll('input[name="group"]:checked')].map((i) => i.value);

export default {
  title: "staff.title",
  async render(main, _params, ctx) {
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "staff-list" });
    const created = h("div");
    let groups = [];

    const show = async () => {
      const [staffAnswer, groupAnswer] = await Promise.all([call("GET", "/v1/admin/staff"), call("GET", "/v1/admin/staff-groups")]);
      groups = groupAnswer.groups;
      const people = staffAnswer.staff;
      fill(
        list,
        table(
          [
            [t("staff.name"), (s) => [s.name, s.user_id === ctx.me.user_id ? ` ${t("staff.you")}` : ""]],
            [t("staff.email"), (s) => s.email],
            [t("staff.groups"), (s) => (s.groups.length ? s.groups.map((g) => g.name).join(", ") : h("span", { class: "muted" }, t("staff.no_groups")))],
            [t("staff.two_factor"), (s) => (s.two_factor_enabled ? h("span", { class: "badge ok" }, t("staff.tfa_on")) : h("span", { class: "badge" }, t("staff.tfa_off")))],
            [t("staff.status"), (s) => (s.disabled ? h("span", { class: "badge bad" }, t("staff.disabled")) : h("span", { class: "badge ok" }, t("staff.active")))],
            [t("staff.since"), (s) => dateTime(s.created_at)],
            [
              t("common.actions"),
              (s) => {
                const editor = h(
                  "details",
                  { class: "inline-edit" },
                  h("summary", { "aria-label": t("staff.change_groups_for", { name: s.name }) }, t("staff.change_groups")),
                  form([groupChecks(groups, s.groups.map((g) => g.id), `sg-${s.user_id}`)], async (_values, element) => {
                    await call("PATCH", `/v1/admin/staff/${encodeURIComponent(s.user_id)}`, { groups: checked(element) });
                    await show();
                    fill(status, notice(t("staff.groups_saved", { name: s.name })));
                  }),
                );
                const toggle = h("div", { class: "inline" });
                if (s.user_id !== ctx.me.user_id) {
                  const disable = !s.disabled;
                  askFirst(toggle, {
                    label: t(disable ? "staff.disable" : "staff.enable"),
                    ariaLabel: t(disable ? "staff.disable_for" : "staff.enable_for", { name: s.name }),
                    question: t(disable ? "staff.disable_q" : "staff.enable_q", { name: s.name }),
                    yes: t(disable ? "staff.disable_yes" : "staff.enable_yes"),
                    status,
                    action: async () => {
                      await call("PATCH", `/v1/admin/staff/${encodeURIComponent(s.user_id)}`, { disabled: disable });
                      await show();
                      fill(status, notice(t(disable ? "staff.disabled_done" : "staff.enabled_done", { name: s.name })));
                    },
                  });
                }
                return h("div", { class: "row-actions" }, editor, toggle);
              },
            ],
          ],
          people,
          { empty: t("staff.none"), caption: t("staff.title"), cards: true },
        ),
      );
      fill(newBox, newForm());
    };

    const newBox = h("div");
    const newForm = () =>
      form(
        [
          field(t("staff.f.name"), "name", { id: "f-staff-name", required: true, maxlength: "100", autocomplete: "off" }),
          field(t("staff.f.email"), "email", { id: "f-staff-email", type: "email", required: true, autocomplete: "off" }),
          groupChecks(groups, [], "new-staff"),
        ],
        async (values, element) => {
          const made = await call("POST", "/v1/admin/staff", { name: values.name.trim(), email: values.email.trim(), groups: checked(element) });
          element.reset();
          fill(
            created,
            h(
              "section",
              { class: "panel secret-shown", "aria-labelledby": "staff-made-h" },
              h("h2", { id: "staff-made-h", tabindex: "-1" }, t("staff.created_title", { name: made.name })),
              made.initial_password
                ? [
                    notice(t("staff.created_note", { address: `${location.origin}/console` })),
                    h("p", {}, h("code", { class: "secret", "data-testid": "initial-password" }, made.initial_password)),
                    copyButton(made.initial_password, t("staff.copy_password")),
                  ]
                : null,
            ),
          );
          created.querySelector("h2").focus();
          await show();
        },
        { submit: t("staff.create") },
      );

    fill(main, h("h1", {}, t("staff.title")), h("p", { class: "hint" }, t("staff.help")), created, status, list, section("staff-new", t("staff.new"), newBox));
    await show();
  },
};
