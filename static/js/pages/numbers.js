// Numbers (seed 002): the account's reception numbers (rented by the operator; the
// primary one first) and its custom keywords — a word texted to them answers with a reply
// SMS and/or forwards the message to a URL.

import { api } from "../api.js";
import { dateTime, money, t, words } from "../i18n.js";
import { actionButton, askFirst, confirmStep, field, fill, form, h, load, notice, table } from "../ui.js";
import { allowed } from "../app.js";

words({
  en: {
    "numbers.get": "Get a new number",
    "numbers.get_help": "Search the numbers free to take. Your first number is your primary one and comes with the account; each further one needs a number subscription (Billing → Packages) with room for it.",
    "numbers.room": "Extra numbers: {used} of {allowed} places in your number subscriptions are used.",
    "numbers.f.country": "Country (two letters, e.g. SE)",
    "numbers.f.kind": "Type",
    "numbers.f.any_kind": "Any",
    "numbers.f.area": "Area code",
    "numbers.search": "Search",
    "numbers.found": "{total} free numbers match.",
    "numbers.none_free": "No free numbers match; try another country, type or area code.",
    "numbers.col.area": "Area code",
    "numbers.col.monthly": "Monthly price",
    "numbers.no_price": "Included",
    "numbers.take": "Take {number}",
    "numbers.take_q": "Take {number}?",
    "numbers.take_primary": "It becomes your primary number: SMS to it arrive in your inbox.",
    "numbers.take_secondary": "It uses one of your {allowed} extra-number places ({used} used now).",
    "numbers.take_no_room": "Your number subscriptions have no room for another number: buy an \"extra number\" package under Billing first.",
    "numbers.take_yes": "Yes, take it",
    "numbers.taken": "{number} is yours.",
    "numbers.release": "Release",
    "numbers.release_for": "Release {number}",
    "numbers.release_q": "Release {number}? SMS to it no longer reach you, and someone else may take it.",
    "numbers.released": "{number} is released.",
    "numbers.title": "Numbers",
    "numbers.reception": "Reception numbers",
    "numbers.none": "The account has no reception number yet. Ask support to rent one to the account.",
    "numbers.col.number": "Number",
    "numbers.col.country": "Country",
    "numbers.col.kind": "Kind",
    "numbers.col.role": "Role",
    "numbers.col.since": "Since",
    "numbers.role.primary": "Primary",
    "numbers.role.secondary": "Secondary",
    "numbers.kind.virtual": "Virtual",
    "numbers.kind.shortcode": "Short code",
    "numbers.kind.mobile": "Mobile",
    "numbers.kind.landline": "Landline",
    "keywords.title": "Keywords",
    "keywords.help": "When someone texts one of these words to your numbers, they get the reply and/or the message is forwarded to your URL. Built-in words (STOP, START, HELP, SAVE and their Swedish STOPP, HJÄLP, SPARA) cannot be taken.",
    "keywords.none": "No keywords yet.",
    "keywords.col.word": "Word",
    "keywords.col.reply": "Reply",
    "keywords.col.forward": "Forwarded to",
    "keywords.col.created": "Added",
    "keywords.remove": "Remove {word}",
    "keywords.removed": "Keyword {word} removed.",
    "keywords.add": "Add or change a keyword",
    "keywords.word": "Keyword",
    "keywords.reply": "Reply SMS (optional)",
    "keywords.forward_url": "Forward to URL (optional)",
    "keywords.submit": "Save keyword",
    "keywords.saved": "Keyword {word} saved.",
  },
  sv: {
    "numbers.get": "Skaffa ett nytt nummer",
    "numbers.get_help": "Sök bland de nummer som är lediga. Ditt första nummer är ditt primära och ingår i kontot; varje ytterligare kräver ett nummerabonnemang (Fakturering → Paket) med plats för det.",
    "numbers.room": "Extranummer: {used} av {allowed} platser i dina nummerabonnemang används.",
    "numbers.f.country": "Land (två bokstäver, t.ex. SE)",
    "numbers.f.kind": "Typ",
    "numbers.f.any_kind": "Alla",
    "numbers.f.area": "Riktnummer",
    "numbers.search": "Sök",
    "numbers.found": "{total} lediga nummer matchar.",
    "numbers.none_free": "Inga lediga nummer matchar; prova ett annat land, typ eller riktnummer.",
    "numbers.col.area": "Riktnummer",
    "numbers.col.monthly": "Månadspris",
    "numbers.no_price": "Ingår",
    "numbers.take": "Ta {number}",
    "numbers.take_q": "Ta {number}?",
    "numbers.take_primary": "Det blir ditt primära nummer: SMS till det kommer till din inkorg.",
    "numbers.take_secondary": "Det använder en av dina {allowed} platser för extranummer ({used} används nu).",
    "numbers.take_no_room": "Dina nummerabonnemang har inte plats för fler nummer: köp först ett paket med extranummer under Fakturering.",
    "numbers.take_yes": "Ja, ta det",
    "numbers.taken": "{number} är ditt.",
    "numbers.release": "Släpp",
    "numbers.release_for": "Släpp {number}",
    "numbers.release_q": "Släppa {number}? SMS till det når dig inte längre, och någon annan kan ta det.",
    "numbers.released": "{number} är släppt.",
    "numbers.title": "Nummer",
    "numbers.reception": "Mottagarnummer",
    "numbers.none": "Kontot har inget mottagarnummer ännu. Be supporten hyra ut ett till kontot.",
    "numbers.col.number": "Nummer",
    "numbers.col.country": "Land",
    "numbers.col.kind": "Typ",
    "numbers.col.role": "Roll",
    "numbers.col.since": "Sedan",
    "numbers.role.primary": "Primärt",
    "numbers.role.secondary": "Sekundärt",
    "numbers.kind.virtual": "Virtuellt",
    "numbers.kind.shortcode": "Kortnummer",
    "numbers.kind.mobile": "Mobil",
    "numbers.kind.landline": "Fast telefoni",
    "keywords.title": "Nyckelord",
    "keywords.help": "När någon skickar ett av de här orden till era nummer får de svaret och/eller så vidarebefordras meddelandet till er URL. Inbyggda ord (STOP, START, HELP, SAVE och svenska STOPP, HJÄLP, SPARA) kan inte användas.",
    "keywords.none": "Inga nyckelord ännu.",
    "keywords.col.word": "Ord",
    "keywords.col.reply": "Svar",
    "keywords.col.forward": "Vidarebefordras till",
    "keywords.col.created": "Tillagt",
    "keywords.remove": "Ta bort {word}",
    "keywords.removed": "Nyckelordet {word} togs bort.",
    "keywords.add": "Lägg till eller ändra ett nyckelord",
    "keywords.word": "Nyckelord",
    "keywords.reply": "Svars-SMS (valfritt)",
    "keywords.forward_url": "Vidarebefordra till URL (valfritt)",
    "keywords.submit": "Spara nyckelord",
    "keywords.saved": "Nyckelordet {word} sparades.",
  },
});

