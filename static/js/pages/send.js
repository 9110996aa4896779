// Send SMS (seed 000, 002): a sender, recipients (numbers, one per line or separated by
// commas, and/or contact groups), the text with a live preview of encoding, characters,
// segments and price from POST /v1/billing/quote, and an optional time to send it at
// (in the account's time zone unless another is chosen). The answer shows each
// recipient's status and price; refused ones (e.g. opted out) say why.

import { api } from "../api.js";
import { allowed } from "../app.js";
import { dateTime, t, timeZones, words } from "../i18n.js";
import { errorBox, field, fill, form, h, table } from "../ui.js";
import { messageStatus, moneyOf, statusBadge } from "../status.js";
import { refusalText } from "../blocks.js";
import { memberNames } from "../people.js";

words({
  en: {
    "send.title": "Send SMS",
    "send.from": "From (sender name or number)",
    "send.from_help": "1–11 letters and digits, or a phone number.",
    "send.to": "To (numbers, one per line or separated by commas)",
    "send.groups": "Contact groups",
    "send.no_groups": "No contact groups yet.",
    "send.text": "Message",
    "send.schedule": "Send later",
    "send.send_at": "Send at (date and time)",
    "send.time_zone": "Time zone",
    "send.account_zone": "The account's time zone ({zone})",
    "send.account_zone_unknown": "The account's time zone",
    "send.submit": "Send",
    "send.preview": "Preview",
    "send.preview_empty": "Write a message and add a recipient to see the price.",
    "send.preview_needs_recipient": "Add a recipient to see encoding, segments and price.",
    "send.characters": "Characters",
    "send.encoding": "Encoding",
    "send.segments": "Segments per message",
    "send.recipients": "Recipients",
    "send.total_segments": "Segments in all",
    "send.price": "Price",
    "send.refused_in_preview": "{count} recipient(s) will be left out: {why}",
    "send.no_recipients": "Add at least one number or group.",
    "send.result": "Sent",
    "send.result_scheduled": "Scheduled for {at}",
    "send.result_summary": "{count} message(s), {price} in all. Balance now {balance}.",
    "send.sandbox": "Sent through the sandbox carrier: nothing leaves the platform.",
    "send.duplicates": "{count} duplicate number(s) removed.",
    "send.col.to": "To",
    "send.col.status": "Status",
    "send.col.price": "Price",
    "send.col.message": "Message",
    "send.col.reason": "Why",
    "send.open": "Open",
    "send.all_messages": "See these messages in the message log",
  },
  sv: {
    "send.title": "Skicka SMS",
    "send.from": "Från (avsändarnamn eller nummer)",
    "send.from_help": "1–11 bokstäver och siffror, eller ett telefonnummer.",
    "send.to": "Till (nummer, ett per rad eller åtskilda med kommatecken)",
    "send.groups": "Kontaktgrupper",
    "send.no_groups": "Inga kontaktgrupper ännu.",
    "send.text": "Meddelande",
    "send.schedule": "Skicka senare",
    "send.send_at": "Skicka (datum och tid)",
    "send.time_zone": "Tidszon",
    "send.account_zone": "Kontots tidszon ({zone})",
    "send.account_zone_unknown": "Kontots tidszon",
    "send.submit": "Skicka",
    "send.preview": "Förhandsvisning",
    "send.preview_empty": "Skriv ett meddelande och lägg till en mottagare för att se priset.",
    "send.preview_needs_recipient": "Lägg till en mottagare för att se teckenkodning, delar och pris.",
    "send.characters": "Tecken",
    "send.encoding": "Teckenkodning",
    "send.segments": "Delar per meddelande",
    "send.recipients": "Mottagare",
    "send.total_segments": "Delar totalt",
    "send.price": "Pris",
    "send.refused_in_preview": "{count} mottagare kommer att utelämnas: {why}",
    "send.no_recipients": "Lägg till minst ett nummer eller en grupp.",
    "send.result": "Skickat",
    "send.result_scheduled": "Schemalagt till {at}",
    "send.result_summary": "{count} meddelande(n), totalt {price}. Saldo nu {balance}.",
    "send.sandbox": "Skickat via testoperatören: inget lämnar plattformen.",
    "send.duplicates": "{count} dubblettnummer togs bort.",
    "send.col.to": "Till",
    "send.col.status": "Status",
    "send.col.price": "Pris",
    "send.col.message": "Meddelande",
    "send.col.reason": "Varför",
    "send.open": "Öppna",
    "send.all_messages": "Se meddelandena i meddelandeloggen",
  },
});

