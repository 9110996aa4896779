//! An account's history in words: each recorded change (its action, what it was about, its
//! state before and after, as `audit_events` keeps them) told as one English sentence,
//! money in the account's currency (`Credit limit changed from SEK 0.00 to SEK 500.00`).
//! The console shows the sentence, or its own words for the action key.
//!
//! Pure: the store reads the rows, this says what they mean. Secrets are never in a
//! snapshot, so they are never in a sentence either.

use crate::billing::money::{Currency, Money};
use crate::billing::pricing::UnitPrice;
use serde_json::Value;

/// One recorded change as the store read it.
#[derive(Debug, Clone, Copy)]
pub struct RecordedChange<'a> {
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
    /// The account's currency; amounts are shown bare without it.
    pub currency: Option<Currency>,
}

/// `SEK 500.00`: the currency first, as the console writes amounts.
pub fn money(minor: i64, currency: Option<Currency>) -> String {
    match currency {
        Some(currency) => format!("{} {}", currency.code(), Money::new(minor, currency).decimal()),
        None => minor.to_string(),
    }
}

/// A price per segment (thousandths of a minor unit): `SEK 0.35`.
fn price(milli: i64, currency: Option<Currency>) -> String {
    match currency.and_then(|c| UnitPrice::from_milli(milli, c).ok()) {
        Some(unit) => format!("{} {}", unit.currency().code(), unit.decimal()),
        None => format!("{milli} thousandths of a minor unit"),
    }
}

/// The sentence for a recorded change.
pub fn describe(change: &RecordedChange<'_>) -> String {
    let (before, after) = (change.before.unwrap_or(&Value::Null), change.after.unwrap_or(&Value::Null));
    let target = change.target.unwrap_or("");
    let cur = change.currency;
    let (group, verb) = change.action.split_once('.').unwrap_or((change.action, ""));
    let sentence = match (group, verb) {
        ("account", "signed_up") => match text(after, "name") {
            Some(name) => format!("Signed up as '{name}'; the e-mail is not confirmed yet"),
            None => "Signed up".to_owned(),
        },
        ("account", "awaiting_approval") => "E-mail confirmed; the signup waits for the operator's approval".to_owned(),
        ("account", "approved") => "Signup approved: the account can send".to_owned(),
        ("account", "rejected") => "Signup rejected: the account stays blocked".to_owned(),
        ("account" | "settings", _) => fields_changed(before, after, cur).unwrap_or_else(|| "Account settings saved (no visible change)".to_owned()),
        ("webhook_secret", _) => "Webhook signing secret replaced".to_owned(),
        ("balance", kind) => balance(kind, target, before, after, cur),
        ("package", "purchased") => {
            let cost = int(before, "balance_minor").zip(int(after, "balance_minor")).map(|(b, a)| b - a);
            match (cost, int(after, "balance_minor")) {
                (Some(cost), Some(now)) => {
                    format!("Package {} bought for {}; balance now {}", text(after, "package_id").unwrap_or(target), money(cost, cur), money(now, cur))
                }
                _ => format!("Package bought ({target})"),
            }
        }
        ("subscription", "canceled") => match text(after, "ends_at") {
            Some(end) => format!("Subscription {target} canceled; it ends {end}"),
            None => format!("Subscription {target} canceled"),
        },
        ("subscription", outcome) => format!("Subscription {target} {}", outcome.replace('_', " ")),
        ("key", verb) => {
            let name = text(after, "name").or_else(|| text(before, "name")).unwrap_or(target);
            match verb {
                "created" => format!("API key '{name}' created"),
                "revoked" => format!("API key '{name}' revoked"),
                _ => match fields_changed(before, after, cur) {
                    Some(what) => format!("API key '{name}' changed: {what}"),
                    None => format!("API key '{name}' changed"),
                },
            }
        }
        ("smpp", verb) => {
            let name = text(after, "system_id").or_else(|| text(before, "system_id")).unwrap_or(target);
            match verb {
                "created" => format!("SMPP credential '{name}' created"),
                "revoked" => format!("SMPP credential '{name}' revoked"),
                _ => format!("SMPP credential '{name}': allowed IP addresses changed"),
            }
        }
        ("number", "assigned") => match text(after, "role") {
            Some(role) => format!("Number {target} assigned as the {role} number"),
            None => format!("Number {target} assigned"),
        },
        ("number", "released") => format!("Number {target} released"),
        ("member", verb) => {
            let who = text(after, "email").or_else(|| text(before, "email")).unwrap_or(target);
            match verb {
                "added" if after.get("pending").is_some_and(truthy) => {
                    format!("{who} invited with {} access", text(after, "level").unwrap_or("some"))
                }
                "added" => format!("{who} given {} access", text(after, "level").unwrap_or("some")),
                "accepted" => format!("{who} accepted the invitation"),
                "level_changed" => format!(
                    "{who}'s access changed from {} to {}",
                    text(before, "level").unwrap_or("?"),
                    text(after, "level").unwrap_or("?")
                ),
                "revoked" => format!("{who}'s access removed"),
                _ => format!("{who}: {verb}"),
            }
        }
        ("user", verb) => {
            let who = text(after, "email").or_else(|| text(before, "email")).unwrap_or(target);
            match verb {
                "two_factor_enabled" => format!("{who} turned two-factor authentication on"),
                "two_factor_disabled" => format!("{who} turned two-factor authentication off"),
                "password_changed" => format!("{who} changed their password"),
                "password_reset" => format!("{who} set a new password from a reset link"),
                "email_confirmed" => format!("{who} confirmed their e-mail address"),
                "phone_confirmed" => format!("{who} confirmed their phone number"),
                "invitation_accepted" => format!("{who} accepted an invitation"),
                _ => match fields_changed(before, after, cur) {
                    Some(what) => format!("{who} changed their profile: {what}"),
                    None => format!("{who} changed their profile"),
                },
            }
        }
        ("prices", _) => prices(before, after, cur),
        ("send_rules", verb) => rules(verb, before, after),
        ("routes", _) => routes(before, after),
        ("senders", _) | ("campaign", _) => registrations(before, after),
        _ => match target {
            "" => change.action.replace(['.', '_'], " "),
            target => format!("{} ({target})", change.action.replace(['.', '_'], " ")),
        },
    };
    capitalised(&sentence)
}

