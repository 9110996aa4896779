// Packages (seed 003 "Packages"): the catalogue customers buy from — name, price, what it
// contains (SMS, voice credits, extra numbers) and how often it renews (once, daily, weekly,
// monthly), on sale or not; a new package, and changing one (the currency stays).

import { t, words } from "../../i18n.js";
import { field, fill, form, h, notice, section, table } from "../../ui.js";
import { CURRENCIES } from "./client-new.js";
import { call, minorToInput, money, toMinor } from "../lib.js";

const FREQUENCIES = ["once", "daily", "weekly", "monthly"];

words({
  en: {
    "pkg.title": "Packages",
    "pkg.help": "What customers can buy in the portal. A package that renews is a subscription; one with numbers lets the customer keep that many extra numbers while it runs.",
    "pkg.name": "Name",
    "pkg.price": "Price",
    "pkg.contents": "Contains",
    "pkg.frequency": "Renews",
    "pkg.status": "Status",
    "pkg.on_sale": "On sale",
    "pkg.off_sale": "Off sale",
    "pkg.none": "No packages yet.",
    "pkg.freq.once": "Once (no renewal)",
    "pkg.freq.daily": "Every day",
    "pkg.freq.weekly": "Every week",
    "pkg.freq.monthly": "Every month",
    "pkg.sms": "{n} SMS",
    "pkg.voice": "{n} voice credits",
    "pkg.numbers_one": "1 extra number",
    "pkg.numbers": "{n} extra numbers",
    "pkg.nothing": "Nothing",
    "pkg.new": "New package",
    "pkg.edit": "Change",
    "pkg.edit_for": "Change {name}",
    "pkg.f.name": "Name",
    "pkg.f.currency": "Currency",
    "pkg.f.cost": "Price",
    "pkg.f.sms": "SMS included",
    "pkg.f.voice": "Voice credits included",
    "pkg.f.numbers": "Extra numbers allowed",
    "pkg.f.frequency": "Renews",
    "pkg.f.active": "On sale",
    "pkg.create": "Create the package",
    "pkg.created": "{name} is created.",
    "pkg.saved": "{name} is saved.",
  },
  sv: {
    "pkg.title": "Paket",
    "pkg.help": "Det kunder kan köpa i portalen. Ett paket som förnyas är ett abonnemang; ett med nummer låter kunden ha så många extranummer medan det löper.",
    "pkg.name": "Namn",
    "pkg.price": "Pris",
    "pkg.contents": "Innehåller",
    "pkg.frequency": "Förnyas",
    "pkg.status": "Status",
    "pkg.on_sale": "Till salu",
    "pkg.off_sale": "Inte till salu",
    "pkg.none": "Inga paket ännu.",
    "pkg.freq.once": "En gång (förnyas inte)",
    "pkg.freq.daily": "Varje dag",
    "pkg.freq.weekly": "Varje vecka",
    "pkg.freq.monthly": "Varje månad",
    "pkg.sms": "{n} SMS",
    "pkg.voice": "{n} röstkrediter",
    "pkg.numbers_one": "1 extranummer",
    "pkg.numbers": "{n} extranummer",
    "pkg.nothing": "Inget",
    "pkg.new": "Nytt paket",
    "pkg.edit": "Ändra",
    "pkg.edit_for": "Ändra {name}",
    "pkg.f.name": "Namn",
    "pkg.f.currency": "Valuta",
    "pkg.f.cost": "Pris",
    "pkg.f.sms": "SMS som ingår",
    "pkg.f.voice": "Röstkrediter som ingår",
    "pkg.f.numbers": "Tillåtna extranummer",
    "pkg.f.frequency": "Förnyas",
    "pkg.f.active": "Till salu",
    "pkg.create": "Skapa paketet",
    "pkg.created": "{name} är skapat.",
    "pkg.saved": "{name} är sparat.",
  },
});

/** "1 000 SMS, 1 extra number" — only what the package has. */
export function contents(p) {
  const n = (x) => new Intl.NumberFormat().format(x);
  const parts = [];
  if (p.sms_credits) parts.push(t("pkg.sms", { n: n(p.sms_credits) }));
  if (p.voice_credits) parts.push(t("pkg.voice", { n: n(p.voice_credits) }));
  if (p.numbers) parts.push(p.numbers === 1 ? t("pkg.numbers_one") : t("pkg.numbers", { n: n(p.numbers) }));
  return parts.length ? parts.join(", ") : t("pkg.nothing");
}