/** Numbers typed one per line or separated by commas or semicolons. */
export function parseNumbers(text) {
  return (text || "")
    .split(/[\n,;]+/)
    .map((n) => n.trim())
    .filter(Boolean);
}

function recipients(formEl) {
  const numbers = parseNumbers(formEl.elements.to.value);
  const groups = [...formEl.querySelectorAll("input[name=group]:checked")].map((c) => c.value);
  return [...numbers, ...groups];
}

function resultView(outcome, names) {
  const sent = outcome.messages.filter((m) => m.id);
  return h(
    "section",
    { class: "result", "aria-labelledby": "send-result" },
    h("h2", { id: "send-result", tabindex: "-1" }, outcome.send_at ? t("send.result_scheduled", { at: dateTime(outcome.send_at) }) : t("send.result")),
    h("p", {}, t("send.result_summary", { count: sent.length, price: moneyOf(outcome.total_price), balance: moneyOf(outcome.balance) })),
    outcome.sandbox ? h("p", { class: "muted" }, t("send.sandbox")) : null,
    outcome.duplicates_removed ? h("p", {}, t("send.duplicates", { count: outcome.duplicates_removed })) : null,
    table(
      [
        [t("send.col.to"), (m) => m.to],
        [t("send.col.status"), (m) => (m.id ? messageStatus({ ...m, send_at: outcome.send_at, final: false }) : statusBadge(m.status))],
        [t("send.col.reason"), (m) => refusalText(m.status_detail, names)],
        [t("send.col.price"), (m) => moneyOf(m.price)],
        [t("send.col.message"), (m) => (m.id ? h("a", { href: `/messages/${m.id}`, "data-link": true, "aria-label": `${t("send.open")} ${m.to}` }, m.id) : "—")],
      ],
      outcome.messages,
    ),
    sent.length ? h("p", {}, h("a", { href: `/messages?batch=${encodeURIComponent(outcome.batch_id)}`, "data-link": true }, t("send.all_messages"))) : null,
  );
}

