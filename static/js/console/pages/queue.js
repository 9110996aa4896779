// Delivery queue: how many messages wait to be sent, are scheduled for later, are being
// handed to a carrier, were left by a delivery that stopped, or wait for a carrier's
// unclear answer to be settled — and how long the oldest has waited.

import { t, words } from "../../i18n.js";
import { actionButton, fill, h } from "../../ui.js";
import { call } from "../lib.js";

words({
  en: {
    "queue.title": "Delivery queue",
    "queue.help": "Messages on their way to the carriers, right now.",
    "queue.waiting": "Waiting to be sent",
    "queue.scheduled": "Scheduled for later",
    "queue.submitting": "Being handed to a carrier",
    "queue.lease_expired": "Left by a stopped delivery (sent again)",
    "queue.outcome_unknown": "Carrier's answer unclear (sent again with the same reference)",
    "queue.oldest_waiting": "Oldest waiting for {time}",
    "queue.oldest_unknown": "Oldest unclear for {time}",
    "queue.updated": "Read at {time}.",
    "queue.seconds": "{n} s",
    "queue.minutes": "{n} min",
    "queue.hours": "{n} h",
  },
  sv: {
    "queue.title": "Leveranskö",
    "queue.help": "Meddelanden på väg till operatörerna, just nu.",
    "queue.waiting": "Väntar på att skickas",
    "queue.scheduled": "Schemalagda till senare",
    "queue.submitting": "Lämnas just nu till en operatör",
    "queue.lease_expired": "Lämnade av en leverans som stannade (skickas igen)",
    "queue.outcome_unknown": "Oklart svar från operatören (skickas igen med samma referens)",
    "queue.oldest_waiting": "Den äldsta har väntat {time}",
    "queue.oldest_unknown": "Den äldsta oklara sedan {time}",
    "queue.updated": "Läst {time}.",
    "queue.seconds": "{n} s",
    "queue.minutes": "{n} min",
    "queue.hours": "{n} tim",
  },
});

function duration(seconds) {
  if (seconds < 120) return t("queue.seconds", { n: Math.round(seconds) });
  if (seconds < 7200) return t("queue.minutes", { n: Math.round(seconds / 60) });
  return t("queue.hours", { n: Math.round(seconds / 3600) });
}

export default {
  title: "queue.title",
  async render(main) {
    const box = h("div", { id: "queue-state", "aria-live": "polite" });
    const status = h("div");
    const show = async () => {
      const q = await call("GET", "/v1/admin/queue");
      const figure = (key, value, extra) => h("div", { class: "figure", "data-figure": key }, h("span", {}, t(`queue.${key}`)), h("strong", {}, String(value)), extra ? h("span", { class: "hint" }, extra) : null);
      fill(
        box,
        h(
          "div",
          { class: "figures" },
          figure("waiting", q.waiting, q.oldest_waiting_seconds !== null ? t("queue.oldest_waiting", { time: duration(q.oldest_waiting_seconds) }) : null),
          figure("scheduled", q.scheduled),
          figure("submitting", q.submitting),
          figure("lease_expired", q.lease_expired),
          figure("outcome_unknown", q.outcome_unknown, q.oldest_unknown_seconds !== null ? t("queue.oldest_unknown", { time: duration(q.oldest_unknown_seconds) }) : null),
        ),
        h("p", { class: "hint" }, t("queue.updated", { time: new Date().toLocaleTimeString() })),
      );
    };
    fill(main, h("h1", {}, t("queue.title")), h("p", { class: "hint" }, t("queue.help")), box, actionButton(t("common.reload"), show, { status }), status);
    await show();
  },
};
