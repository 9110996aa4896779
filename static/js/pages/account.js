// Account overview (seed 000): the account's name/note, type and balance (name and type
// editable by its admins), who has access at which level, and — for admins — inviting
// someone by e-mail (they have access once they accept; until then the row shows only
// the address), changing a member's level and revoking access or an invitation.

import { api, setCurrentAccount } from "../api.js";
import { dateTime, money, t, words } from "../i18n.js";
import { actionButton, askFirst, errorBox, field, fill, form, h } from "../ui.js";
import { hint, kindName, levelName, levelOptions } from "../people.js";

words({
  en: {
    "account.title": "Account overview",
    "account.id": "Account ID",
    "account.name": "Name/Note",
    "account.type": "Type",
    "account.balance": "Balance",
    "account.credit_limit": "Credit limit",
    "account.status": "Status",
    "account.blocked": "Blocked",
    "account.active": "Active",
    "account.your_level": "Your access level",
    "account.default": "Default account",
    "account.created": "Created",
    "account.make_default": "Make default",
    "account.use": "Work in this account",
    "account.current": "You are working in this account.",
    "account.edit": "Edit name/note and type",
    "account.members": "Users with access",
    "account.member_name": "Name",
    "account.member_email": "E-mail",
    "account.member_level": "Access level",
    "account.member_status": "Status",
    "account.member_actions": "Actions",
    "account.pending": "Invitation pending",
    "account.since": "Since {date}",
    "account.level_for": "Access level for {name}",
    "account.change_level": "Change level",
    "account.change_level_for": "Change level: {name}",
    "account.level_changed": "{name} now has the access level {level}.",
    "account.revoke": "Revoke access",
    "account.revoke_for": "Revoke access: {name}",
    "account.revoke_confirm": "Take away {name}'s access to this account?",
    "account.revoke_yes": "Yes, revoke access",
    "account.revoked": "{name} no longer has access.",
    "account.give": "Give a user access",
    "account.add_user": "Add a new user",
    "account.give_account": "Account",
    "account.give_email": "E-mail address",
    "account.give_level": "Access level",
    "account.give_first": "First name",
    "account.give_last": "Last name",
    "account.give_name_hint": "For someone who has no user yet (else they give their name when they accept); someone who has a user keeps their own. Either way they get an e-mail and have access once they accept.",
    "account.give_language": "Language of the invitation (for someone new)",
    "account.give_submit": "Give access",
    "account.given": "{email} is invited and got an e-mail; they have access once they accept.",
    "account.not_yet": "(not accepted yet)",
  },
  sv: {
    "account.title": "Kontoöversikt",
    "account.id": "Konto-id",
    "account.name": "Namn/Anteckning",
    "account.type": "Typ",
    "account.balance": "Saldo",
    "account.credit_limit": "Kreditgräns",
    "account.status": "Status",
    "account.blocked": "Spärrat",
    "account.active": "Aktivt",
    "account.your_level": "Din behörighet",
    "account.default": "Standardkonto",
    "account.created": "Skapat",
    "account.make_default": "Gör till standard",
    "account.use": "Arbeta i det här kontot",
    "account.current": "Du arbetar i det här kontot.",
    "account.edit": "Ändra namn/anteckning och typ",
    "account.members": "Användare med åtkomst",
    "account.member_name": "Namn",
    "account.member_email": "E-post",
    "account.member_level": "Behörighet",
    "account.member_status": "Status",
    "account.member_actions": "Åtgärder",
    "account.pending": "Inbjudan väntar",
    "account.since": "Sedan {date}",
    "account.level_for": "Behörighet för {name}",
    "account.change_level": "Ändra behörighet",
    "account.change_level_for": "Ändra behörighet: {name}",
    "account.level_changed": "{name} har nu behörigheten {level}.",
    "account.revoke": "Ta bort åtkomst",
    "account.revoke_for": "Ta bort åtkomst: {name}",
    "account.revoke_confirm": "Ta bort {name}s åtkomst till kontot?",
    "account.revoke_yes": "Ja, ta bort åtkomsten",
    "account.revoked": "{name} har inte längre åtkomst.",
    "account.give": "Ge en användare åtkomst",
    "account.add_user": "Lägg till en ny användare",
    "account.give_account": "Konto",
    "account.give_email": "E-postadress",
    "account.give_level": "Behörighet",
    "account.give_first": "Förnamn",
    "account.give_last": "Efternamn",
    "account.give_name_hint": "För någon som inte har en användare ännu (annars anger de sitt namn när de tackar ja); den som har en användare behåller sitt. De får ett mejl och har åtkomst när de tackat ja.",
    "account.give_language": "Inbjudans språk (för någon ny)",
    "account.give_submit": "Ge åtkomst",
    "account.given": "{email} är inbjuden och har fått ett mejl; åtkomsten börjar när inbjudan accepteras.",
    "account.not_yet": "(inte accepterad än)",
  },
});