export default {
  title: "numbers.title",
  async render(main, _params, ctx) {
    const numbers = h("div", { id: "numbers" });
    const keywords = h("div", { id: "keywords" });
    const status = h("div", { class: "form-status" });

    const showKeywords = () =>
      load(keywords, async () => {
        const list = await api("GET", "/v1/keywords");
        return table(
          [
            [t("keywords.col.word"), (k) => h("strong", {}, k.word)],
            [t("keywords.col.reply"), (k) => k.reply || "—"],
            [t("keywords.col.forward"), (k) => k.forward_url || "—"],
            [t("keywords.col.created"), (k) => dateTime(k.created_at)],
            [
              "",
              (k) =>
                actionButton(
                  t("keywords.remove", { word: k.word }),
                  async () => {
                    await api("DELETE", `/v1/keywords/${encodeURIComponent(k.word)}`);
                    await showKeywords();
                    return t("keywords.removed", { word: k.word });
                  },
                  { status },
                ),
            ],
          ],
          list.keywords,
          { empty: t("keywords.none"), caption: t("keywords.title") },
        );
      });

    const addForm = form(
      [
        field(t("keywords.word"), "word", { required: true, autocomplete: "off" }),
        field(t("keywords.reply"), "reply", { type: "textarea", rows: 2 }),
        field(t("keywords.forward_url"), "forward_url", { type: "url", placeholder: "https://" }),
      ],
      async (values, formEl) => {
        const body = {};
        if (values.reply.trim()) body.reply = values.reply;
        if (values.forward_url.trim()) body.forward_url = values.forward_url.trim();
        const word = values.word.trim();
        await api("PUT", `/v1/keywords/${encodeURIComponent(word)}`, body);
        formEl.reset();
        await showKeywords();
        return t("keywords.saved", { word: word.toUpperCase() });
      },
      { submit: t("keywords.submit") },
    );

    fill(
      main,
      h("h1", {}, t("numbers.title")),
      h("h2", {}, t("numbers.reception")),
      numbers,
      h("h2", {}, t("keywords.title")),
      h("p", { class: "muted" }, t("keywords.help")),
      status,
      keywords,
      h("h3", {}, t("keywords.add")),
      addForm,
    );
    const admin = allowed("admin");
    const numbersStatus = h("div", { "aria-live": "polite" });
    let own = [];
    const showNumbers = () =>
      load(numbers, async () => {
        const list = await api("GET", "/v1/numbers");
        own = list.numbers;
        const sorted = [...list.numbers].sort((a, b) => (a.role === b.role ? a.number.localeCompare(b.number) : a.role === "primary" ? -1 : 1));
        const columns = [
          [t("numbers.col.number"), (n) => h("strong", {}, n.number)],
          [t("numbers.col.role"), (n) => t(`numbers.role.${n.role}`)],
          [t("numbers.col.kind"), (n) => t(`numbers.kind.${n.kind}`)],
          [t("numbers.col.country"), (n) => n.country],
          [t("numbers.col.since"), (n) => dateTime(n.created_at)],
        ];
        if (admin) {
          columns.push([
            "",
            (n) =>
              askFirst(h("span"), {
                label: t("numbers.release"),
                ariaLabel: t("numbers.release_for", { number: n.number }),
                question: t("numbers.release_q", { number: n.number }),
                yes: t("numbers.release"),
                status: numbersStatus,
                action: async () => {
                  await api("DELETE", `/v1/numbers/${encodeURIComponent(n.number)}`);
                  await Promise.all([showNumbers(), searchFree()]);
                  return t("numbers.released", { number: n.number });
                },
              }),
          ]);
        }
        return table(columns, sorted, { empty: t("numbers.none"), caption: t("numbers.reception") });
      });

    // Seed 002 "Get a new number": the free numbers, searched; taking one asks first and
    // says whether it becomes the primary number or uses a place of a number subscription.
    const found = h("div", { id: "free-numbers" });
    const confirmBox = h("div", { id: "take-confirm" });
    let search = {};
    const searchFree = () =>
      load(found, async () => {
        const query = new URLSearchParams({ limit: "50" });
        for (const [k, v] of Object.entries(search)) if (v) query.set(k, v);
        const page = await api("GET", `/v1/numbers/available?${query}`);
        const room = page.extra_numbers;
        const ask = (n) => {
          const primary = !own.some((o) => o.role === "primary");
          const details = [primary ? t("numbers.take_primary") : room.used < room.allowed ? t("numbers.take_secondary", room) : t("numbers.take_no_room")];
          confirmStep(confirmBox, {
            question: t("numbers.take_q", { number: n.number }),
            details,
            yes: t("numbers.take_yes"),
            status: numbersStatus,
            cancelled: () => fill(confirmBox),
            action: async () => {
              await api("POST", "/v1/numbers", { number: n.number });
              fill(confirmBox);
              await Promise.all([showNumbers(), searchFree()]);
              return t("numbers.taken", { number: n.number });
            },
          });
        };
        return [
          h("p", { class: "muted", id: "number-room" }, t("numbers.room", room)),
          page.numbers.length ? h("p", {}, t("numbers.found", { total: page.total })) : null,
          table(
            [
              [t("numbers.col.number"), (n) => h("strong", {}, n.number)],
              [t("numbers.col.kind"), (n) => t(`numbers.kind.${n.kind}`)],
              [t("numbers.col.country"), (n) => n.country],
              [t("numbers.col.area"), (n) => n.area_code || "—"],
              [t("numbers.col.monthly"), (n) => (n.monthly_price_minor !== null && n.currency ? money(n.monthly_price_minor, n.currency) : t("numbers.no_price"))],
              ["", (n) => actionButton(t("numbers.take", { number: n.number }), async () => ask(n), { status: numbersStatus, className: "secondary small" })],
            ],
            page.numbers,
            { empty: t("numbers.none_free"), caption: t("numbers.get") },
          ),
        ];
      });
    const searchForm = form(
      [
        h(
          "div",
          { class: "row" },
          field(t("numbers.f.country"), "country", { maxlength: "2", autocomplete: "off", value: ctx.account?.kind === "swedish" ? "SE" : "" }),
          field(t("numbers.f.kind"), "kind", { type: "select", value: "", options: [["", t("numbers.f.any_kind")], ...["virtual", "mobile", "landline", "shortcode"].map((k) => [k, t(`numbers.kind.${k}`)])] }),
          field(t("numbers.f.area"), "area_code", { inputmode: "numeric", maxlength: "8", autocomplete: "off" }),
        ),
      ],
      async (values) => {
        search = { country: values.country.trim().toUpperCase(), kind: values.kind, area_code: values.area_code.trim() };
        await searchFree();
      },
      { submit: t("numbers.search") },
    );
    if (admin) {
      search = { country: searchForm.elements.country.value };
      numbers.after(numbersStatus, h("section", { class: "panel", id: "get-number", "aria-labelledby": "get-number-h" }, h("h2", { id: "get-number-h" }, t("numbers.get")), h("p", { class: "hint" }, t("numbers.get_help")), searchForm, confirmBox, found));
    }
    await showNumbers();
    await Promise.all([
      admin ? searchFree() : null,
      showKeywords(),
    ]);
  },
};