export default {
  title: "send.title",
  async render(main, _params, ctx) {
    const [groups, settings] = await Promise.all([
      allowed("manager") ? api("GET", "/v1/groups?limit=200").catch((e) => e) : Promise.resolve({ groups: [] }),
      allowed("admin") ? api("GET", "/v1/account/settings").catch(() => null) : Promise.resolve(null),
    ]);
    const accountZone = settings?.time_zone || null;
    // The last sender used on this account (this browser's memory, not the server's).
    const senderKey = `smsedge.sender.${ctx.account?.id || ""}`;

    // Refusals name the person who blocked a number: the members' names, read once needed.
    let knownNames = null;
    const namesIn = async (texts) => {
      if (knownNames) return knownNames;
      const names = await memberNames(texts);
      if (names.size) knownNames = names;
      return names;
    };
    /** An error whose details are refusals (every recipient blocked), said in words. */
    const explained = async (error) => {
      const details = error.details || [];
      const names = await namesIn(details.map((d) => d.message));
      error.details = details.map((d) => ({ ...d, message: refusalText(d.message, names) }));
      return error;
    };

    const preview = h("div", { class: "preview", id: "send-preview", "aria-live": "polite" }, h("p", { class: "muted" }, t("send.preview_empty")));
    const result = h("div", { id: "send-outcome" });

    const groupBox =
      groups instanceof Error
        ? errorBox(groups)
        : groups.groups.length
          ? h(
              "fieldset",
              { class: "checks" },
              h("legend", {}, t("send.groups")),
              groups.groups.map((g) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "group", value: g.id }), ` ${g.name} (${g.members})`)),
            )
          : allowed("manager")
            ? h("p", { class: "muted" }, t("send.groups"), ": ", t("send.no_groups"))
            : null;

    const when = h(
      "div",
      { class: "schedule hidden", id: "schedule-fields" },
      field(t("send.send_at"), "send_at", { type: "datetime-local" }),
      field(t("send.time_zone"), "time_zone", {
        type: "select",
        value: "",
        options: [["", accountZone ? t("send.account_zone", { zone: accountZone }) : t("send.account_zone_unknown")], ...timeZones().map((z) => [z, z])],
      }),
    );
    const scheduleToggle = h(
      "label",
      { class: "check" },
      h("input", {
        type: "checkbox",
        name: "schedule",
        id: "f-schedule",
        onchange: (e) => when.classList.toggle("hidden", !e.target.checked),
      }),
      ` ${t("send.schedule")}`,
    );

    const theForm = form(
      [
        field(t("send.from"), "from", { required: true, maxlength: 15, autocomplete: "off", "aria-describedby": "from-help", value: localStorage.getItem(senderKey) || "" }),
        h("p", { id: "from-help", class: "help" }, t("send.from_help")),
        field(t("send.to"), "to", { type: "textarea", rows: 3, autocomplete: "off" }),
        groupBox,
        field(t("send.text"), "text", { type: "textarea", rows: 5, required: true }),
        preview,
        scheduleToggle,
        when,
      ],
      async (values, formEl) => {
        const to = recipients(formEl);
        if (!to.length) throw { name: "NoRecipients", message: t("send.no_recipients") };
        const body = { from: values.from.trim(), to: to.length === 1 ? to[0] : to, text: values.text };
        if (values.schedule && values.send_at) {
          body.send_at = values.send_at;
          if (values.time_zone) body.time_zone = values.time_zone;
        }
        let outcome;
        try {
          outcome = await api("POST", "/v1/messages", body);
        } catch (error) {
          // Said once, under the button: the preview no longer repeats it.
          fill(preview, h("p", { class: "muted" }, t("send.preview_empty")));
          throw await explained(error);
        }
        // The sender is remembered for this account; the rest is cleared, so a second
        // click cannot send the same message again.
        localStorage.setItem(senderKey, body.from);
        formEl.elements.to.value = "";
        formEl.elements.text.value = "";
        formEl.querySelectorAll("input[name=group]:checked").forEach((c) => (c.checked = false));
        formEl.elements.schedule.checked = false;
        when.classList.add("hidden");
        fill(preview, h("p", { class: "muted" }, t("send.preview_empty")));
        fill(result, resultView(outcome, await namesIn(outcome.messages.map((m) => m.status_detail))));
        result.querySelector("h2")?.focus();
        return null;
      },
      { submit: t("send.submit") },
    );

    // The live preview: asks the quote endpoint 400 ms after the last change; only the
    // answer to the latest question is shown.
    let timer = null;
    let asked = 0;
    const update = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const text = theForm.elements.text.value;
        const to = recipients(theForm);
        const question = ++asked;
        if (!text) return fill(preview, h("p", { class: "muted" }, t("send.preview_empty")));
        const characters = [...text].length;
        if (!to.length) {
          return fill(
            preview,
            h("dl", { class: "facts" }, h("dt", {}, t("send.characters")), h("dd", { "data-testid": "preview-characters" }, characters)),
            h("p", { class: "muted" }, t("send.preview_needs_recipient")),
          );
        }
        const body = { to, text };
        if (theForm.elements.from.value.trim()) body.from = theForm.elements.from.value.trim();
        let quote;
        try {
          quote = await api("POST", "/v1/billing/quote", body);
        } catch (error) {
          await explained(error);
          if (question === asked) fill(preview, h("dl", { class: "facts" }, h("dt", {}, t("send.characters")), h("dd", {}, characters)), errorBox(error));
          return;
        }
        const names = await namesIn(quote.messages.map((m) => m.status_detail));
        if (question !== asked) return;
        const first = quote.messages[0] || {};
        const refused = quote.messages.filter((m) => m.rejected);
        const sent = quote.messages.length - refused.length;
        fill(
          preview,
          h("h2", { class: "small" }, t("send.preview")),
          h(
            "dl",
            { class: "facts" },
            h("dt", {}, t("send.characters")),
            h("dd", { "data-testid": "preview-characters" }, characters),
            h("dt", {}, t("send.encoding")),
            h("dd", { "data-testid": "preview-encoding" }, first.encoding || "—"),
            h("dt", {}, t("send.segments")),
            h("dd", { "data-testid": "preview-segments" }, first.segments ?? "—"),
            h("dt", {}, t("send.recipients")),
            h("dd", { "data-testid": "preview-recipients" }, sent),
            h("dt", {}, t("send.total_segments")),
            h("dd", {}, quote.segments),
            h("dt", {}, t("send.price")),
            h("dd", { "data-testid": "preview-price" }, moneyOf(quote.total_price)),
          ),
          refused.length ? h("p", { class: "warning" }, t("send.refused_in_preview", { count: refused.length, why: refused.map((m) => `${m.to}: ${refusalText(m.status_detail, names)}`).join("; ") })) : null,
        );
      }, 400);
    };
    theForm.addEventListener("input", update);
    theForm.addEventListener("change", update);

    fill(main, h("h1", {}, t("send.title")), theForm, result);
  },
};