fn capitalised(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        // An e-mail address stays as it is written.
        Some(first) if first.is_lowercase() && !sentence.split(' ').next().is_some_and(|word| word.contains('@')) => {
            first.to_uppercase().chain(chars).collect()
        }
        _ => sentence.to_owned(),
    }
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key)?.as_str()
}

fn int(value: &Value, key: &str) -> Option<i64> {
    value.get(key)?.as_i64()
}

/// JSON's and SQLite's booleans (0/1).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        _ => false,
    }
}

/// A list, also when SQLite kept a nested array as its text.
fn list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::String(s) => serde_json::from_str::<Vec<Value>>(s).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// What people call a snapshot's field.
fn label(field: &str) -> String {
    let known = match field {
        "credit_limit_minor" => "credit limit",
        "kind" => "type",
        "time_zone" => "time zone",
        "status_callback" => "status callback URL",
        "inbound_webhook" => "inbound webhook URL",
        "inbound_format" => "inbound SMS format",
        "stop_by_reply" => "STOP by reply",
        "stop_by_link" => "unsubscribe link",
        "help_reply" => "HELP reply",
        "opt_out_reply" => "opt-out reply",
        "save_reply" => "SAVE reply",
        "organisation_number" => "organisation number",
        "vat_number" => "VAT number",
        "address_line1" => "address",
        "address_line2" => "address (second line)",
        "invoice_email" => "invoice e-mail",
        "contact_email" => "contact e-mail",
        "allowed_ips" => "allowed IP addresses",
        "login_alerts" => "login alerts",
        other => return other.replace('_', " "),
    };
    known.to_owned()
}

/// A value as a sentence shows it.
fn shown(field: &str, value: &Value, currency: Option<Currency>) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Number(n) if field.ends_with("_minor") => n.as_i64().map(|m| money(m, currency)).unwrap_or_else(|| n.to_string()),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "nothing".to_owned(),
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

