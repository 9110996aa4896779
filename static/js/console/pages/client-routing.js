// Client → Routing (seed 004 "Personal routing"): which carrier connections carry this
// client's SMS to each destination, in what way (in order, shared by weight, or cheapest
// first), overriding the default routing; setting a route and removing one (asked first).

import { dateTime, t, words } from "../../i18n.js";
import { askFirst, field, fill, form, h, notice, section, table } from "../../ui.js";
import { hint } from "../../people.js";
import { call, scopeText } from "../lib.js";

const MODES = ["failover", "weighted", "least_cost"];
const SLOTS = 3;

words({
  en: {
    "routes.title": "The client's routes",
    "routes.help": "Routes here take the client's SMS to a destination through the named carrier connections; other destinations follow the default routing.",
    "routes.destination": "Destination",
    "routes.mode": "How",
    "routes.connections": "Carrier connections",
    "routes.updated": "Changed",
    "routes.none": "The client has no routes of its own: the default routing applies.",
    "routes.mode.failover": "In order: the next one if one fails",
    "routes.mode.weighted": "Shared by weight",
    "routes.mode.least_cost": "Cheapest first",
    "routes.weight": "weight {weight}",
    "routes.set_title": "Set a route",
    "routes.slot": "Connection {n}",
    "routes.slot_weight": "Weight of connection {n}",
    "routes.slot_none": "—",
    "routes.weight_hint": "Weights count only when shared by weight (e.g. 70 and 30).",
    "routes.no_connections": "There are no carrier connections yet (Carriers).",
    "routes.pick_one": "Choose at least one carrier connection.",
    "routes.set": "Set the route",
    "routes.set_done": "The route for {scope} is set.",
    "routes.remove": "Remove",
    "routes.remove_for": "Remove the route for {scope}",
    "routes.remove_q": "Remove the route for {scope}? The default routing applies there afterwards.",
    "routes.remove_yes": "Yes, remove",
    "routes.removed": "The route for {scope} is removed.",
  },
  sv: {
    "routes.title": "Kundens rutter",
    "routes.help": "Rutterna här tar kundens SMS till en destination via de angivna operatörsanslutningarna; andra destinationer följer standardroutningen.",
    "routes.destination": "Destination",
    "routes.mode": "Hur",
    "routes.connections": "Operatörsanslutningar",
    "routes.updated": "Ändrad",
    "routes.none": "Kunden har inga egna rutter: standardroutningen gäller.",
    "routes.mode.failover": "I ordning: nästa om en misslyckas",
    "routes.mode.weighted": "Delat efter vikt",
    "routes.mode.least_cost": "Billigast först",
    "routes.weight": "vikt {weight}",
    "routes.set_title": "Sätt en rutt",
    "routes.slot": "Anslutning {n}",
    "routes.slot_weight": "Vikt för anslutning {n}",
    "routes.slot_none": "—",
    "routes.weight_hint": "Vikterna räknas bara när trafiken delas efter vikt (t.ex. 70 och 30).",
    "routes.no_connections": "Det finns inga operatörsanslutningar ännu (Operatörer).",
    "routes.pick_one": "Välj minst en operatörsanslutning.",
    "routes.set": "Sätt rutten",
    "routes.set_done": "Rutten för {scope} är satt.",
    "routes.remove": "Ta bort",
    "routes.remove_for": "Ta bort rutten för {scope}",
    "routes.remove_q": "Ta bort rutten för {scope}? Standardroutningen gäller där efteråt.",
    "routes.remove_yes": "Ja, ta bort",
    "routes.removed": "Rutten för {scope} är borttagen.",
  },
});

export default {
  async render(body, account) {
    const base = `/v1/admin/accounts/${encodeURIComponent(account.id)}/routes`;
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "route-list" });
    const [{ connections }] = await Promise.all([call("GET", "/v1/admin/carriers?limit=100")]);
    const show = async () => {
      const { routes } = await call("GET", `${base}?limit=100`);
      fill(
        list,
        table(
          [
            [t("routes.destination"), (r) => scopeText(r.scope)],
            [t("routes.mode"), (r) => t(`routes.mode.${r.mode}`)],
            [t("routes.connections"), (r) => h("ol", { class: "plain" }, r.connections.map((c) => h("li", {}, c.name, r.mode === "weighted" && c.weight !== null && c.weight !== undefined ? ` (${t("routes.weight", { weight: c.weight })})` : "")))],
            [t("routes.updated"), (r) => dateTime(r.updated_at)],
            [
              t("common.actions"),
              (r) =>
                askFirst(h("div", { class: "inline" }), {
                  label: t("routes.remove"),
                  ariaLabel: t("routes.remove_for", { scope: scopeText(r.scope) }),
                  question: t("routes.remove_q", { scope: scopeText(r.scope) }),
                  yes: t("routes.remove_yes"),
                  status,
                  action: async () => {
                    await call("DELETE", `${base}/${r.id}`);
                    await show();
                    fill(status, notice(t("routes.removed", { scope: scopeText(r.scope) })));
                  },
                }),
            ],
          ],
          routes,
          { empty: t("routes.none"), caption: t("routes.title"), cards: true },
        ),
      );
    };
    const options = [["", t("routes.slot_none")], ...connections.map((c) => [c.name, c.enabled ? c.name : `${c.name} (${t("common.inactive")})`])];
    const slots = [];
    for (let n = 1; n <= SLOTS; n += 1) {
      slots.push(
        h(
          "div",
          { class: "row" },
          field(t("routes.slot", { n }), `connection${n}`, { type: "select", value: "", options }),
          field(t("routes.slot_weight", { n }), `weight${n}`, { inputmode: "numeric", "aria-describedby": "weight-hint" }),
        ),
      );
    }
    const setForm = connections.length
      ? form(
          [
            field(t("lib.scope_field"), "scope", { required: true, autocomplete: "off", "aria-describedby": "route-scope-hint" }),
            hint(t("lib.scope_hint"), "route-scope-hint"),
            field(t("routes.mode"), "mode", { type: "select", value: "failover", options: MODES.map((m) => [m, t(`routes.mode.${m}`)]) }),
            slots,
            hint(t("routes.weight_hint"), "weight-hint"),
          ],
          async (values, element) => {
            const chosen = [];
            for (let n = 1; n <= SLOTS; n += 1) {
              if (!values[`connection${n}`]) continue;
              const entry = { name: values[`connection${n}`] };
              if (values.mode === "weighted") entry.weight = Number(values[`weight${n}`] || 0);
              chosen.push(entry);
            }
            if (!chosen.length) throw { name: "InvalidRoute", message: t("routes.pick_one") };
            const scope = values.scope.trim();
            await call("PUT", base, { scope, mode: values.mode, connections: chosen });
            element.reset();
            await show();
            return t("routes.set_done", { scope: scopeText(scope) });
          },
          { submit: t("routes.set") },
        )
      : h("p", { class: "empty" }, t("routes.no_connections"));
    fill(body, section("routes", t("routes.title"), h("p", { class: "hint" }, t("routes.help")), status, list), section("route-new", t("routes.set_title"), setForm));
    await show();
  },
};
