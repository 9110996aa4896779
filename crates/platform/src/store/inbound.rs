//! SQL of inbound SMS: reception numbers, multipart reassembly, the inbox, keywords, the
//! account's stop-service settings, and queueing inbound messages for the account's webhook.

use super::Store;
use crate::db::{int, opt_text, text, DbError, RowExt, RowsExt};
use crate::ids::new_id;
use crate::db::Value;
use domain::callbacks::twilio::CallbackFormat;
use domain::identity::access::Actor;
use domain::inbound::inventory::{HeldNumber, InventoryFilter, NumberStatus};

/// The account a reception number belongs to, with what inbound processing needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InboundSettings {
    pub account_id: String,
    /// Keyword languages, e.g. `["sv", "en"]`.
    pub languages: Vec<String>,
    pub stop_by_reply: bool,
    pub stop_by_link: bool,
    pub help_reply: Option<String>,
    pub opt_out_reply: Option<String>,
    pub save_reply: Option<String>,
    pub inbound_webhook: Option<String>,
    /// How inbound SMS are POSTed to `inbound_webhook`: ours, or Twilio's (whose answer
    /// may be TwiML replies).
    pub inbound_format: CallbackFormat,
}

const SETTINGS_COLUMNS: &str =
    "a.id, a.languages, a.stop_by_reply, a.stop_by_link, a.help_reply, a.opt_out_reply, a.save_reply, a.inbound_webhook, a.inbound_format";

fn settings_from_row(r: &crate::host::Row) -> Result<InboundSettings, DbError> {
    let languages: String = r.get("languages")?;
    Ok(InboundSettings {
        account_id: r.get("id")?,
        languages: languages.split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        stop_by_reply: r.get("stop_by_reply")?,
        stop_by_link: r.get("stop_by_link")?,
        help_reply: r.get("help_reply")?,
        opt_out_reply: r.get("opt_out_reply")?,
        save_reply: r.get("save_reply")?,
        inbound_webhook: r.get("inbound_webhook")?,
        inbound_format: stored_format(&r.get::<String>("inbound_format")?)?,
    })
}

fn stored_format(stored: &str) -> Result<CallbackFormat, DbError> {
    CallbackFormat::parse(stored).map_err(|e| DbError(format!("unreadable accounts.inbound_format: {e}")))
}

/// A change to the stop-service settings; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct InboundSettingsPatch<'a> {
    pub languages: Option<&'a str>,
    pub stop_by_reply: Option<bool>,
    pub stop_by_link: Option<bool>,
    pub help_reply: Option<Option<&'a str>>,
    pub opt_out_reply: Option<Option<&'a str>>,
    pub save_reply: Option<Option<&'a str>>,
    pub inbound_webhook: Option<Option<&'a str>>,
    pub inbound_format: Option<CallbackFormat>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct NumberView {
    pub number: String,
    pub country: String,
    pub kind: String,
    pub account_id: String,
    pub role: String,
    pub created_at: String,
}

/// A number of the operator's inventory, free or assigned, as the console lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InventoryNumberView {
    pub number: String,
    pub country: String,
    pub kind: String,
    /// `free` or `assigned`.
    pub status: &'static str,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub role: Option<String>,
    pub area_code: Option<String>,
    pub region: Option<String>,
    pub monthly_price_minor: Option<i64>,
    pub currency: Option<String>,
    pub note: Option<String>,
    /// Who put it in the inventory, by name (a staff member's name as it is now,
    /// `operator` for the admin token); none for a number that came with an assignment.
    pub added_by: Option<String>,
    pub created_at: String,
    pub assigned_at: Option<String>,
}

const INVENTORY_COLUMNS: &str = "n.number, n.country, n.kind, n.account_id, a.name AS account_name, n.role, n.area_code, \
     n.region, n.monthly_price_minor, n.currency, n.note, n.created_at, n.assigned_at, \
     CASE WHEN n.added_by GLOB 'staff:*' THEN COALESCE(s.name, n.added_by) ELSE n.added_by END AS added_by_name";

