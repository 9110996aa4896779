// Client → Replacement rules (seed 004 "Sender replacement" and "Content replacement"):
// rules that change the sender or the text of the client's SMS to a destination, or refuse
// a text; adding one and removing one (asked first). Rules for every client are the
// default rules (not shown here).

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, checkbox, field, fill, form, h, notice, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { call, scopeText } from "../lib.js";

const KINDS = ["sender", "content", "banned"];

words({
  en: {
    "rules.title": "The client's replacement rules",
    "rules.help": "Each rule applies to the client's SMS to its destination. The name is what the client is told when a rule changes or refuses a message.",
    "rules.name": "Name",
    "rules.kind": "Kind",
    "rules.destination": "Destination",
    "rules.what": "What it does",
    "rules.changed": "Changed",
    "rules.none": "The client has no rules of its own.",
    "rules.kind.sender": "Sender replacement",
    "rules.kind.content": "Content replacement",
    "rules.kind.banned": "Refused text",
    "rules.does.sender": "Sender {from} becomes {to}",
    "rules.does.sender_any": "Every sender becomes {to}",
    "rules.does.sender_kind.numeric": "Every number as sender becomes {to}",
    "rules.does.sender_kind.alphanumeric": "Every name as sender becomes {to}",
    "rules.does.content": "“{pattern}” becomes “{to}”",
    "rules.does.banned": "Texts with “{pattern}” are refused",
    "rules.new": "Add a rule",
    "rules.from": "Sender to replace (empty: every sender)",
    "rules.pattern": "Text to find",
    "rules.replacement": "Put instead",
    "rules.case": "Upper and lower case must match",
    "rules.add": "Add the rule",
    "rules.added": "The rule “{name}” is added.",
    "rules.remove": "Remove",
    "rules.remove_for": "Remove the rule {name}",
    "rules.remove_q": "Remove the rule “{name}”?",
    "rules.remove_yes": "Yes, remove",
    "rules.removed": "The rule “{name}” is removed.",
  },
  sv: {
    "rules.title": "Kundens ersättningsregler",
    "rules.help": "Varje regel gäller kundens SMS till sin destination. Namnet är vad kunden får veta när en regel ändrar eller stoppar ett meddelande.",
    "rules.name": "Namn",
    "rules.kind": "Slag",
    "rules.destination": "Destination",
    "rules.what": "Vad den gör",
    "rules.changed": "Ändrad",
    "rules.none": "Kunden har inga egna regler.",
    "rules.kind.sender": "Avsändarersättning",
    "rules.kind.content": "Innehållsersättning",
    "rules.kind.banned": "Stoppad text",
    "rules.does.sender": "Avsändaren {from} blir {to}",
    "rules.does.sender_any": "Varje avsändare blir {to}",
    "rules.does.sender_kind.numeric": "Varje nummer som avsändare blir {to}",
    "rules.does.sender_kind.alphanumeric": "Varje namn som avsändare blir {to}",
    "rules.does.content": "”{pattern}” blir ”{to}”",
    "rules.does.banned": "Texter med ”{pattern}” stoppas",
    "rules.new": "Lägg till en regel",
    "rules.from": "Avsändare att ersätta (tomt: alla avsändare)",
    "rules.pattern": "Text att hitta",
    "rules.replacement": "Sätt in i stället",
    "rules.case": "Stora och små bokstäver måste stämma",
    "rules.add": "Lägg till regeln",
    "rules.added": "Regeln ”{name}” är tillagd.",
    "rules.remove": "Ta bort",
    "rules.remove_for": "Ta bort regeln {name}",
    "rules.remove_q": "Ta bort regeln ”{name}”?",
    "rules.remove_yes": "Ja, ta bort",
    "rules.removed": "Regeln ”{name}” är borttagen.",
  },
});

function does(rule) {
  if (rule.kind === "sender") {
    if (rule.from) return t("rules.does.sender", { from: rule.from, to: rule.replacement });
    if (rule.from_kind) return t(`rules.does.sender_kind.${rule.from_kind}`, { to: rule.replacement });
    return t("rules.does.sender_any", { to: rule.replacement });
  }
  if (rule.kind === "content") return t("rules.does.content", { pattern: rule.pattern, to: rule.replacement ?? "" });
  return t("rules.does.banned", { pattern: rule.pattern });
}

export default {
  async render(body, account) {
    const base = `/v1/admin/accounts/${encodeURIComponent(account.id)}/send-rules`;
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "rule-list" });
    const show = async () => {
      const { rules } = await call("GET", `${base}?limit=100`);
      fill(
        list,
        table(
          [
            [t("rules.name"), (r) => r.name],
            [t("rules.kind"), (r) => t(`rules.kind.${r.kind}`)],
            [t("rules.destination"), (r) => scopeText(r.scope)],
            [t("rules.what"), (r) => does(r)],
            [t("rules.changed"), (r) => dateTime(r.updated_at)],
            [
              t("common.actions"),
              (r) =>
                askFirst(h("div", { class: "inline" }), {
                  label: t("rules.remove"),
                  ariaLabel: t("rules.remove_for", { name: r.name }),
                  question: t("rules.remove_q", { name: r.name }),
                  yes: t("rules.remove_yes"),
                  status,
                  action: async () => {
                    await call("DELETE", `/v1/admin/send-rules/${r.id}`);
                    await show();
                    fill(status, notice(t("rules.removed", { name: r.name })));
                  },
                }),
            ],
          ],
          rules,
          { empty: t("rules.none"), caption: t("rules.title"), cards: true },
        ),
      );
    };
    const senderFields = h("div", { class: "rule-sender" }, field(t("rules.from"), "from", { autocomplete: "off" }));
    const patternFields = h("div", { class: "rule-pattern hidden" }, field(t("rules.pattern"), "pattern", { autocomplete: "off" }), checkbox(t("rules.case"), "case_sensitive", false));
    const replacement = h("div", { class: "rule-replacement" }, field(t("rules.replacement"), "replacement", { autocomplete: "off" }));
    const add = form(
      [
        field(t("rules.kind"), "kind", { type: "select", value: "sender", options: KINDS.map((k) => [k, t(`rules.kind.${k}`)]) }),
        field(t("rules.name"), "name", { required: true, maxlength: "100", autocomplete: "off" }),
        field(t("lib.scope_field"), "scope", { required: true, value: "*", autocomplete: "off", "aria-describedby": "rule-scope-hint" }),
        hint(t("lib.scope_hint"), "rule-scope-hint"),
        senderFields,
        patternFields,
        replacement,
      ],
      async (values, element) => {
        const rule = { kind: values.kind, name: values.name.trim(), scope: values.scope.trim() };
        if (values.kind === "sender") {
          if (values.from?.trim()) rule.from = values.from.trim();
          rule.replacement = values.replacement.trim();
        } else {
          rule.pattern = values.pattern;
          rule.case_sensitive = values.case_sensitive === "on";
          if (values.kind === "content") rule.replacement = values.replacement;
        }
        await call("POST", base, rule);
        element.reset();
        update();
        await show();
        return t("rules.added", { name: rule.name });
      },
      { submit: t("rules.add") },
    );
    const kind = add.querySelector("select[name=kind]");
    const update = () => {
      senderFields.classList.toggle("hidden", kind.value !== "sender");
      patternFields.classList.toggle("hidden", kind.value === "sender");
      replacement.classList.toggle("hidden", kind.value === "banned");
    };
    kind.addEventListener("change", update);
    update();
    fill(body, section("rules", t("rules.title"), h("p", { class: "hint" }, t("rules.help")), status, list), section("rule-new", t("rules.new"), add));
    await show();
  },
};