/**
 * Seed 000 "Give a user access" / seed 001 "Add a new user": an invitation by e-mail with
 * a level, to one of `accounts` (a choice when there are several). `given()` runs after.
 */
export function giveAccessPanel(accounts, given) {
  const choice =
    accounts.length > 1
      ? field(t("account.give_account"), "account", { type: "select", value: accounts[0].id, options: accounts.map((a) => [a.id, a.name]) })
      : null;
  return h(
    "section",
    { class: "panel", id: "give-access", "aria-labelledby": "give-h" },
    h("h2", { id: "give-h" }, t(accounts.length > 1 ? "account.add_user" : "account.give")),
    hint(t("level.help")),
    form(
      [
        choice,
        field(t("account.give_email"), "email", { type: "email", autocomplete: "off", required: true }),
        field(t("account.give_level"), "level", { type: "select", value: "user", options: levelOptions() }),
        field(t("account.give_first"), "first_name", { autocomplete: "off", "aria-describedby": "give-name-hint" }),
        field(t("account.give_last"), "last_name", { autocomplete: "off", "aria-describedby": "give-name-hint" }),
        hint(t("account.give_name_hint"), "give-name-hint"),
        field(t("account.give_language"), "language", { type: "select", value: document.documentElement.lang === "en" ? "en" : "sv", options: [["sv", "Svenska"], ["en", "English"]] }),
      ],
      async (values, element) => {
        const id = values.account || accounts[0].id;
        const name = `${values.first_name.trim()} ${values.last_name.trim()}`.trim();
        const member = await api("POST", `/v1/accounts/${encodeURIComponent(id)}/members`, { email: values.email.trim(), level: values.level, name: name || null, language: values.language }, { account: false });
        element.reset();
        await given();
        return t("account.given", { email: member.email });
      },
      { submit: t("account.give_submit") },
    ),
  );
}

function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(Boolean).flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
  );
}