const INVENTORY_FROM: &str = "numbers n LEFT JOIN accounts a ON a.id = n.account_id \
     LEFT JOIN staff s ON n.added_by GLOB 'staff:*' AND s.user_id = substr(n.added_by, 7)";

fn inventory_from_row(r: &crate::host::Row) -> Result<InventoryNumberView, DbError> {
    let account_id: Option<String> = r.get("account_id")?;
    Ok(InventoryNumberView {
        number: r.get("number")?,
        country: r.get("country")?,
        kind: r.get("kind")?,
        status: if account_id.is_some() { NumberStatus::Assigned.as_str() } else { NumberStatus::Free.as_str() },
        account_id,
        account_name: r.get("account_name")?,
        role: r.get("role")?,
        area_code: r.get("area_code")?,
        region: r.get("region")?,
        monthly_price_minor: r.get("monthly_price_minor")?,
        currency: r.get("currency")?,
        note: r.get("note")?,
        added_by: r.get("added_by_name")?,
        created_at: r.get("created_at")?,
        assigned_at: r.get("assigned_at")?,
    })
}

/// How many numbers of a country and kind the inventory holds, free and assigned.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InventoryCount {
    pub country: String,
    pub kind: String,
    pub free: i64,
    pub assigned: i64,
}

/// What became of an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    Assigned,
    NoAccount,
    /// Another account rents the number.
    RentedByAnother,
}

/// What became of a request to take a number out of the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Removed,
    /// Rented to an account: release it first.
    Assigned,
    NotHeld,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct KeywordView {
    pub word: String,
    pub reply: Option<String>,
    pub forward_url: Option<String>,
    pub created_at: String,
}

/// One stored part of a long inbound message.
#[derive(Debug, Clone)]
pub struct StoredPart {
    pub part: u32,
    pub body: String,
    pub carrier_message_id: String,
}

/// The parts of one long message, taken out of storage to be joined.
#[derive(Debug, Clone)]
pub struct PartGroup {
    pub carrier: String,
    pub sender: String,
    pub recipient: String,
    pub reference: String,
    pub parts: u32,
    pub pieces: Vec<StoredPart>,
}

pub struct NewInbound<'a> {
    pub account_id: Option<&'a str>,
    pub carrier: &'a str,
    pub carrier_message_id: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub body: &'a str,
    pub parts: u32,
    pub missing_parts: Option<&'a str>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct InboundView {
    pub id: String,
    pub from: String,
    pub to: String,
    pub text: String,
    pub parts: i64,
    pub missing_parts: Option<String>,
    pub action: String,
    pub action_detail: Option<String>,
    pub carrier: String,
    pub received_at: String,
}

const INBOUND_COLUMNS: &str =
    "id, sender, recipient, body, parts, missing_parts, action, action_detail, carrier, received_at";

fn inbound_from_row(r: &crate::host::Row) -> Result<InboundView, DbError> {
    Ok(InboundView {
        id: r.get("id")?,
        from: r.get("sender")?,
        to: r.get("recipient")?,
        text: r.get("body")?,
        parts: r.get("parts")?,
        missing_parts: r.get("missing_parts")?,
        action: r.get("action")?,
        action_detail: r.get("action_detail")?,
        carrier: r.get("carrier")?,
        received_at: r.get("received_at")?,
    })
}

/// Inbox filters; all optional.
#[derive(Debug, Default)]
pub struct InboxFilter<'a> {
    pub from: Option<&'a str>,
    pub action: Option<&'a str>,
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    /// Page on: messages received before this id's message.
    pub before: Option<&'a str>,
}

fn patch_value<T: Into<String>>(field: Option<Option<T>>) -> (Value, Value) {
    match field {
        None => (int(0), Value::Null),
        Some(value) => (int(1), opt_text(value)),
    }
}

/// Inbound SMS: reception numbers, inbound settings, keywords, parts, the inbox: `store.inbound()`.
#[derive(Clone, Copy)]
pub struct Inbound<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn inbound(&self) -> Inbound<'_> {
        Inbound { store: self }
    }
}

