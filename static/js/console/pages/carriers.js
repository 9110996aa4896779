// Carriers (issue 18, from the wholesale-routing work): the carrier connections SMS leave
// through — what kind each is, where it connects, whether its secrets are set, how many
// messages a second it takes, whether it is on — and, opened, its cost prices per
// destination. Connections are made and changed through the operator API
// (docs/carriers.md); the list is for looking.

import { dateTime, t, words } from "../../i18n.js";
import { errorBox, fill, h, table } from "../../ui.js";
import { call, pagedList, scopeText, unitPrice } from "../lib.js";

words({
  en: {
    "car.title": "Carriers",
    "car.help": "The carrier connections SMS leave through. The default connection carries what no route names.",
    "car.default": "Default connection: {name}",
    "car.name": "Connection",
    "car.adapter": "Kind",
    "car.address": "Address",
    "car.secrets": "Credentials",
    "car.secret_set": "Set",
    "car.secret_missing": "Not set",
    "car.throughput": "Messages per second",
    "car.unlimited": "No limit",
    "car.status": "Status",
    "car.on": "On",
    "car.off": "Off",
    "car.none": "No carrier connections yet.",
    "car.costs": "Cost prices",
    "car.costs_of": "Cost prices of {name}",
    "car.cost_destination": "Destination",
    "car.cost_price": "Cost per SMS part",
    "car.cost_from": "From",
    "car.cost_until": "Until",
    "car.for_good": "For good",
    "car.no_costs": "No cost prices set.",
    "car.adapter.sandbox": "Test connection (nothing is sent)",
    "car.adapter.http": "HTTP (JSON)",
    "car.adapter.vonage": "Vonage",
    "car.adapter.sinch": "Sinch",
  },
  sv: {
    "car.title": "Operatörer",
    "car.help": "Operatörsanslutningarna som SMS går ut genom. Standardanslutningen tar det som ingen rutt anger.",
    "car.default": "Standardanslutning: {name}",
    "car.name": "Anslutning",
    "car.adapter": "Slag",
    "car.address": "Adress",
    "car.secrets": "Inloggningsuppgifter",
    "car.secret_set": "Angivna",
    "car.secret_missing": "Saknas",
    "car.throughput": "Meddelanden per sekund",
    "car.unlimited": "Ingen gräns",
    "car.status": "Status",
    "car.on": "På",
    "car.off": "Av",
    "car.none": "Inga operatörsanslutningar ännu.",
    "car.costs": "Inköpspriser",
    "car.costs_of": "Inköpspriser för {name}",
    "car.cost_destination": "Destination",
    "car.cost_price": "Kostnad per SMS-del",
    "car.cost_from": "Från",
    "car.cost_until": "Till",
    "car.for_good": "Tills vidare",
    "car.no_costs": "Inga inköpspriser angivna.",
    "car.adapter.sandbox": "Testanslutning (inget skickas)",
    "car.adapter.http": "HTTP (JSON)",
    "car.adapter.vonage": "Vonage",
    "car.adapter.sinch": "Sinch",
  },
});

function adapterName(adapter) {
  const key = `car.adapter.${adapter}`;
  return t(key) === key ? adapter : t(key);
}

function costs(connection) {
  const box = h("div");
  const details = h("details", { class: "inline-edit" }, h("summary", { "aria-label": t("car.costs_of", { name: connection.name }) }, t("car.costs")), box);
  details.addEventListener(
    "toggle",
    async () => {
      if (!details.open || box.dataset.loaded) return;
      box.dataset.loaded = "1";
      try {
        const answer = await call("GET", `/v1/admin/carriers/${encodeURIComponent(connection.name)}/costs`);
        fill(
          box,
          table(
            [
              [t("car.cost_destination"), (c) => scopeText(c.scope)],
              [t("car.cost_price"), (c) => unitPrice(c.per_segment_minor, c.currency)],
              [t("car.cost_from"), (c) => dateTime(c.effective_from)],
              [t("car.cost_until"), (c) => (c.effective_to ? dateTime(c.effective_to) : t("car.for_good"))],
            ],
            answer.costs,
            { empty: t("car.no_costs"), caption: t("car.costs_of", { name: connection.name }), cards: true },
          ),
        );
      } catch (error) {
        fill(box, errorBox(error));
      }
    },
  );
  return details;
}

export default {
  title: "car.title",
  async render(main) {
    const head = h("p", { id: "default-connection" });
    const list = h("div", { id: "carrier-list" });
    fill(main, h("h1", {}, t("car.title")), h("p", { class: "hint" }, t("car.help")), head, list);
    await pagedList(list, {
      pageSize: 50,
      load: async (cursor) => {
        const query = new URLSearchParams({ limit: 50 });
        if (cursor) query.set("cursor", cursor);
        const page = await call("GET", `/v1/admin/carriers?${query}`);
        const name = page.default_connection?.name || page.default_connection?.adapter;
        fill(head, name ? t("car.default", { name }) : null);
        return { items: page.connections, next_cursor: page.next_cursor };
      },
      view: (connections) =>
        table(
          [
            [t("car.name"), (c) => h("strong", {}, c.name)],
            [t("car.adapter"), (c) => adapterName(c.adapter)],
            [t("car.address"), (c) => h("code", { class: "id" }, c.base_url)],
            [t("car.secrets"), (c) => (c.credentials.set ? `${t("car.secret_set")} ${c.credentials.hint || ""}`.trim() : t("car.secret_missing"))],
            [t("car.throughput"), (c) => (c.throughput_per_second ?? t("car.unlimited"))],
            [t("car.status"), (c) => (c.enabled ? h("span", { class: "badge ok" }, t("car.on")) : h("span", { class: "badge bad" }, t("car.off")))],
            [t("car.costs"), (c) => costs(c)],
          ],
          connections,
          { empty: t("car.none"), caption: t("car.title"), cards: true },
        ),
    }).ready;
  },
};