export default {
  title: "account.title",
  async render(main, params, ctx) {
    const id = params.id;
    const path = `/v1/accounts/${encodeURIComponent(id)}`;
    const summary = h("div");
    const membersStatus = h("div", { class: "members-status" });
    const members = h("div");
    const give = h("div");
    let account;

    const load = async () => {
      account = await api("GET", path, undefined, { account: false });
      document.title = `${account.name} · ${t("app.name")}`;
    };
    const afterChange = async (memberId) => {
      // A change of one's own level changes the menu too.
      if (memberId === ctx.me.id) return ctx.refresh();
      await load();
      renderSummary();
      renderMembers();
    };

    const renderSummary = () => {
      const admin = account.level === "admin";
      const isCurrent = ctx.account && ctx.account.id === account.id;
      const status = h("div");
      fill(
        summary,
        h("h1", {}, account.name),
        facts([
          [t("account.id"), h("code", {}, account.id)],
          [t("account.name"), account.name],
          [t("account.type"), kindName(account.kind)],
          [t("account.balance"), money(account.balance_minor, account.currency)],
          account.credit_limit_minor ? [t("account.credit_limit"), money(account.credit_limit_minor, account.currency)] : null,
          [t("account.status"), account.blocked ? h("span", { class: "badge bad" }, t("account.blocked")) : t("account.active")],
          [t("account.your_level"), levelName(account.level)],
          [t("account.created"), dateTime(account.created_at)],
          [
            t("account.default"),
            account.is_default
              ? h("span", { class: "badge ok" }, t("people.yes"))
              : actionButton(
                  t("account.make_default"),
                  async () => {
                    await api("PUT", "/v1/me/default-account", { account_id: account.id }, { account: false });
                    await afterChange();
                  },
                  { status, className: "secondary small" },
                ),
          ],
        ]),
        status,
        isCurrent
          ? h("p", {}, t("account.current"))
          : h(
              "p",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  onclick: () => {
                    setCurrentAccount(account.id);
                    ctx.refresh();
                  },
                },
                t("account.use"),
              ),
            ),
        admin
          ? h(
              "details",
              { class: "panel" },
              h("summary", {}, t("account.edit")),
              form(
                [
                  field(t("account.name"), "name", { value: account.name, required: true, maxlength: "100" }),
                  field(t("account.type"), "kind", { type: "select", value: account.kind, options: [["swedish", t("kind.swedish")], ["international", t("kind.international")]] }),
                ],
                async (values) => {
                  account = await api("PATCH", path, { name: values.name.trim(), kind: values.kind }, { account: false });
                  if (ctx.account && ctx.account.id === account.id) return ctx.refresh();
                  renderSummary();
                  renderMembers();
                  summary.querySelector("h1").focus?.();
                },
                { className: "narrow" },
              ),
            )
          : null,
      );
    };

    const renderMembers = () => {
      const admin = account.level === "admin";
      const row = (member) => {
        // An invitation not yet accepted has no name to show: the address stands for it.
        const who = member.name ?? member.email;
        const actions = h("td", { class: "row-actions" });
        const levelCell = admin
          ? h(
              "td",
              {},
              h(
                "div",
                { class: "inline" },
                h("label", { for: `level-${member.user_id}`, class: "visually-hidden" }, t("account.level_for", { name: who })),
                h("select", { id: `level-${member.user_id}` }, levelOptions().map(([value, text]) => h("option", { value, selected: value === member.level }, text))),
                actionButton(
                  t("account.change_level"),
                  async () => {
                    const level = document.getElementById(`level-${member.user_id}`).value;
                    const changed = await api("PATCH", `${path}/members/${encodeURIComponent(member.user_id)}`, { level }, { account: false });
                    await afterChange(member.user_id);
                    return t("account.level_changed", { name: changed.name ?? changed.email, level: levelName(changed.level) });
                  },
                  { status: membersStatus, className: "secondary small", ariaLabel: t("account.change_level_for", { name: who }) },
                ),
              ),
            )
          : h("td", {}, levelName(member.level));
        if (admin)
          askFirst(actions, {
            label: t("account.revoke"),
            ariaLabel: t("account.revoke_for", { name: who }),
            question: t("account.revoke_confirm", { name: who }),
            yes: t("account.revoke_yes"),
            status: membersStatus,
            action: async () => {
              await api("DELETE", `${path}/members/${encodeURIComponent(member.user_id)}`, undefined, { account: false });
              await afterChange(member.user_id);
              return t("account.revoked", { name: who });
            },
          });
        return h(
          "tr",
          { "data-user": member.user_id },
          h(
            "td",
            {},
            member.name === null
              ? h("span", { class: "muted" }, t("account.not_yet"))
              : admin
                ? h("a", { href: `/users/${encodeURIComponent(member.user_id)}`, "data-link": true }, member.name)
                : member.name,
          ),
          h("td", {}, member.email),
          levelCell,
          h("td", {}, member.pending ? h("span", { class: "badge" }, t("account.pending")) : t("account.since", { date: dateTime(member.since) })),
          admin ? actions : null,
        );
      };
      fill(
        members,
        h("h2", { id: "members-h" }, t("account.members")),
        membersStatus,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { "aria-labelledby": "members-h" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                [t("account.member_name"), t("account.member_email"), t("account.member_level"), t("account.member_status"), admin ? t("account.member_actions") : null]
                  .filter(Boolean)
                  .map((text) => h("th", { scope: "col" }, text)),
              ),
            ),
            h("tbody", {}, account.members.map(row)),
          ),
        ),
      );
    };

    const renderGive = () => {
      if (account.level !== "admin") return fill(give);
      fill(give, giveAccessPanel([account], afterChange));
    };

    try {
      await load();
    } catch (error) {
      return fill(main, h("h1", {}, t("account.title")), errorBox(error));
    }
    renderSummary();
    renderMembers();
    renderGive();
    fill(main, summary, members, give);
  },
};
