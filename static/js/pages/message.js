// One message (/messages/:id): its details and the timeline of its statuses. While the
// status is not final the page asks again every 2 seconds, so one can watch it reach
// Delivered; a message that has not left yet (e.g. scheduled) can be canceled.

import { api } from "../api.js";
import { dateTime, t, words } from "../i18n.js";
import { actionButton, errorBox, fill, h } from "../ui.js";
import { messagePrice, messageStatus, statusBadge, statusText } from "../status.js";
import { refusalText } from "../blocks.js";
import { memberNames } from "../people.js";

words({
  en: {
    "message.title": "Message",
    "message.heading": "SMS to {to}",
    "message.id": "Message ID",
    "message.source.api": "your request",
    "message.source.billing": "your balance",
    "message.source.sandbox": "the test carrier",
    "message.source.router": "routing",
    "message.source.submit-unknown": "the carrier's answer did not arrive",
    "message.source.system": "the platform",
    "message.source.carrier": "carrier {name}",
    "message.back": "All messages",
    "message.status": "Status",
    "message.from": "From",
    "message.to": "To",
    "message.country": "Country",
    "message.text": "Text",
    "message.encoding": "Encoding",
    "message.segments": "Segments",
    "message.price": "Price",
    "message.carrier": "Carrier",
    "message.sandbox_carrier": "Test carrier (nothing leaves the platform)",
    "message.carrier_id": "Carrier's message id",
    "message.reference": "Your reference",
    "message.batch": "Send request",
    "message.created": "Created",
    "message.history": "Status history",
    "message.watching": "The status updates by itself until it is final.",
    "message.final": "This status is final.",
    "message.cancel": "Cancel this message",
    "message.canceled": "The message was canceled and its price refunded.",
  },
  sv: {
    "message.title": "Meddelande",
    "message.heading": "SMS till {to}",
    "message.id": "Meddelande-id",
    "message.source.api": "din begäran",
    "message.source.billing": "ditt saldo",
    "message.source.sandbox": "testoperatören",
    "message.source.router": "routning",
    "message.source.submit-unknown": "operatörens svar kom inte fram",
    "message.source.system": "plattformen",
    "message.source.carrier": "operatören {name}",
    "message.back": "Alla meddelanden",
    "message.status": "Status",
    "message.from": "Från",
    "message.to": "Till",
    "message.country": "Land",
    "message.text": "Text",
    "message.encoding": "Teckenkodning",
    "message.segments": "Delar",
    "message.price": "Pris",
    "message.carrier": "Operatör",
    "message.sandbox_carrier": "Testoperatör (inget lämnar plattformen)",
    "message.carrier_id": "Operatörens meddelande-id",
    "message.reference": "Er referens",
    "message.batch": "Sändning",
    "message.created": "Skapat",
    "message.history": "Statushistorik",
    "message.watching": "Statusen uppdateras av sig själv tills den är slutgiltig.",
    "message.final": "Statusen är slutgiltig.",
    "message.cancel": "Avbryt meddelandet",
    "message.canceled": "Meddelandet avbröts och priset återbetalades.",
  },
});

/** Who moved a message to a status, in words (the API's `source`: api, billing, router, or a carrier connection's name). */
function sourceText(source) {
  const key = `message.source.${source}`;
  return t(key) !== key ? t(key) : t("message.source.carrier", { name: source });
}

function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

function view(m, cancelButton, names) {
  return [
    h("p", { class: "status-line" }, `${t("message.status")}: `, h("span", { id: "message-status", "data-code": String(m.status.code) }, messageStatus(m)), " ", h("span", { class: "muted" }, m.final ? t("message.final") : t("message.watching"))),
    facts([
      [t("message.from"), m.from],
      [t("message.to"), m.to],
      [t("message.country"), m.country],
      [t("message.text"), h("span", { class: "pre" }, m.text)],
      [t("message.encoding"), m.encoding],
      [t("message.segments"), m.segments],
      [t("message.price"), messagePrice(m)],
      [t("message.carrier"), m.sandbox ? t("message.sandbox_carrier") : m.carrier],
      [t("message.id"), h("code", { class: "id" }, m.id)],
      [t("message.carrier_id"), m.carrier_message_id],
      [t("message.reference"), m.client_reference],
      [t("message.batch"), h("a", { href: `/messages?batch=${encodeURIComponent(m.batch_id)}`, "data-link": true }, m.batch_id)],
      [t("message.created"), dateTime(m.created_at)],
    ]),
    h("h2", {}, t("message.history")),
    h(
      "ol",
      { class: "timeline", id: "message-history" },
      m.history.map((e) =>
        h(
          "li",
          {},
          h("time", { datetime: e.at }, dateTime(e.at)),
          " ",
          statusBadge({ code: e.status, name: e.name }),
          h("span", { class: "muted" }, ` · ${sourceText(e.source)}`),
          e.detail ? h("div", { class: "detail" }, refusalText(e.detail, names)) : null,
        ),
      ),
    ),
    !m.final ? h("div", { class: "actions" }, cancelButton) : null,
  ];
}

export default {
  title: "message.title",
  async render(main, params) {
    const body = h("div", { id: "message" });
    const status = h("div", { class: "form-status" });
    const heading = h("h1", {}, t("message.title"));
    fill(main, h("p", {}, h("a", { href: "/messages", "data-link": true }, t("message.back"))), heading, status, body);

    let timer = null;
    const cancelButton = () =>
      actionButton(
        t("message.cancel"),
        async () => {
          try {
            await api("DELETE", `/v1/messages/${encodeURIComponent(params.id)}`);
          } finally {
            await refresh();
          }
          return t("message.canceled");
        },
        { status, className: "danger" },
      );
    const refresh = async () => {
      clearTimeout(timer);
      if (!main.isConnected) return;
      try {
        const m = await api("GET", `/v1/messages/${encodeURIComponent(params.id)}`);
        if (!main.isConnected) return;
        const names = await memberNames(m.history.map((e) => e.detail));
        if (!main.isConnected) return;
        fill(heading, t("message.heading", { to: m.to }));
        fill(body, view(m, cancelButton(), names));
        document.title = `${t("message.title")} · ${statusText(m.status)}`;
        if (!m.final) timer = setTimeout(refresh, 2000);
      } catch (error) {
        fill(body, errorBox(error));
      }
    };
    await refresh();
  },
};
