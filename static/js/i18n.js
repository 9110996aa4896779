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
  return new Intl.DateTimeFormat(language() === "sv" ? "sv-SE" : "en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
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
