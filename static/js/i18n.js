// English and Swedish. Each page module registers its own words with `words({en, sv})`,
// so pages stay self-contained; `t(key, vars)` looks a key up in the chosen language and
// falls back to English. The choice is remembered in the browser and in the user's profile.

const dictionaries = { en: {}, sv: {} };
export const LANGUAGES = ["en", "sv"];

export function words(table) {
  for (const language of LANGUAGES) Object.assign(dictionaries[language], table[language] || {});
}

export function language() {
  const stored = localStorage.getItem("smsedge.language");
  if (LANGUAGES.includes(stored)) return stored;
  return (navigator.language || "en").toLowerCase().startsWith("sv") ? "sv" : "en";
}

export function setLanguage(chosen) {
  if (LANGUAGES.includes(chosen)) localStorage.setItem("smsedge.language", chosen);
  document.documentElement.lang = language();
}

export function t(key, vars = {}) {
  const text = dictionaries[language()][key] ?? dictionaries.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`).toString());
}

/** A number of minor units as money in the user's language: 1234 SEK → "12,34 kr". */
export function money(minor, currency) {
  return new Intl.NumberFormat(language() === "sv" ? "sv-SE" : "en-GB", { style: "currency", currency }).format(minor / 100);
}

export function dateTime(iso) {
  if (!iso) return "";
  if (datePattern) return patterned(new Date(iso), true);
  return new Intl.DateTimeFormat(language() === "sv" ? "sv-SE" : "en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

// The operator console writes dates in the format and zone of its Settings
// (GET /v1/console/me `defaults`); the portal never sets one and keeps the language's.
let datePattern = null;
let dateZone;

/** Dates from now on as `pattern` (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY) in `zone`; null: the language's. */
export function setDateFormat(pattern, zone) {
  datePattern = pattern || null;
  dateZone = zone || undefined;
}

/** A date (and the time, 24-hour) in the set pattern; the set zone when the browser knows it. */
export function patterned(date, withTime = false) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: dateZone }).formatToParts(date);
  } catch (_) {
    parts = new Intl.DateTimeFormat("en-GB", options).formatToParts(date);
  }
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  const day = (datePattern || "YYYY-MM-DD").replace("YYYY", p.year).replace("MM", p.month).replace("DD", p.day);
  return withTime ? `${day} ${p.hour}:${p.minute}` : day;
}

/** Whether dates follow a set pattern (the console's Settings). */
export function hasDateFormat() {
  return datePattern !== null;
}

/** Time zone names the browser knows; UTC, Europe/Stockholm and `current` are always there. */
export function timeZones(current) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch (_) {
    zones = [];
  }
  for (const zone of ["UTC", "Europe/Stockholm", current]) if (zone && !zones.includes(zone)) zones = [zone, ...zones];
  return zones;
}

words({
  en: {
    "app.name": "smsedge",
    "nav.start": "Start",
    "nav.dashboard": "Dashboard",
    "nav.send": "Send SMS",
    "nav.messages": "Messages",
    "nav.inbox": "Inbox",
    "nav.contacts": "Contacts",
    "nav.blocklist": "Blocklist",
    "nav.numbers": "Numbers",
    "nav.keys": "API keys",
    "nav.settings": "Settings",
    "nav.billing": "Billing",
    "nav.profile": "Profile",
    "nav.accounts": "Accounts",
    "nav.users": "Users",
    "nav.logout": "Log out",
    "nav.account": "Account",
    "nav.language": "Language",
    "nav.menu": "Menu",
    "nav.skip": "Skip to content",
    "footer.support": "Support",
    "footer.agreement": "Service agreement",
    "footer.privacy": "Privacy policy",
    "footer.dpa": "Data processor agreement",
    "common.save": "Save",
    "common.saved": "Saved.",
    "common.cancel": "Cancel",
    "common.delete": "Delete",
    "common.loading": "Loading…",
    "common.none": "Nothing here yet.",
    "common.error": "Something went wrong",
    "common.next": "Next page",
    "common.previous": "Previous page",
    "common.search": "Search",
    "notfound.title": "Page not found",
  },
  sv: {
    "app.name": "smsedge",
    "nav.start": "Start",
    "nav.dashboard": "Översikt",
    "nav.send": "Skicka SMS",
    "nav.messages": "Meddelanden",
    "nav.inbox": "Inkorg",
    "nav.contacts": "Kontakter",
    "nav.blocklist": "Spärrlista",
    "nav.numbers": "Nummer",
    "nav.keys": "API-nycklar",
    "nav.settings": "Inställningar",
    "nav.billing": "Fakturering",
    "nav.profile": "Profil",
    "nav.accounts": "Konton",
    "nav.users": "Användare",
    "nav.logout": "Logga ut",
    "nav.account": "Konto",
    "nav.language": "Språk",
    "nav.menu": "Meny",
    "nav.skip": "Hoppa till innehållet",
    "footer.support": "Support",
    "footer.agreement": "Tjänsteavtal",
    "footer.privacy": "Integritetspolicy",
    "footer.dpa": "Personuppgiftsbiträdesavtal",
    "common.save": "Spara",
    "common.saved": "Sparat.",
    "common.cancel": "Avbryt",
    "common.delete": "Ta bort",
    "common.loading": "Laddar…",
    "common.none": "Inget här ännu.",
    "common.error": "Något gick fel",
    "common.next": "Nästa sida",
    "common.previous": "Föregående sida",
    "common.search": "Sök",
    "notfound.title": "Sidan finns inte",
  },
});