/// The fields that differ between two snapshots of an object, in words
/// (`credit limit changed from SEK 0.00 to SEK 500.00; blocked`); None when none differ.
fn fields_changed(before: &Value, after: &Value, currency: Option<Currency>) -> Option<String> {
    let (Some(old), Some(new)) = (before.as_object(), after.as_object()) else { return None };
    let mut keys: Vec<&String> = new.keys().chain(old.keys()).collect();
    keys.dedup();
    let mut seen = std::collections::BTreeSet::new();
    let mut phrases = Vec::new();
    for key in keys {
        if !seen.insert(key) {
            continue;
        }
        let (was, is) = (old.get(key).unwrap_or(&Value::Null), new.get(key).unwrap_or(&Value::Null));
        if was == is {
            continue;
        }
        let phrase = match key.as_str() {
            "blocked" => if truthy(is) { "blocked".to_owned() } else { "unblocked".to_owned() },
            "revoked_at" if !is.is_null() => "revoked".to_owned(),
            "webhook_secret_rotated_at" => "webhook signing secret replaced".to_owned(),
            _ if !key.ends_with("_minor") && is_flag(was) && is_flag(is) => {
                format!("{} turned {}", label(key), if truthy(is) { "on" } else { "off" })
            }
            _ if was.is_null() || was.as_str() == Some("") => format!("{} set to {}", label(key), shown(key, is, currency)),
            _ if is.is_null() || is.as_str() == Some("") => format!("{} removed (was {})", label(key), shown(key, was, currency)),
            _ => format!("{} changed from {} to {}", label(key), shown(key, was, currency), shown(key, is, currency)),
        };
        phrases.push(phrase);
    }
    (!phrases.is_empty()).then(|| phrases.join("; "))
}

/// 0, 1, true or false: a flag, as SQLite's json_object writes booleans.
fn is_flag(value: &Value) -> bool {
    matches!(value, Value::Bool(_)) || value.as_i64().is_some_and(|n| n == 0 || n == 1)
}

fn balance(kind: &str, reference: &str, before: &Value, after: &Value, currency: Option<Currency>) -> String {
    let what = match kind {
        "topup" => "Top-up",
        "payment" => "Payment",
        "credit_note" => "Credit note",
        "correction" => "Correction",
        "refund" => "Refund",
        "debit" => "Charge",
        "package_purchase" => "Package purchase",
        "subscription_renewal" => "Subscription renewal",
        other => return format!("Balance entry '{other}' ({reference})"),
    };
    match (int(before, "balance_minor"), int(after, "balance_minor")) {
        (Some(was), Some(is)) => {
            let reference = if reference.is_empty() { String::new() } else { format!(" ({reference})") };
            format!("{what} of {}{reference}; balance changed from {} to {}", money(is - was, currency), money(was, currency), money(is, currency))
        }
        _ => format!("{what} ({reference})"),
    }
}

/// Rules of a list keyed by id, from a snapshot that is a list of objects.
fn by_id(snapshot: &Value) -> Vec<(String, Value)> {
    list(snapshot).into_iter().map(|rule| (rule.get("id").map(|id| id.to_string()).unwrap_or_default(), rule)).collect()
}

/// The rules that are new, gone or changed between two list snapshots.
fn list_changes(before: &Value, after: &Value) -> (Vec<Value>, Vec<Value>, Vec<(Value, Value)>) {
    let (old, new) = (by_id(before), by_id(after));
    let added = new.iter().filter(|(id, _)| !old.iter().any(|(o, _)| o == id)).map(|(_, r)| r.clone()).collect();
    let removed = old.iter().filter(|(id, _)| !new.iter().any(|(n, _)| n == id)).map(|(_, r)| r.clone()).collect();
    let changed = new
        .iter()
        .filter_map(|(id, rule)| old.iter().find(|(o, r)| o == id && r != rule).map(|(_, was)| (was.clone(), rule.clone())))
        .collect();
    (added, removed, changed)
}

