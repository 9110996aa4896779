// Numbers (seed 002): the account's reception numbers (rented by the operator; the
// primary one first) and its custom keywords — a word texted to them answers with a reply
// SMS and/or forwards the message to a URL.

import { api } from "../api.js";
import { dateTime, t, words } from "../i18n.js";
import { actionButton, field, fill, form, h, load, table } from "../ui.js";

words({
  en: {
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
  async render(main) {
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
    await Promise.all([
      load(numbers, async () => {
        const list = await api("GET", "/v1/numbers");
        const sorted = [...list.numbers].sort((a, b) => (a.role === b.role ? a.number.localeCompare(b.number) : a.role === "primary" ? -1 : 1));
        return table(
          [
            [t("numbers.col.number"), (n) => h("strong", {}, n.number)],
            [t("numbers.col.role"), (n) => t(`numbers.role.${n.role}`)],
            [t("numbers.col.kind"), (n) => t(`numbers.kind.${n.kind}`)],
            [t("numbers.col.country"), (n) => n.country],
            [t("numbers.col.since"), (n) => dateTime(n.created_at)],
          ],
          sorted,
          { empty: t("numbers.none"), caption: t("numbers.reception") },
        );
      }),
      showKeywords(),
    ]);
  },
};