function fields(p, prefix) {
  const id = (name) => `${prefix}-${name}`;
  return [
    field(t("pkg.f.name"), "name", { id: id("name"), required: true, maxlength: "100", value: p?.name || "" }),
    h(
      "div",
      { class: "row" },
      p ? null : field(t("pkg.f.currency"), "currency", { id: id("currency"), type: "select", value: "SEK", options: CURRENCIES.map((c) => [c, c]) }),
      field(p ? t("pkg.f.cost") + ` (${p.currency})` : t("pkg.f.cost"), "cost", { id: id("cost"), required: true, inputmode: "decimal", value: p ? minorToInput(p.cost_minor) : "" }),
      field(t("pkg.f.frequency"), "frequency", { id: id("frequency"), type: "select", value: p?.frequency || "monthly", options: FREQUENCIES.map((f) => [f, t(`pkg.freq.${f}`)]) }),
    ),
    h(
      "div",
      { class: "row" },
      field(t("pkg.f.sms"), "sms_credits", { id: id("sms"), inputmode: "numeric", value: String(p?.sms_credits ?? 0) }),
      field(t("pkg.f.voice"), "voice_credits", { id: id("voice"), inputmode: "numeric", value: String(p?.voice_credits ?? 0) }),
      field(t("pkg.f.numbers"), "numbers", { id: id("numbers"), inputmode: "numeric", value: String(p?.numbers ?? 0) }),
    ),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: id("active"), name: "active", checked: p ? p.active : true }), h("label", { for: id("active") }, t("pkg.f.active"))),
  ];
}

function body(values) {
  return {
    name: values.name.trim(),
    cost_minor: toMinor(values.cost),
    frequency: values.frequency,
    sms_credits: Number(values.sms_credits || 0),
    voice_credits: Number(values.voice_credits || 0),
    numbers: Number(values.numbers || 0),
    active: values.active === "on",
  };
}

export default {
  title: "pkg.title",
  async render(main) {
    const status = h("div", { "aria-live": "polite" });
    const list = h("div", { id: "package-list" });
    const show = async () => {
      const { packages } = await call("GET", "/v1/admin/packages");
      fill(
        list,
        table(
          [
            [t("pkg.name"), (p) => p.name],
            [t("pkg.price"), (p) => money(p.cost_minor, p.currency)],
            [t("pkg.contents"), (p) => contents(p)],
            [t("pkg.frequency"), (p) => t(`pkg.freq.${p.frequency}`)],
            [t("pkg.status"), (p) => (p.active ? h("span", { class: "badge ok" }, t("pkg.on_sale")) : h("span", { class: "badge" }, t("pkg.off_sale")))],
            [
              t("common.actions"),
              (p) =>
                h(
                  "details",
                  { class: "inline-edit" },
                  h("summary", { "aria-label": t("pkg.edit_for", { name: p.name }) }, t("pkg.edit")),
                  form(fields(p, `pkg-${p.id}`), async (values) => {
                    const saved = await call("PATCH", `/v1/admin/packages/${encodeURIComponent(p.id)}`, body(values));
                    await show();
                    fill(status, notice(t("pkg.saved", { name: saved.name })));
                  }),
                ),
            ],
          ],
          packages,
          { empty: t("pkg.none"), caption: t("pkg.title"), cards: true },
        ),
      );
    };
    fill(
      main,
      h("h1", {}, t("pkg.title")),
      h("p", { class: "hint" }, t("pkg.help")),
      status,
      list,
      section(
        "package-new",
        t("pkg.new"),
        form(
          fields(null, "pkg-new"),
          async (values, element) => {
            const made = await call("POST", "/v1/admin/packages", { ...body(values), currency: values.currency });
            element.reset();
            await show();
            return t("pkg.created", { name: made.name });
          },
          { submit: t("pkg.create") },
        ),
      ),
    );
    await show();
  },
};