fn scope_of(rule: &Value) -> String {
    match text(rule, "scope") {
        Some("*") | None => "every destination".to_owned(),
        Some(scope) => scope.to_owned(),
    }
}

fn prices(before: &Value, after: &Value, currency: Option<Currency>) -> String {
    let (added, removed, changed) = list_changes(before, after);
    let rule_currency = |rule: &Value| text(rule, "currency").and_then(|c| Currency::parse(c).ok()).or(currency);
    let mut phrases: Vec<String> = added
        .iter()
        .map(|rule| {
            let per_segment = int(rule, "per_segment_milli").map(|m| price(m, rule_currency(rule))).unwrap_or_default();
            match text(rule, "effective_from") {
                Some(from) => format!("price for {} set to {per_segment} per segment from {from}", scope_of(rule)),
                None => format!("price for {} set to {per_segment} per segment", scope_of(rule)),
            }
        })
        .collect();
    for (_, rule) in &changed {
        match text(rule, "effective_to") {
            Some(to) => phrases.push(format!("price for {} ends {to}", scope_of(rule))),
            None => phrases.push(format!("price for {} changed", scope_of(rule))),
        }
    }
    phrases.extend(removed.iter().map(|rule| format!("price for {} removed", scope_of(rule))));
    if phrases.is_empty() {
        return "Prices saved (no visible change)".to_owned();
    }
    phrases.join("; ")
}

fn rules(verb: &str, before: &Value, after: &Value) -> String {
    let (added, removed, changed) = list_changes(before, after);
    let name = |rule: &Value| text(rule, "name").unwrap_or("unnamed").to_owned();
    let mut phrases: Vec<String> = added.iter().map(|r| format!("send rule '{}' added ({} rule for {})", name(r), text(r, "kind").unwrap_or("a"), scope_of(r))).collect();
    phrases.extend(changed.iter().map(|(_, r)| format!("send rule '{}' changed", name(r))));
    phrases.extend(removed.iter().map(|r| format!("send rule '{}' deleted", name(r))));
    if phrases.is_empty() {
        return format!("Send rules {verb} (no visible change)");
    }
    phrases.join("; ")
}

fn routes(before: &Value, after: &Value) -> String {
    let (added, removed, changed) = list_changes(before, after);
    let set = |route: &Value| {
        let connections: Vec<String> = list(route.get("connections").unwrap_or(&Value::Null))
            .iter()
            .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let mode = text(route, "mode").map(|m| format!(" ({m})")).unwrap_or_default();
        format!("routing for {} set to {}{mode}", scope_of(route), if connections.is_empty() { "nothing".to_owned() } else { connections.join(", ") })
    };
    let mut phrases: Vec<String> = added.iter().map(set).collect();
    phrases.extend(changed.iter().map(|(_, r)| set(r)));
    phrases.extend(removed.iter().map(|r| format!("routing for {} removed", scope_of(r))));
    if phrases.is_empty() {
        return "Routing saved (no visible change)".to_owned();
    }
    phrases.join("; ")
}

