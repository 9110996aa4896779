// Words and small pieces the people and account pages share: access levels and account
// types in words, the password rules, and the API's fixed error messages in Swedish (an
// error without Swedish words here is shown as the API wrote it).

import { api, currentAccount } from "./api.js";
import { t, words } from "./i18n.js";
import { h } from "./ui.js";

export const LEVEL_NAMES = ["user", "manager", "admin"];

words({
  en: {
    "level.user": "User",
    "level.manager": "Manager",
    "level.admin": "Admin",
    "level.help": "User: sends SMS. Manager: also contacts, groups, inbox and numbers. Admin: also API keys, settings, billing and who has access.",
    "kind.swedish": "Swedish",
    "kind.international": "International",
    "people.password_rules": "At least 10 characters, with a digit and a capital letter.",
    "people.yes": "Yes",
    "people.no": "No",
    "people.a_user": "a user",
    "error.WeakPassword": "The password does not meet the rules:",
    "error.WeakPassword.too_short": "The password needs at least 10 characters.",
    "error.WeakPassword.no_digit": "The password needs at least one digit (0–9).",
    "error.WeakPassword.no_capital": "The password needs at least one capital letter.",
    "error.WeakPassword.too_long": "The password may have at most 256 characters.",
  },
  sv: {
    "level.user": "Användare",
    "level.manager": "Ansvarig",
    "level.admin": "Administratör",
    "level.help": "Användare: skickar SMS. Ansvarig: även kontakter, grupper, inkorg och nummer. Administratör: även API-nycklar, inställningar, fakturering och vem som har åtkomst.",
    "kind.swedish": "Svenskt",
    "kind.international": "Internationellt",
    "people.password_rules": "Minst 10 tecken, med en siffra och en versal.",
    "people.yes": "Ja",
    "people.no": "Nej",
    "people.a_user": "en användare",
    "error.WeakPassword": "Lösenordet uppfyller inte reglerna:",
    "error.WeakPassword.too_short": "Lösenordet behöver minst 10 tecken.",
    "error.WeakPassword.no_digit": "Lösenordet behöver minst en siffra (0–9).",
    "error.WeakPassword.no_capital": "Lösenordet behöver minst en versal.",
    "error.WeakPassword.too_long": "Lösenordet får ha högst 256 tecken.",
    "error.LastAdmin": "Kontot behöver minst en administratör; gör någon annan till administratör först.",
    "error.AlreadyMember": "Personen har redan åtkomst eller en inbjudan; ändra behörigheten i stället.",
    "error.WrongPassword": "Det nuvarande lösenordet är fel.",
    "error.InvalidToken": "Länken är okänd, använd eller har gått ut; be om en ny.",
    "error.EmailTaken": "En annan användare har den adressen.",
    "error.SameEmail": "Det är redan din adress.",
    "error.AlreadyConfirmed": "Det är redan bekräftat.",
    "error.NoPhone": "Lägg först till ett telefonnummer i profilen.",
    "error.NoCodePending": "Ingen kod väntar (ingen skickad, den har gått ut eller prövats för många gånger); be om en ny.",
    "error.TwoFactorEnabled": "Tvåstegsverifiering är redan på.",
    "error.TwoFactorDisabled": "Tvåstegsverifiering är av.",
    "error.TwoFactorNotBegun": "Börja med att slå på tvåstegsverifiering.",
    "error.InvalidCode": "Koden är fel eller redan använd.",
    "error.InvalidEmail": "E-postadressen är inte giltig.",
    "error.InvalidName": "Namnet är inte giltigt.",
    "error.CurrencyLocked": "Valutan kan inte ändras när kontot redan har transaktioner.",
    "error.DuplicateSystemId": "Det system-id:t används redan.",
    "error.InvalidScope": "Välj minst en giltig behörighet för nyckeln.",
    "error.InvalidAllowedIps": "En eller flera IP-adresser är inte giltiga.",
    "error.TooManyAttempts": "För många försök; vänta en stund och försök igen.",
    "error.InvalidCallbackUrl": "Adressen går inte att använda: den måste vara en offentlig http- eller https-adress, utan användarnamn eller lösenord.",
    "error.RateLimited": "För många anrop på en gång; försök igen om en sekund.",
    "error.SignInToAccept": "Du har redan en användare: logga in och öppna länken i inbjudan igen för att tacka ja.",
    "error.NotYourInvitation": "Inbjudan gäller en annan användare; logga in som den för att tacka ja.",
  },
});

export function levelName(level) {
  return t(`level.${level}`);
}

export function levelOptions() {
  return LEVEL_NAMES.map((level) => [level, levelName(level)]);
}

export function kindName(kind) {
  return t(`kind.${kind}`);
}

/** A small hint under a field or a form. */
export function hint(text, id) {
  return h("p", { class: "hint", id }, text);
}

/** `user:<id>` as the API names a signed-in person acting (an actor, a blocker). */
export const USER_REF = /\buser:([A-Za-z0-9_-]+)/;

/**
 * The names of the account's members by user id — read only when one of `texts` names a
 * user (`user:<id>`). Without them (someone who left, or the members cannot be read) a
 * person is "a user": a nicety, so a failure here is not an error on the page.
 */
export async function memberNames(texts, accountId = currentAccount()) {
  if (!accountId || !texts.some((text) => typeof text === "string" && USER_REF.test(text))) return new Map();
  try {
    const { members } = await api("GET", `/v1/accounts/${encodeURIComponent(accountId)}/members`, undefined, { account: false });
    return new Map(members.map((m) => [m.user_id, m.name]));
  } catch (_) {
    return new Map();
  }
}

/** The person behind `user:<id>`: their name when they are a member, else "a user". */
export function userName(ref, names) {
  const id = ref.match(USER_REF)?.[1];
  return (id && names.get(id)) || t("people.a_user");
}