impl Inbound<'_> {
    // ------------------------------------------------------------ numbers

    /// Assigns a reception number to an account (or changes its role there): a number of the inventory
    /// keeps what it was held with (area code, price, note); one not in it comes in with
    /// the assignment. Making it primary demotes the account's previous primary number.
    /// Plain statements: run it inside [`Audit::audited`], which makes it one transaction
    /// with its history line.
    pub async fn assign_number(self, number: &str, country: &str, kind: &str, account_id: &str, role: &str) -> Result<Assignment, DbError> {
        let exists = self.store.db.query("SELECT 1 FROM accounts WHERE id = ?", &[text(account_id)]).await?;
        if exists.rows.is_empty() {
            return Ok(Assignment::NoAccount);
        }
        // Another account's number is released first (its history records that), never
        // taken from it in passing; read in the assignment's transaction.
        if self.number_account(number).await?.is_some_and(|holder| holder != account_id) {
            return Ok(Assignment::RentedByAnother);
        }
        if role == "primary" {
            self.store.db.execute(
                "UPDATE numbers SET role = 'secondary' WHERE account_id = ? AND role = 'primary' AND number <> ?",
                &[text(account_id), text(number)],
            ).await?;
        }
        self.store.db.execute(
            "INSERT INTO numbers (number, country, kind, account_id, role, assigned_at) \
             VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             ON CONFLICT (number) DO UPDATE SET country = excluded.country, kind = excluded.kind, \
             account_id = excluded.account_id, role = excluded.role, \
             assigned_at = CASE WHEN numbers.account_id IS excluded.account_id THEN numbers.assigned_at ELSE excluded.assigned_at END",
            &[text(number), text(country), text(kind), text(account_id), text(role)],
        ).await?;
        Ok(Assignment::Assigned)
    }

    /// The account a number is rented to (none for a free number of the inventory).
    pub async fn number_account(self, number: &str) -> Result<Option<String>, DbError> {
        let rows = self.store.db.query("SELECT account_id FROM numbers WHERE number = ?", &[text(number)]).await?;
        Ok(rows.rows.first().map(|r| r.get::<Option<String>>("account_id")).transpose()?.flatten())
    }

    /// Takes a number back from its account: it stays in the inventory, free.
    pub async fn release_number(self, number: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE numbers SET account_id = NULL, role = NULL, assigned_at = NULL \
             WHERE number = ? AND account_id IS NOT NULL RETURNING number",
            &[text(number)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    // ------------------------------------------------------------ the inventory

    /// One number of the inventory.
    pub async fn inventory_number(self, number: &str) -> Result<Option<InventoryNumberView>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {INVENTORY_COLUMNS} FROM {INVENTORY_FROM} WHERE n.number = ?"), &[text(number)]).await?;
        rows.rows.first().map(inventory_from_row).transpose()
    }

    /// The inventory, filtered, in number order from after `after` (`limit` rows), and how
    /// many numbers match the filter in all.
    pub async fn inventory(self, filter: &InventoryFilter, limit: i64, after: Option<&str>) -> Result<(Vec<InventoryNumberView>, i64), DbError> {
        let (phone_prefix, short_prefix) = match &filter.prefix {
            Some(prefix) => {
                let (phones, shorts) = prefix.patterns();
                (Some(phones), shorts)
            }
            None => (None, None),
        };
        let status = filter.status.map(NumberStatus::as_str);
        let params = [
            opt_text(filter.country.as_deref()),
            opt_text(filter.kind.map(|k| k.as_str())),
            opt_text(status),
            opt_text(phone_prefix),
            opt_text(short_prefix),
            opt_text(filter.area_code.as_deref()),
        ];
        // ?1 country, ?2 kind, ?3 status, ?4/?5 the number's start (phone numbers; short
        // codes), ?6 the area code.
        let matching = "(?1 IS NULL OR n.country = ?1) AND (?2 IS NULL OR n.kind = ?2) \
             AND (?3 IS NULL OR (?3 = 'free') = (n.account_id IS NULL)) \
             AND (?4 IS NULL OR n.number GLOB ?4 OR (?5 IS NOT NULL AND n.number GLOB ?5)) \
             AND (?6 IS NULL OR n.area_code = ?6)";
        let mut page_params = params.to_vec();
        page_params.push(opt_text(after));
        page_params.push(int(limit));
        let rows = self.store.db.query(
            &format!("SELECT {INVENTORY_COLUMNS} FROM {INVENTORY_FROM} WHERE {matching} AND (?7 IS NULL OR n.number > ?7) ORDER BY n.number LIMIT ?8"),
            &page_params,
        ).await?;
        let total = self.store.db.query(&format!("SELECT COUNT(*) AS total FROM numbers n WHERE {matching}"), &params).await?;
        let total: i64 = total.one()?.get("total")?;
        Ok((rows.rows.iter().map(inventory_from_row).collect::<Result<_, _>>()?, total))
    }

    /// The whole inventory counted by country and kind, free and assigned.
    pub async fn inventory_counts(self) -> Result<Vec<InventoryCount>, DbError> {
        let rows = self.store.db.query(
            "SELECT country, kind, SUM(account_id IS NULL) AS free, SUM(account_id IS NOT NULL) AS assigned \
             FROM numbers GROUP BY country, kind ORDER BY country, kind",
            &[],
        ).await?;
        rows.rows
            .iter()
            .map(|r| Ok(InventoryCount { country: r.get("country")?, kind: r.get("kind")?, free: r.get("free")?, assigned: r.get("assigned")? }))
            .collect()
    }

    /// Which of `numbers` the platform holds already: (number, rented to an account).
    pub async fn held(self, numbers: &[&str]) -> Result<Vec<(String, bool)>, DbError> {
        let list = serde_json::to_string(numbers).map_err(|e| DbError(e.to_string()))?;
        let rows = self.store.db.query(
            "SELECT number, account_id IS NOT NULL AS assigned FROM numbers WHERE number IN (SELECT value FROM json_each(?))",
            &[text(list)],
        ).await?;
        rows.rows.iter().map(|r| Ok((r.get("number")?, r.get("assigned")?))).collect()
    }

    /// Puts numbers in the inventory, free, in one statement (none of them held yet: a
    /// number held already fails it on the primary key, and nothing is added).
    pub async fn add_to_inventory(self, numbers: &[HeldNumber], added_by: &Actor) -> Result<(), DbError> {
        let rows: Vec<serde_json::Value> = numbers
            .iter()
            .map(|n| {
                serde_json::json!({
                    "number": n.number.as_str(), "country": n.country, "kind": n.kind.as_str(),
                    "area_code": n.area_code, "region": n.region,
                    "monthly_price_minor": n.monthly_price.map(|(minor, _)| minor),
                    "currency": n.monthly_price.map(|(_, currency)| currency.code()),
                    "note": n.note,
                })
            })
            .collect();
        self.store.db.execute(
            "INSERT INTO numbers (number, country, kind, area_code, region, monthly_price_minor, currency, note, added_by) \
             SELECT value ->> 'number', value ->> 'country', value ->> 'kind', value ->> 'area_code', value ->> 'region', \
                    value ->> 'monthly_price_minor', value ->> 'currency', value ->> 'note', ?2 \
             FROM json_each(?1) ORDER BY key",
            &[text(serde_json::Value::Array(rows).to_string()), text(added_by)],
        ).await
    }

    /// Takes a free number out of the inventory; an assigned one stays.
    pub async fn remove_free_number(self, number: &str) -> Result<Removal, DbError> {
        let rows = self.store.db.query("DELETE FROM numbers WHERE number = ? AND account_id IS NULL RETURNING number", &[text(number)]).await?;
        if !rows.rows.is_empty() {
            return Ok(Removal::Removed);
        }
        Ok(if self.number_account(number).await?.is_some() { Removal::Assigned } else { Removal::NotHeld })
    }

    pub async fn numbers(self, account_id: &str) -> Result<Vec<NumberView>, DbError> {
        let rows = self.store.db.query(
            // Since when the account has it: its assignment (a number of the inventory came
            // to the platform earlier).
            "SELECT number, country, kind, account_id, role, COALESCE(assigned_at, created_at) AS created_at FROM numbers \
             WHERE account_id = ? ORDER BY role = 'primary' DESC, number",
            &[text(account_id)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                Ok(NumberView {
                    number: r.get("number")?,
                    country: r.get("country")?,
                    kind: r.get("kind")?,
                    account_id: r.get("account_id")?,
                    role: r.get("role")?,
                    created_at: r.get("created_at")?,
                })
            })
            .collect()
    }

    /// The account that receives on `number`, with its inbound settings; none for a number
    /// nobody rents (not held, or free in the inventory: the join finds no account).
    pub async fn inbound_settings_for_number(self, number: &str) -> Result<Option<InboundSettings>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {SETTINGS_COLUMNS} FROM numbers n JOIN accounts a ON a.id = n.account_id WHERE n.number = ?"),
            &[text(number)],
        ).await?;
        rows.rows.first().map(settings_from_row).transpose()
    }

    pub async fn inbound_settings(self, account_id: &str) -> Result<Option<InboundSettings>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {SETTINGS_COLUMNS} FROM accounts a WHERE a.id = ?"), &[text(account_id)]).await?;
        rows.rows.first().map(settings_from_row).transpose()
    }

    pub async fn update_inbound_settings(self, account_id: &str, patch: &InboundSettingsPatch<'_>) -> Result<(), DbError> {
        let (set_help, help) = patch_value(patch.help_reply);
        let (set_opt_out, opt_out) = patch_value(patch.opt_out_reply);
        let (set_save, save) = patch_value(patch.save_reply);
        let (set_webhook, webhook) = patch_value(patch.inbound_webhook);
        self.store.db.execute(
            "UPDATE accounts SET languages = COALESCE(?2, languages), \
             stop_by_reply = COALESCE(?3, stop_by_reply), stop_by_link = COALESCE(?4, stop_by_link), \
             help_reply = CASE WHEN ?5 THEN ?6 ELSE help_reply END, \
             opt_out_reply = CASE WHEN ?7 THEN ?8 ELSE opt_out_reply END, \
             save_reply = CASE WHEN ?9 THEN ?10 ELSE save_reply END, \
             inbound_webhook = CASE WHEN ?11 THEN ?12 ELSE inbound_webhook END, \
             inbound_format = COALESCE(?13, inbound_format) WHERE id = ?1",
            &[
                text(account_id),
                opt_text(patch.languages),
                patch.stop_by_reply.map(|b| int(b as i64)).unwrap_or(Value::Null),
                patch.stop_by_link.map(|b| int(b as i64)).unwrap_or(Value::Null),
                set_help,
                help,
                set_opt_out,
                opt_out,
                set_save,
                save,
                set_webhook,
                webhook,
                opt_text(patch.inbound_format.map(CallbackFormat::as_str)),
            ],
        ).await
    }

    // ------------------------------------------------------------ keywords

    pub async fn keywords(self, account_id: &str) -> Result<Vec<KeywordView>, DbError> {
        let rows = self.store.db.query(
            "SELECT word, reply, forward_url, created_at FROM keywords WHERE account_id = ? ORDER BY word_key",
            &[text(account_id)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                Ok(KeywordView {
                    word: r.get("word")?,
                    reply: r.get("reply")?,
                    forward_url: r.get("forward_url")?,
                    created_at: r.get("created_at")?,
                })
            })
            .collect()
    }

    pub async fn set_keyword(self, account_id: &str, word: &str, word_key: &str, reply: Option<&str>, forward_url: Option<&str>) -> Result<(), DbError> {
        self.store.db.execute(
            "INSERT INTO keywords (account_id, word, word_key, reply, forward_url) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (account_id, word_key) DO UPDATE SET word = excluded.word, reply = excluded.reply, \
             forward_url = excluded.forward_url",
            &[text(account_id), text(word), text(word_key), opt_text(reply), opt_text(forward_url)],
        ).await
    }

    pub async fn delete_keyword(self, account_id: &str, word_key: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "DELETE FROM keywords WHERE account_id = ? AND word_key = ? RETURNING word",
            &[text(account_id), text(word_key)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    // ------------------------------------------------------------ reassembly

    /// Keeps one part of a long message (a repeated part is ignored). When this part
    /// completes the message, its parts are taken out (in one transaction, so exactly one
    /// caller gets them) and returned in order.
    #[allow(clippy::too_many_arguments)]
    pub async fn keep_inbound_part(
        self,
        carrier: &str,
        sender: &str,
        reference: &str,
        part: u32,
        parts: u32,
        recipient: &str,
        carrier_message_id: &str,
        body: &str,
    ) -> Result<Option<Vec<StoredPart>>, DbError> {
        self.store.db.transaction(async |db| {
            db.execute(
                "INSERT INTO inbound_parts (carrier, sender, reference, part, parts, recipient, carrier_message_id, body) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                &[
                    text(carrier),
                    text(sender),
                    text(reference),
                    int(part as i64),
                    int(parts as i64),
                    text(recipient),
                    text(carrier_message_id),
                    text(body),
                ],
            ).await?;
            let count = db.query(
                "SELECT COUNT(*) AS kept FROM inbound_parts WHERE carrier = ? AND sender = ? AND reference = ?",
                &[text(carrier), text(sender), text(reference)],
            ).await?;
            if count.one()?.get::<i64>("kept")? < parts as i64 {
                return Ok(None);
            }
            Ok(Some(take_parts(db, carrier, sender, reference).await?))
        }).await
    }

    /// Long messages whose first part came more than `minutes` ago and are still not
    /// whole: taken out, to be processed with what arrived.
    pub async fn stale_inbound_parts(self, minutes: i64, limit: i64) -> Result<Vec<PartGroup>, DbError> {
        self.store.db.transaction(async |db| {
            let groups = db.query(
                "SELECT carrier, sender, reference, MAX(parts) AS parts, MIN(recipient) AS recipient FROM inbound_parts \
                 GROUP BY carrier, sender, reference \
                 HAVING MIN(received_at) <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ? || ' minutes') LIMIT ?",
                &[int(minutes), int(limit)],
            ).await?;
            let mut taken = Vec::new();
            for g in &groups.rows {
                let (carrier, sender, reference): (String, String, String) = (g.get("carrier")?, g.get("sender")?, g.get("reference")?);
                let (parts, recipient) = (g.get::<i64>("parts")? as u32, g.get("recipient")?);
                let pieces = take_parts(db, &carrier, &sender, &reference).await?;
                taken.push(PartGroup { carrier, sender, reference, parts, recipient, pieces });
            }
            Ok(taken)
        }).await
    }

    // ------------------------------------------------------------ the inbox

    /// Stores an inbound message once per carrier id; None when it was stored before.
    pub async fn record_inbound(self, inbound: &NewInbound<'_>) -> Result<Option<String>, DbError> {
        let id = new_id("inb");
        let rows = self.store.db.query(
            "INSERT INTO inbound_messages (id, account_id, carrier, carrier_message_id, sender, recipient, body, parts, \
             missing_parts, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ?2 IS NULL THEN 'unknown_number' ELSE 'none' END) \
             ON CONFLICT DO NOTHING RETURNING id",
            &[
                text(&id),
                opt_text(inbound.account_id),
                text(inbound.carrier),
                text(inbound.carrier_message_id),
                text(inbound.sender),
                text(inbound.recipient),
                text(inbound.body),
                int(inbound.parts as i64),
                opt_text(inbound.missing_parts),
            ],
        ).await?;
        rows.rows.first().map(|r| r.get("id")).transpose()
    }

    /// Records what the keywords made of a message and queues it for each URL it goes to
    /// (the account's inbound webhook, a keyword's forward) in its format, signed and
    /// retried exactly like status callbacks. The first URL's event id is `evt_<inbound id>`.
    pub async fn finish_inbound(
        self,
        inbound_id: &str,
        action: &str,
        detail: Option<&str>,
        forwards: &[(&str, CallbackFormat)],
    ) -> Result<(), DbError> {
        self.store.db.transaction(async |db| {
            db.execute(
                "UPDATE inbound_messages SET action = ?, action_detail = ? WHERE id = ?",
                &[text(action), opt_text(detail), text(inbound_id)],
            ).await?;
            for (n, (url, format)) in forwards.iter().enumerate() {
                let suffix = if n == 0 { String::new() } else { format!("_{n}") };
                db.execute(
                    "INSERT INTO callback_deliveries (event_id, kind, account_id, inbound_id, url, next_attempt_at, format) \
                     SELECT 'evt_' || id || ?, 'message.inbound', account_id, id, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ? \
                     FROM inbound_messages WHERE id = ? AND account_id IS NOT NULL ON CONFLICT DO NOTHING",
                    &[text(suffix), text(*url), text(format.as_str()), text(inbound_id)],
                ).await?;
            }
            Ok(())
        }).await
    }

    pub async fn inbox(self, account_id: &str, filter: &InboxFilter<'_>, limit: i64) -> Result<Vec<InboundView>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE account_id = ?1 \
                 AND (?2 IS NULL OR sender = ?2) AND (?3 IS NULL OR action = ?3) \
                 AND (?4 IS NULL OR received_at >= ?4) AND (?5 IS NULL OR received_at < ?5) \
                 AND (?6 IS NULL OR (received_at, id) < (SELECT received_at, id FROM inbound_messages WHERE id = ?6)) \
                 ORDER BY received_at DESC, id DESC LIMIT ?7"
            ),
            &[
                text(account_id),
                opt_text(filter.from),
                opt_text(filter.action),
                opt_text(filter.since),
                opt_text(filter.until),
                opt_text(filter.before),
                int(limit),
            ],
        ).await?;
        rows.rows.iter().map(inbound_from_row).collect()
    }

    // ------------------------------------------------------------ TwiML replies

    /// Takes reply `index` of an inbound message's TwiML answer to send: true the first
    /// time only, so a callback delivered again sends none of its replies twice.
    pub async fn claim_twiml_reply(self, inbound_id: &str, index: usize) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "INSERT INTO twiml_replies (inbound_id, reply_index) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING reply_index",
            &[text(inbound_id), int(index as i64)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// What became of a claimed reply: the message sent, or why none was.
    pub async fn record_twiml_reply(self, inbound_id: &str, index: usize, message_id: Option<&str>, detail: Option<&str>) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE twiml_replies SET message_id = ?3, detail = ?4 WHERE inbound_id = ?1 AND reply_index = ?2",
            &[text(inbound_id), int(index as i64), opt_text(message_id), opt_text(detail)],
        ).await
    }

    pub(super) async fn inbound_message_by_id(self, id: &str) -> Result<Option<InboundView>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = ?"), &[text(id)]).await?;
        rows.rows.first().map(inbound_from_row).transpose()
    }

    pub async fn inbound_message(self, account_id: &str, id: &str) -> Result<Option<InboundView>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {INBOUND_COLUMNS} FROM inbound_messages WHERE id = ? AND account_id = ?"),
            &[text(id), text(account_id)],
        ).await?;
        rows.rows.first().map(inbound_from_row).transpose()
    }
}

async fn take_parts(db: &crate::db::Db, carrier: &str, sender: &str, reference: &str) -> Result<Vec<StoredPart>, DbError> {
    let rows = db.query(
        "DELETE FROM inbound_parts WHERE carrier = ? AND sender = ? AND reference = ? RETURNING part, body, carrier_message_id",
        &[text(carrier), text(sender), text(reference)],
    ).await?;
    let mut pieces = rows
        .rows
        .iter()
        .map(|r| Ok(StoredPart { part: r.get::<i64>("part")? as u32, body: r.get("body")?, carrier_message_id: r.get("carrier_message_id")? }))
        .collect::<Result<Vec<_>, DbError>>()?;
    pieces.sort_by_key(|p| p.part);
    Ok(pieces)
}