fn registrations(before: &Value, after: &Value) -> String {
    let part = |snapshot: &Value, key: &str| snapshot.get(key).cloned().unwrap_or(Value::Null);
    let mut phrases = Vec::new();
    let (added, removed, _) = list_changes(&part(before, "registered_senders"), &part(after, "registered_senders"));
    let sender = |s: &Value| format!("'{}' for {}", text(s, "sender").unwrap_or("?"), text(s, "country").unwrap_or("?"));
    phrases.extend(added.iter().map(|s| format!("sender {} registered", sender(s))));
    phrases.extend(removed.iter().map(|s| format!("sender {} unregistered", sender(s))));
    let (added, removed, changed) = list_changes(&part(before, "campaigns"), &part(after, "campaigns"));
    let campaign = |c: &Value| format!("'{}'", text(c, "reference").unwrap_or("?"));
    phrases.extend(added.iter().map(|c| format!("campaign {} added", campaign(c))));
    phrases.extend(changed.iter().filter(|(_, c)| !c["ended_at"].is_null()).map(|(_, c)| format!("campaign {} ended", campaign(c))));
    phrases.extend(removed.iter().map(|c| format!("campaign {} removed", campaign(c))));
    if phrases.is_empty() {
        return "Sender registrations saved (no visible change)".to_owned();
    }
    phrases.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sek() -> Option<Currency> {
        Some(Currency::parse("SEK").unwrap())
    }

    fn say(action: &str, target: Option<&str>, before: Value, after: Value) -> String {
        describe(&RecordedChange { action, target, before: Some(&before), after: Some(&after), currency: sek() })
    }

    #[test]
    fn money_is_written_with_the_currency_first() {
        assert_eq!(money(50_000, sek()), "SEK 500.00");
        assert_eq!(money(-5, sek()), "SEK -0.05");
        assert_eq!(money(7, Some(Currency::parse("JPY").unwrap())), "JPY 7");
        assert_eq!(money(7, None), "7");
    }

    #[test]
    fn account_changes_name_each_field() {
        let before = json!({"name": "Acme", "credit_limit_minor": 0, "blocked": 0, "note": null});
        let after = json!({"name": "Acme", "credit_limit_minor": 50_000, "blocked": 0, "note": null});
        assert_eq!(say("account.updated", Some("acc_1"), before.clone(), after), "Credit limit changed from SEK 0.00 to SEK 500.00");
        let blocked = json!({"name": "Acme", "credit_limit_minor": 0, "blocked": 1, "note": "late payer"});
        assert_eq!(say("account.updated", Some("acc_1"), before.clone(), blocked.clone()), "Blocked; note set to 'late payer'");
        assert_eq!(say("account.updated", Some("acc_1"), blocked, before.clone()), "Unblocked; note removed (was 'late payer')");
        let renamed = json!({"name": "Acme AB", "credit_limit_minor": 0, "blocked": 0, "note": null});
        assert_eq!(say("account.updated", None, before.clone(), renamed), "Name changed from 'Acme' to 'Acme AB'");
        let stop = |on: bool| json!({"stop_by_reply": on as i64, "time_zone": "Europe/Stockholm"});
        assert_eq!(say("settings.updated", None, stop(true), stop(false)), "STOP by reply turned off");
        assert_eq!(say("settings.updated", None, before.clone(), before), "Account settings saved (no visible change)");
        assert_eq!(say("account.approved", Some("acc_1"), json!({"blocked": 1}), json!({"blocked": 0})), "Signup approved: the account can send");
        assert_eq!(say("account.rejected", Some("acc_1"), json!({"blocked": 1}), json!({"blocked": 1})), "Signup rejected: the account stays blocked");
        assert_eq!(say("account.signed_up", Some("acc_1"), Value::Null, json!({"name": "Signe AB"})), "Signed up as 'Signe AB'; the e-mail is not confirmed yet");
    }

    #[test]
    fn money_in_and_out_says_how_much_and_the_balance() {
        assert_eq!(
            say("balance.topup", Some("top_1"), json!({"balance_minor": 0}), json!({"balance_minor": 10_000})),
            "Top-up of SEK 100.00 (top_1); balance changed from SEK 0.00 to SEK 100.00"
        );
        assert_eq!(
            say("balance.correction", Some("cor_1"), json!({"balance_minor": 10_000}), json!({"balance_minor": 5_000})),
            "Correction of SEK -50.00 (cor_1); balance changed from SEK 100.00 to SEK 50.00"
        );
        assert!(say("balance.credit_note", Some("cn_1"), json!({"balance_minor": 0}), json!({"balance_minor": 1})).starts_with("Credit note of SEK 0.01"));
        assert_eq!(
            say("package.purchased", Some("pur_1"), json!({"balance_minor": 10_000}), json!({"balance_minor": 4_000, "package_id": "pkg_1"})),
            "Package pkg_1 bought for SEK 60.00; balance now SEK 40.00"
        );
    }

    #[test]
    fn people_keys_and_numbers() {
        let member = |level: &str, pending: bool| json!({"user_id": "usr_1", "email": "ada@example.com", "level": level, "pending": pending});
        assert_eq!(say("member.added", Some("usr_1"), Value::Null, member("user", true)), "ada@example.com invited with user access");
        assert_eq!(say("member.added", Some("usr_1"), Value::Null, member("admin", false)), "ada@example.com given admin access");
        assert_eq!(say("member.level_changed", Some("usr_1"), member("user", false), member("admin", false)), "ada@example.com's access changed from user to admin");
        assert_eq!(say("member.revoked", Some("usr_1"), member("user", false), Value::Null), "ada@example.com's access removed");
        let user = json!({"email": "ada@example.com", "two_factor": 1});
        assert_eq!(say("user.two_factor_enabled", Some("usr_1"), user.clone(), user), "ada@example.com turned two-factor authentication on");
        let key = |revoked: Option<&str>| json!({"name": "shop", "hint": "…abcd", "scopes": "contacts", "revoked_at": revoked});
        assert_eq!(say("key.created", Some("ak_1"), Value::Null, key(None)), "API key 'shop' created");
        assert_eq!(say("key.revoked", Some("ak_1"), key(None), key(Some("2030-01-01T00:00:00.000Z"))), "API key 'shop' revoked");
        let scoped = json!({"name": "shop", "hint": "…abcd", "scopes": "contacts inbound", "revoked_at": null});
        assert_eq!(say("key.updated", Some("ak_1"), key(None), scoped), "API key 'shop' changed: scopes changed from 'contacts' to 'contacts inbound'");
        assert_eq!(say("number.assigned", Some("+46700000001"), Value::Null, json!({"role": "primary"})), "Number +46700000001 assigned as the primary number");
        assert_eq!(say("number.released", Some("+46700000001"), json!({"role": "primary"}), Value::Null), "Number +46700000001 released");
        assert_eq!(say("webhook_secret.rotated", None, json!({}), json!({})), "Webhook signing secret replaced");
    }

    #[test]
    fn price_lists_routes_and_rules_say_what_changed() {
        let rule = json!({"id": 1, "currency": "SEK", "scope": "SE", "per_segment_milli": 35_000, "effective_from": "2030-01-01T00:00:00.000Z", "effective_to": null});
        assert_eq!(say("prices.set", Some("acc_1"), json!([]), json!([rule])), "Price for SE set to SEK 0.35 per segment from 2030-01-01T00:00:00.000Z");
        let mut ended = rule.clone();
        ended["effective_to"] = json!("2031-01-01T00:00:00.000Z");
        assert_eq!(say("prices.ended", Some("acc_1"), json!([rule]), json!([ended])), "Price for SE ends 2031-01-01T00:00:00.000Z");
        let route = json!({"id": 4, "scope": "*", "mode": "priority", "connections": [{"name": "alpha", "weight": 1}, {"name": "beta", "weight": 1}]});
        assert_eq!(say("routes.set", Some("acc_1"), json!([]), json!([route])), "Routing for every destination set to alpha, beta (priority)");
        assert_eq!(say("routes.deleted", Some("acc_1"), json!([route]), json!([])), "Routing for every destination removed");
        let send_rule = json!({"id": 2, "kind": "content", "name": "links", "scope": "*"});
        assert_eq!(say("send_rules.created", None, json!([]), json!([send_rule])), "Send rule 'links' added (content rule for every destination)");
        // SQLite may keep a nested array as text.
        let registrations = |senders: &str| json!({"registered_senders": senders, "campaigns": "[]"});
        assert_eq!(
            say("senders.registered", None, registrations("[]"), registrations(r#"[{"id":1,"sender":"ACME","country":"US"}]"#)),
            "Sender 'ACME' for US registered"
        );
    }

    #[test]
    fn anything_else_is_still_a_sentence() {
        assert_eq!(say("telepathy.tuned", Some("x1"), Value::Null, Value::Null), "Telepathy tuned (x1)");
        assert_eq!(describe(&RecordedChange { action: "balance.topup", target: None, before: None, after: None, currency: None }), "Top-up ()");
    }
}
