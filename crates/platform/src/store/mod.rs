//! The storage layer: every SQL statement of the application lives in this module
//! (this file, `dispatch.rs`, `receipts.rs`) and the migrations.

use crate::db::{int, opt_text, text, Db, DbError, LockTurn, RowExt};
use crate::ids::new_id;
use group::PendingSend;
use domain::identity::access::{Actor, IpAllowlist, KeyAccess, Scopes};
use domain::billing::money::Currency;
use domain::billing::funds::{Charge, Funds, InsufficientFunds, Paid, Payment};
use domain::messaging::policy::refund_due_for;
use domain::messaging::send::Quote;
use domain::messaging::status::{transition, Status, Transition};
use domain::messaging::recipient::NumberContext;
use domain::accounts::account::AccountKind;
use domain::callbacks::twilio::CallbackFormat;
use crate::db::Value;

mod account_profile;
mod contacts;
mod audit;
mod carriers;
mod dispatch;
mod identity;
mod idempotency;
mod inbound;
mod packages;
mod prices;
mod queue;
mod group;
mod payments;
mod receipts;
mod reports;
mod rules;
mod send_lookups;
mod signup;
mod staff;
mod reseller;

pub use account_profile::Accounts;
pub use audit::Audit;
pub use carriers::{Carriers, ConnectionChange, MarginRow, NewConnection, RouteView, StoredConnection, StoredCost};
pub use contacts::Contacts;
pub use dispatch::Callbacks;
pub use identity::Identity;
pub use inbound::Inbound;
pub use packages::Billing;
pub use queue::Queue;
pub use receipts::Receipts;
pub use reports::Reports;
pub use rules::{Campaign, RegisteredSender, RegistrationCountry, Rules, StoredRule};

pub use payments::{CreditRecorded, ManualCredit, ManualCreditError, PaymentView, TopupSettled};
pub use receipts::{IncomingReceipt, ReceiptOutcome};
pub use reports::{InvoiceRequest, InvoiceSummary, IssueOutcome};
pub use packages::{
    CancelSubscription, CreditBalances, CreditEntry, NumberRoom, PackageView, Purchase, RenewalReport, SubscriptionView,
};
pub use prices::{PriceRuleEnd, StoredPriceRule};
pub use send_lookups::{forget_kept_lookups, kept_lookups_paid, KeptFor, Lookups, SendDestinations, SendLookups};
pub use contacts::{
    BlockEntry, ContactFields, ContactPatch, ContactView, ContactWrite, GroupRef, GroupView, GroupWrite, MemberRemoved, MembersAdded,
    SavedContact,
};

/// The storage format of instants, the one SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ')`
/// writes, so that text order is time order in every comparison.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
pub use account_profile::{
    AccountListRow, AccountProfile, CompanyProfile, ContactProfile, ProfileUpdate, ProfileUpdateError, SmppCreated, SmppCredentialView,
    SmppUpdate,
};
pub use audit::{AuditEventView, OperatorEventRow, Subject};
pub use reseller::{Reseller, SealedChange, SettingsEvent, StoredCompany, StoredGateway};
pub use signup::{DomainSettings, Signup, SignupAccount, SignupDomainView};
pub use staff::{GroupMember, NewStaff, Staff, StaffChange, StaffGroupRef, StaffGroupView, StaffRecord, StaffView, StaffWriteError};
pub use identity::{
    EmailView, IssuedToken, MemberView, MembershipChange, PhoneCodeCheck, PhoneCodeSendView, ProfilePatch, SharedAccess,
    SharedUserView, UserAccountView, UserRecord,
};
pub use inbound::{
    Assignment, InboundSettings, InboundSettingsPatch, InboundView, InboxFilter, InventoryCount, InventoryNumberView, KeywordView, NewInbound, NumberView, PartGroup, Removal, StoredPart,
};
pub use queue::{Claim, DueMessage, QueueState};
pub use idempotency::{Created, Kept, StoredAnswer, IN_PROGRESS};
pub use dispatch::{
    AccountSettings, AttemptResult, CallbackDeliveryView, CallbackEvent, CancelOutcome, ClaimedCallback, StatusEventRow,
};

/// Who is calling, resolved from an API key.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: String,
    pub currency: Currency,
    pub blocked: bool,
    /// IANA name; local send times are read in it.
    pub time_zone: String,
    /// The account's default status callback URL.
    pub status_callback: Option<String>,
    /// Every SMS carries an unsubscribe link (seed 001 stop-service).
    pub stop_by_link: bool,
    /// How the account's numbers are read: national ones in its country (seed 000's
    /// account type), or only in international form.
    pub numbers: NumberContext,
    /// The operator's request rate limits for this client (None: the platform's default).
    pub rate_limits: RateLimits,
    /// Who acts, for the account's history.
    pub actor: Actor,
}

/// What an operator changes on an account (absent: unchanged).
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub credit_limit_minor: Option<i64>,
    pub blocked: Option<bool>,
    /// Some(None): back to the platform's default.
    pub rate_limit_per_second: Option<Option<i64>>,
    pub key_rate_limit_per_second: Option<Option<i64>>,
}

/// A patch of a nullable column as two parameters: whether to set it, and to what.
fn optional_patch(patch: Option<Option<i64>>) -> (Value, Value) {
    match patch {
        None => (int(0), Value::Null),
        Some(value) => (int(1), value.map(int).unwrap_or(Value::Null)),
    }
}

/// Requests per second an operator set for a client: the whole account, and each of its
/// API keys (domain::api::ratelimit). None: the platform's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RateLimits {
    pub account: Option<i64>,
    pub key: Option<i64>,
}

#[derive(Debug)]
pub enum StoreError {
    Db(DbError),
    InsufficientFunds { balance: i64, credit_limit: i64, needed: i64 },
    NotFound,
    /// A send decided on kept lookups that changed since (or to a blocked recipient):
    /// nothing was stored; make it again from lookups read afresh.
    StaleLookups,
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        StoreError::Db(e)
    }
}

impl From<InsufficientFunds> for StoreError {
    fn from(e: InsufficientFunds) -> Self {
        StoreError::InsufficientFunds { balance: e.balance_minor, credit_limit: e.credit_limit_minor, needed: e.needed_minor }
    }
}

pub struct Store {
    db: Db,
}

// ---------------------------------------------------------------- accounts and keys

#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    /// `swedish` or `international` (seed 000).
    pub kind: String,
    pub currency: String,
    pub balance_minor: i64,
    pub credit_limit_minor: i64,
    pub blocked: bool,
    pub created_at: String,
    pub ledger_sum_minor: i64,
    pub ledger_entries: i64,
    /// Requests per second the operator set (null: the platform's default).
    pub rate_limits: RateLimits,
    /// `approved`, or where a self-signup stands: `awaiting_email`, `pending`, `rejected`
    /// (domain::accounts::signup::Approval).
    pub approval: String,
    /// The white-label domain a self-signup came through.
    pub signup_domain: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub amount_minor: i64,
    pub balance_after_minor: i64,
    pub kind: String,
    pub reference: String,
    pub description: String,
    pub created_at: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiKeyView {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub hint: String,
    pub scopes: Scopes,
    /// Empty: any address.
    pub allowed_ips: IpAllowlist,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A change to a key; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ApiKeyPatch<'a> {
    pub name: Option<&'a str>,
    pub scopes: Option<Scopes>,
    /// `Some(IpAllowlist::any())` removes the limit.
    pub allowed_ips: Option<&'a IpAllowlist>,
}

#[derive(Debug)]
pub enum ApiKeyUpdate {
    Updated(ApiKeyView),
    /// A revoked key stays as it was revoked.
    Revoked,
    NotFound,
}

/// The columns every INSERT of messages names; [`insert_rows`] gives the rows.
const INSERT_MESSAGES: &str = "INSERT INTO messages (id, account_id, batch_id, client_reference, sender, recipient, country, body, \
     encoding, segments, price_minor, credits, currency, carrier, route_plan, status, status_callback, callback_format, send_at, \
     expires_at, original_sender, original_body, status_source, due_at, lookups_version) VALUES ";

/// The rows (`(?,…),(?,…)`) of a send's messages `ids`, which start at `offset` in its
/// quote, paid as `payments` say, and their parameters (24 a row).
fn insert_rows(send: &NewSend<'_>, offset: usize, ids: &[String], payments: &[Payment]) -> (String, Vec<Value>) {
    let mut rows = String::new();
    let mut params = Vec::with_capacity(ids.len() * 24);
    let priced = send.quote.messages[offset..offset + ids.len()].iter().zip(ids).zip(payments);
    for (i, ((priced, id), payment)) in priced.enumerate() {
        if i > 0 {
            rows.push(',');
        }
        // Due at once, or at its send time.
        rows.push_str("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'billing',COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),?)");
        let form = &send.forms[offset + i];
        params.extend([
            text(id.as_str()),
            text(send.account_id),
            text(send.batch_id),
            opt_text(send.client_reference),
            text(form.sender),
            text(priced.recipient.e164()),
            text(priced.recipient.region().as_str()),
            text(send.bodies[offset + i].as_str()),
            text(form.encoding),
            int(i64::from(priced.segments)),
            int(payment.money_minor()),
            int(i64::from(payment.credits())),
            text(priced.price.currency().code()),
            text(send.carriers[offset + i].as_str()),
            opt_text(send.route_plans[offset + i].as_deref()),
            int(Status::Funded.code() as i64),
            opt_text(send.status_callback),
            text(send.callback_format.as_str()),
            opt_text(send.send_at),
            text(send.expires_at),
            opt_text(form.original_sender),
            opt_text(form.original_body),
            opt_text(send.send_at),
            send.lookups_version.map_or(Value::Null, int),
        ]);
    }
    (rows, params)
}

/// Rows per INSERT of a send (see `create_send`).
const INSERT_CHUNK: usize = 1_000;

/// The largest send written by group commit; larger ones take the write lock first.
const GROUP_COMMIT_ROWS: usize = 20;

const API_KEY_COLUMNS: &str = "id, account_id, name, hint, scopes, allowed_ips, created_at, revoked_at";

fn api_key_from_row(r: &crate::host::Row) -> Result<ApiKeyView, DbError> {
    Ok(ApiKeyView {
        id: r.get("id")?,
        account_id: r.get("account_id")?,
        name: r.get("name")?,
        hint: r.get("hint")?,
        scopes: Scopes::from_stored(&r.get::<String>("scopes")?),
        allowed_ips: stored_allowlist(&r.get::<String>("allowed_ips")?)?,
        created_at: r.get("created_at")?,
        revoked_at: r.get("revoked_at")?,
    })
}

/// An allowlist the database holds but we cannot read is an error, never "any address".
fn stored_allowlist(stored: &str) -> Result<IpAllowlist, DbError> {
    IpAllowlist::from_stored(stored).map_err(|e| DbError(format!("unreadable api_keys.allowed_ips '{stored}': {e}")))
}

// ---------------------------------------------------------------- messages

pub struct NewSend<'a> {
    pub account_id: &'a str,
    pub batch_id: &'a str,
    pub client_reference: Option<&'a str>,
    /// How each message goes, in quote order (its parts are the quote's).
    pub forms: &'a [MessageForm<'a>],
    /// Each message's own text, in quote order (with its own unsubscribe link, if any).
    pub bodies: &'a [String],
    pub quote: &'a Quote,
    /// Each message's connection, in quote order: the first of its route plan, or the
    /// default connection's name.
    pub carriers: &'a [String],
    /// Each message's route plan (JSON: connection names in order), `None` for the
    /// default connection; in quote order.
    pub route_plans: &'a [Option<String>],
    pub message_ids: &'a [String],
    pub status_callback: Option<&'a str>,
    /// How its status callbacks are written: Twilio's form for a `StatusCallback` given to
    /// Twilio's API, else ours.
    pub callback_format: CallbackFormat,
    /// When the delivery queue may take it (at once when None).
    pub send_at: Option<&'a str>,
    pub expires_at: &'a str,
    /// The account's means as read with the send's lookups, if they were: the send is
    /// paid from them when they still hold at the write (else from means read then).
    pub funds_seen: Option<Funds>,
    /// The version of the account's lookups, when the send was decided on kept ones
    /// (store::send_lookups): the INSERT is refused if they changed since.
    pub lookups_version: Option<i64>,
}

/// How one message of a send goes: its sender and encoding after the operator's rules,
/// and what the customer asked for when a rule changed it.
#[derive(Debug, Clone, Copy)]
pub struct MessageForm<'a> {
    pub sender: &'a str,
    pub encoding: &'static str,
    pub original_sender: Option<&'a str>,
    pub original_body: Option<&'a str>,
}

impl NewSend<'_> {
    /// What each message costs, in quote order.
    fn charges(&self) -> Vec<Charge> {
        self.quote.messages.iter().map(|m| Charge { segments: m.segments, price_minor: m.price.minor() }).collect()
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageEvent {
    pub status: u16,
    pub name: &'static str,
    pub at: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MessageRecord {
    pub id: String,
    pub account_id: String,
    pub batch_id: String,
    pub client_reference: Option<String>,
    pub sender: String,
    pub recipient: String,
    pub country: String,
    pub body: String,
    pub encoding: String,
    pub segments: i64,
    pub price_minor: i64,
    pub currency: String,
    pub carrier: String,
    pub carrier_message_id: Option<String>,
    pub status: Status,
    pub status_at: String,
    /// Why it has its status, in words (a refusal's reason, a carrier's error).
    pub status_detail: Option<String>,
    pub created_at: String,
    /// When a scheduled message leaves (UTC), else None.
    pub send_at: Option<String>,
    /// What the customer asked for, when an operator's rule changed it (else None).
    pub original_sender: Option<String>,
    pub original_body: Option<String>,
}

/// Which of an account's messages a listing shows; `None` is any.
#[derive(Debug, Default)]
pub struct MessageFilter<'a> {
    pub status: Option<u16>,
    /// E.164.
    pub recipient: Option<&'a str>,
    /// The sender as stored.
    pub sender: Option<&'a str>,
    pub batch_id: Option<&'a str>,
    /// Stored timestamps (see [`timestamp`]): created at or after / before.
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    /// A caseless GLOB pattern the text must match (domain::accounts::account::search_pattern).
    pub text: Option<&'a str>,
    /// Oldest first (the cursor then pages forward); newest first otherwise.
    pub oldest_first: bool,
}

/// What happened to a status change someone asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutcome {
    Applied { refunded: bool },
    Ignored,
}

/// Where a message stands once its submit is recorded and the receipts kept for its
/// carrier id (if any arrived before the submit response) are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmitRecorded {
    pub status: Status,
    pub refunded: bool,
    /// Kept receipts that found the message.
    pub kept_receipts: usize,
}

pub(super) const CALLER_COLUMNS: &str = "a.id AS account_id, a.currency, a.blocked, a.time_zone, a.status_callback, a.stop_by_link, a.kind AS account_kind, \
     a.rate_limit_per_second AS account_rate_limit, a.key_rate_limit_per_second AS key_rate_limit";

/// The caller of a row of [`CALLER_COLUMNS`]. A currency the domain cannot read is an
/// error (it was "no such caller", an unexplained 401).
fn caller_from_row(row: &crate::host::Row) -> Result<Caller, DbError> {
    let stored: String = row.get("currency")?;
    let currency = Currency::parse(&stored).map_err(|_| DbError(format!("unreadable accounts.currency '{stored}'")))?;
    let kind: String = row.get("account_kind")?;
    let kind = AccountKind::parse(&kind).map_err(|_| DbError(format!("unreadable accounts.kind '{kind}'")))?;
    Ok(Caller {
        account_id: row.get("account_id")?,
        currency,
        blocked: row.get("blocked")?,
        time_zone: row.get("time_zone")?,
        status_callback: row.get("status_callback")?,
        stop_by_link: row.get("stop_by_link")?,
        numbers: kind.number_context(),
        rate_limits: RateLimits { account: row.get("account_rate_limit")?, key: row.get("key_rate_limit")? },
        actor: Actor::System,
    })
}

/// What a key may do, beside [`CALLER_COLUMNS`] of its account.
pub(super) const KEY_COLUMNS: &str = "k.scopes AS key_scopes, k.allowed_ips AS key_allowed_ips, k.id AS key_id";

/// The caller a key stands for, what it may do and its id, from [`CALLER_COLUMNS`] and
/// [`KEY_COLUMNS`].
pub(super) fn caller_from_key_row(row: &crate::host::Row) -> Result<(Caller, KeyAccess, String), DbError> {
    let mut caller = caller_from_row(row)?;
    let key_id: String = row.get("key_id")?;
    caller.actor = Actor::Key(key_id.clone());
    let access = KeyAccess {
        scopes: Scopes::from_stored(&row.get::<String>("key_scopes")?),
        allowed_ips: stored_allowlist(&row.get::<String>("key_allowed_ips")?)?,
    };
    Ok((caller, access, key_id))
}

const MESSAGE_COLUMNS: &str = "id, account_id, batch_id, client_reference, sender, recipient, country, body, \
     encoding, segments, price_minor, currency, carrier, carrier_message_id, status, status_at, status_detail, created_at, send_at, \
     original_sender, original_body";

fn message_from_row(row: &crate::host::Row) -> Result<MessageRecord, DbError> {
    Ok(MessageRecord {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        batch_id: row.get("batch_id")?,
        client_reference: row.get("client_reference")?,
        sender: row.get("sender")?,
        recipient: row.get("recipient")?,
        country: row.get("country")?,
        body: row.get("body")?,
        encoding: row.get("encoding")?,
        segments: row.get("segments")?,
        price_minor: row.get("price_minor")?,
        currency: row.get("currency")?,
        carrier: row.get("carrier")?,
        carrier_message_id: row.get("carrier_message_id")?,
        status: Status::from_code(row.get::<i64>("status")? as u16).unwrap_or(Status::Unknown),
        status_at: row.get("status_at")?,
        status_detail: row.get("status_detail")?,
        created_at: row.get("created_at")?,
        send_at: row.get("send_at")?,
        original_sender: row.get("original_sender")?,
        original_body: row.get("original_body")?,
    })
}


impl Store {
    pub async fn open() -> Result<Store, DbError> {
        Ok(Store { db: Db::open(LockTurn::Request).await? })
    }

    /// As [`Store::open`], for delivery after a send: its writes ask again for the lock
    /// sooner than requests' do (see `db::LockTurn`).
    pub async fn open_for_delivery() -> Result<Store, DbError> {
        Ok(Store { db: Db::open(LockTurn::Delivery).await? })
    }
}

impl Identity<'_> {
    // ------------------------------------------------------------ callers, accounts

    /// The caller an unrevoked key stands for, with what the key may do and from where:
    /// one query (on every API request; a send reads its lookups in it too, see
    /// [`Messages::caller_by_key_hash_with_send_lookups`]).
    pub async fn caller_by_key_hash(self, key_hash: &str) -> Result<Option<(Caller, KeyAccess, String)>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {CALLER_COLUMNS}, {KEY_COLUMNS} \
                 FROM api_keys k JOIN accounts a ON a.id = k.account_id \
                 WHERE k.key_hash = ? AND k.revoked_at IS NULL"
            ),
            &[text(key_hash)],
        ).await?;
        rows.rows.first().map(caller_from_key_row).transpose()
    }

    /// The account acting on its own behalf (the platform's replies for it).
    pub async fn caller_for_account(self, account_id: &str) -> Result<Option<Caller>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {CALLER_COLUMNS} FROM accounts a WHERE a.id = ?"), &[text(account_id)]).await?;
        rows.rows.first().map(caller_from_row).transpose()
    }
}

impl Accounts<'_> {
    pub async fn create_account(self, name: &str, kind: &str, currency: Currency, credit_limit_minor: i64) -> Result<String, DbError> {
        let id = new_id("acc");
        self.store.db.execute(
            "INSERT INTO accounts (id, name, kind, currency, credit_limit_minor) VALUES (?, ?, ?, ?, ?)",
            &[text(&id), text(name), text(kind), text(currency.code()), int(credit_limit_minor)],
        ).await?;
        Ok(id)
    }

    pub async fn account(self, id: &str) -> Result<Option<AccountView>, DbError> {
        let rows = self.store.db.query(
            "SELECT a.id, a.name, a.currency, a.balance_minor, a.credit_limit_minor, a.blocked, a.created_at, \
                    (SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_entries WHERE account_id = a.id) AS ledger_sum_minor, \
                    (SELECT COUNT(*) FROM ledger_entries WHERE account_id = a.id) AS ledger_entries, a.kind, \
                    a.rate_limit_per_second AS account_rate_limit, a.key_rate_limit_per_second AS key_rate_limit, \
                    a.approval, a.signup_domain \
             FROM accounts a WHERE a.id = ?",
            &[text(id)],
        ).await?;
        rows.rows
            .first()
            .map(|row| {
                Ok(AccountView {
                    id: row.get("id")?,
                    name: row.get("name")?,
                    kind: row.get("kind")?,
                    currency: row.get("currency")?,
                    balance_minor: row.get("balance_minor")?,
                    credit_limit_minor: row.get("credit_limit_minor")?,
                    blocked: row.get("blocked")?,
                    created_at: row.get("created_at")?,
                    ledger_sum_minor: row.get("ledger_sum_minor")?,
                    ledger_entries: row.get("ledger_entries")?,
                    rate_limits: RateLimits { account: row.get("account_rate_limit")?, key: row.get("key_rate_limit")? },
                    approval: row.get("approval")?,
                    signup_domain: row.get("signup_domain")?,
                })
            })
            .transpose()
    }

    /// The operator's changes to an account; a rate limit set to `Some(None)` goes back
    /// to the platform's default.
    pub async fn update_account(self, id: &str, change: &AccountChange) -> Result<bool, DbError> {
        let (account_limit_set, account_limit) = optional_patch(change.rate_limit_per_second);
        let (key_limit_set, key_limit) = optional_patch(change.key_rate_limit_per_second);
        let rows = self.store.db.query(
            "UPDATE accounts SET credit_limit_minor = COALESCE(?1, credit_limit_minor), blocked = COALESCE(?2, blocked), \
                    rate_limit_per_second = CASE WHEN ?4 THEN ?5 ELSE rate_limit_per_second END, \
                    key_rate_limit_per_second = CASE WHEN ?6 THEN ?7 ELSE key_rate_limit_per_second END \
             WHERE id = ?3 RETURNING id",
            &[
                change.credit_limit_minor.map(int).unwrap_or(Value::Null),
                change.blocked.map(|b| int(b as i64)).unwrap_or(Value::Null),
                text(id),
                account_limit_set,
                account_limit,
                key_limit_set,
                key_limit,
            ],
        ).await?;
        Ok(!rows.rows.is_empty())
    }
}

impl Billing<'_> {
    /// The account's ledger, newest first; `before` pages on from an entry id.
    pub async fn ledger(self, account_id: &str, limit: i64, before: Option<i64>) -> Result<Vec<LedgerEntry>, DbError> {
        let rows = self.store.db.query(
            "SELECT id, amount_minor, balance_after_minor, kind, reference, description, created_at \
             FROM ledger_entries WHERE account_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
            &[text(account_id), before.map(int).unwrap_or(Value::Null), int(limit)],
        ).await?;
        rows.rows
            .iter()
            .map(|row| {
                Ok(LedgerEntry {
                    id: row.get("id")?,
                    amount_minor: row.get("amount_minor")?,
                    balance_after_minor: row.get("balance_after_minor")?,
                    kind: row.get("kind")?,
                    reference: row.get("reference")?,
                    description: row.get("description")?,
                    created_at: row.get("created_at")?,
                })
            })
            .collect()
    }

    /// A top-up or correction by an operator: one ledger entry and its line in the
    /// account's history, in one transaction; returns the new balance.
    pub async fn credit(self, account_id: &str, amount: i64, kind: &str, reference: &str, description: &str, actor: &Actor) -> Result<i64, StoreError> {
        self.store.db.transaction(async |db| {
            let rows = db.query(
                "INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description) \
                 SELECT id, ?2, balance_minor + ?2, ?3, ?4, ?5 FROM accounts WHERE id = ?1 \
                 RETURNING balance_after_minor",
                &[text(account_id), int(amount), text(kind), text(reference), text(description)],
            ).await?;
            let balance: i64 = rows.rows.first().ok_or(StoreError::NotFound)?.get("balance_after_minor")?;
            db.execute(
                "INSERT INTO audit_events (account_id, actor, action, target, before, after) \
                 VALUES (?1, ?2, 'balance.' || ?3, ?4, json_object('balance_minor', ?5 - ?6), json_object('balance_minor', ?5))",
                &[text(account_id), text(actor), text(kind), text(reference), int(balance), int(amount)],
            ).await?;
            Ok(balance)
        }).await
    }
}

impl Identity<'_> {
    /// A key `id` for the account (None if there is no such account).
    pub async fn create_api_key(self, id: &str, account_id: &str, name: &str, hash: &str, hint: &str, access: &KeyAccess) -> Result<Option<ApiKeyView>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "INSERT INTO api_keys (id, account_id, name, key_hash, hint, scopes, allowed_ips) \
                 SELECT ?, id, ?, ?, ?, ?, ? FROM accounts WHERE id = ? RETURNING {API_KEY_COLUMNS}"
            ),
            &[
                text(id),
                text(name),
                text(hash),
                text(hint),
                text(access.scopes.to_stored()),
                text(access.allowed_ips.to_stored()),
                text(account_id),
            ],
        ).await?;
        rows.rows.first().map(api_key_from_row).transpose()
    }

    pub async fn api_keys(self, account_id: &str) -> Result<Vec<ApiKeyView>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE account_id = ? ORDER BY created_at"),
            &[text(account_id)],
        ).await?;
        rows.rows.iter().map(api_key_from_row).collect()
    }

    /// Renames a key or changes its scopes or allowlist; a revoked key is left alone.
    pub async fn update_api_key(self, key_id: &str, patch: &ApiKeyPatch<'_>) -> Result<ApiKeyUpdate, DbError> {
        let rows = self.store.db.query(
            &format!(
                "UPDATE api_keys SET name = COALESCE(?, name), scopes = COALESCE(?, scopes), allowed_ips = COALESCE(?, allowed_ips) \
                 WHERE id = ? AND revoked_at IS NULL RETURNING {API_KEY_COLUMNS}"
            ),
            &[
                patch.name.map(text).unwrap_or(Value::Null),
                patch.scopes.map(|s| text(s.to_stored())).unwrap_or(Value::Null),
                patch.allowed_ips.map(|l| text(l.to_stored())).unwrap_or(Value::Null),
                text(key_id),
            ],
        ).await?;
        if let Some(row) = rows.rows.first() {
            return Ok(ApiKeyUpdate::Updated(api_key_from_row(row)?));
        }
        let exists = self.store.db.query("SELECT 1 FROM api_keys WHERE id = ?", &[text(key_id)]).await?;
        Ok(if exists.rows.is_empty() { ApiKeyUpdate::NotFound } else { ApiKeyUpdate::Revoked })
    }

    /// The account a key belongs to.
    pub async fn key_account(self, key_id: &str) -> Result<Option<String>, DbError> {
        let rows = self.store.db.query("SELECT account_id FROM api_keys WHERE id = ?", &[text(key_id)]).await?;
        rows.rows.first().map(|r| r.get("account_id")).transpose()
    }

    pub async fn revoke_api_key(self, key_id: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             WHERE id = ? RETURNING id",
            &[text(key_id)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }
}

impl Store {
    // ------------------------------------------------------------ sending

    /// Runs `work` — store calls — in one transaction: they all commit or none do.
    pub async fn transaction<T, E: From<DbError>>(&self, work: impl AsyncFnOnce() -> Result<T, E>) -> Result<T, E> {
        self.db.transaction(async |_| work().await).await
    }
}

/// The messages of a send: storing and paying them, their submits and status changes, listing them, their lookups (send_lookups.rs) and the instance's shared INSERTs (group.rs): `store.messages()`.
#[derive(Clone, Copy)]
pub struct Messages<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn messages(&self) -> Messages<'_> {
        Messages { store: self }
    }
}

impl Messages<'_> {
    /// Stores the messages paid as domain::billing::funds decides — SMS credits or money within the
    /// credit limit — all or none, each Funded (103) and queued for delivery at once or at
    /// `send_at`; the `message_created` trigger records each debit or credit spend.
    /// Refused with nothing written when the account cannot pay.
    pub async fn create_send(self, send: &NewSend<'_>) -> Result<Paid, StoreError> {
        // The fast way, for a small send: paid from the means read with the send's lookups,
        // in one INSERT shared with the instance's other sends (store::group), no
        // transaction to pay for. The database's guards refuse it if the means changed
        // meanwhile; then, or when the read means could not pay, or for a batch, or inside a
        // transaction (an Idempotency-Key's), it is paid from means read under the write
        // lock. (A batch takes the lock first: an INSERT refused for the lock is sent again
        // whole, and a thousand rows' parameters cost more to send than the lock's wait.)
        if send.message_ids.len() <= GROUP_COMMIT_ROWS && !self.store.db.in_transaction() {
            if let Some(paid) = send.funds_seen.and_then(|funds| funds.pay(&send.charges()).ok()) {
                let (rows, params) = insert_rows(send, 0, send.message_ids, &paid.payments);
                let pending = PendingSend { rows, message_ids: send.message_ids.to_vec(), params, paid };
                if let Some(paid) = self.insert_in_group(pending).await? {
                    return Ok(paid);
                }
            }
        }
        self.store.db.transaction(async |db| {
            let paid = self.store.billing().funds_in(db, send.account_id).await?.pay(&send.charges()).map_err(StoreError::from)?;
            // Chunks of 1,000 rows × 24 parameters stay under SQLite's 32,766 bound parameters.
            for (chunk, ids) in send.message_ids.chunks(INSERT_CHUNK).enumerate() {
                let offset = chunk * INSERT_CHUNK;
                let (rows, params) = insert_rows(send, offset, ids, &paid.payments[offset..offset + ids.len()]);
                db.execute(&format!("{INSERT_MESSAGES}{rows}"), &params).await?;
            }
            Ok(paid)
        }).await
        .map_err(stale_lookups_refused)
    }
}

/// The guard of kept lookups (migration 0022) refused the INSERT.
fn stale_lookups_refused(e: StoreError) -> StoreError {
    match e {
        StoreError::Db(DbError(message)) if message.contains("stale send lookups") => StoreError::StaleLookups,
        other => other,
    }
}

impl Billing<'_> {
    /// The account's means now (in a transaction: as the transaction sees them).
    pub(super) async fn funds_in(self, db: &Db, account_id: &str) -> Result<Funds, StoreError> {
        let rows = db.query(
            "SELECT balance_minor, credit_limit_minor, sms_credits FROM accounts WHERE id = ?",
            &[text(account_id)],
        ).await?;
        let row = rows.rows.first().ok_or(StoreError::NotFound)?;
        Ok(Funds {
            balance_minor: row.get("balance_minor")?,
            credit_limit_minor: row.get("credit_limit_minor")?,
            sms_credits: row.get("sms_credits")?,
        })
    }
}

impl Messages<'_> {
    /// The carrier took these messages, one id each — `(message id, carrier id)` pairs, the
    /// id in the canonical form its carrier's adapter gives (`delivery::canonical_submit_id`)
    /// — in one statement: DeliveredToGateway (111) with their ids. Receipts that raced
    /// ahead of the submit answer and were kept for an id are applied in the same
    /// transaction, in arrival order, so none is lost either way round. A status already
    /// moved on is left as it is.
    /// Each entry is `(message id, carrier id, cost in thousandths of a minor unit or
    /// None)`; `source` names the connection that took them.
    pub async fn mark_many_submitted(self, submitted: &[(String, String, Option<i64>)], source: &str) -> Result<(), DbError> {
        if submitted.is_empty() {
            return Ok(());
        }
        let pairs = serde_json::to_string(&submitted).map_err(|e| DbError(e.to_string()))?;
        self.store.db.transaction(async |db| {
            let updated = db.query(
                "UPDATE messages SET carrier_message_id = j.value ->> 1, cost_milli = j.value ->> 2, \
                 status = CASE WHEN messages.status = ?2 THEN ?3 ELSE messages.status END, \
                 status_source = CASE WHEN messages.status = ?2 THEN ?4 ELSE messages.status_source END, \
                 status_detail = CASE WHEN messages.status = ?2 THEN NULL ELSE messages.status_detail END, \
                 status_at = CASE WHEN messages.status = ?2 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE messages.status_at END \
                 FROM json_each(?1) AS j WHERE messages.id = j.value ->> 0 \
                 RETURNING messages.id AS id, messages.carrier AS carrier, messages.carrier_message_id AS carrier_message_id, \
                 EXISTS (SELECT 1 FROM receipts r WHERE r.outcome = 'unmatched' AND r.carrier = messages.carrier \
                         AND r.carrier_message_id = messages.carrier_message_id) AS kept",
                &[text(pairs), int(Status::Sending.code() as i64), int(Status::DeliveredToGateway.code() as i64), text(source)],
            ).await?;
            for row in &updated.rows {
                if !row.get::<bool>("kept")? {
                    continue;
                }
                let ids = [row.get::<String>("carrier_message_id")?];
                self.store.receipts().apply_kept_for_in(db, &row.get::<String>("id")?, &row.get::<String>("carrier")?, &ids).await?;
            }
            Ok(())
        }).await
    }

    /// As [`Messages::mark_many_submitted`], for one message of a carrier that gave each part
    /// its own id (in part order): the message keeps the first, every part is stored with
    /// its own (`message_parts`), and receipts for any of them roll up.
    pub async fn mark_submitted_in_parts(self, message_id: &str, part_ids: &[String], source: &str, cost_milli: Option<i64>) -> Result<SubmitRecorded, DbError> {
        // The part ids must exist before a receipt can see the message's id, or a receipt
        // for part 1 would be taken for the whole message.
        self.store.db.transaction(async |db| {
            let (carrier, _, _) = self.record_submit_in(db, message_id, part_ids, source).await?;
            db.execute("UPDATE messages SET cost_milli = ? WHERE id = ?", &[cost_milli.map(int).unwrap_or(Value::Null), text(message_id)]).await?;
            for (index, id) in part_ids.iter().enumerate() {
                db.execute(
                    "INSERT INTO message_parts (message_id, part, parts, carrier, carrier_message_id) VALUES (?, ?, ?, ?, ?) \
                     ON CONFLICT (message_id, part) DO UPDATE SET carrier_message_id = excluded.carrier_message_id",
                    &[text(message_id), int(index as i64 + 1), int(part_ids.len() as i64), text(carrier.as_str()), text(id.as_str())],
                ).await?;
            }
            self.store.receipts().apply_kept_for_in(db, message_id, &carrier, part_ids).await
        }).await
    }

    /// DeliveredToGateway (111) with the first id, if the message is still Sending.
    /// Returns its carrier, its status, and whether receipts for the first id were kept
    /// (arrived before this answer: see `apply_kept_for_in`).
    async fn record_submit_in(self, db: &Db, message_id: &str, part_ids: &[String], source: &str) -> Result<(String, Status, bool), DbError> {
        let Some(first) = part_ids.first() else {
            return Err(DbError("a submitted message needs a carrier id".into()));
        };
        let updated = db.query(
            "UPDATE messages SET carrier_message_id = ?2, status = CASE WHEN status = ?4 THEN ?5 ELSE status END, \
             status_source = CASE WHEN status = ?4 THEN ?3 ELSE status_source END, \
             status_detail = CASE WHEN status = ?4 THEN NULL ELSE status_detail END, \
             status_at = CASE WHEN status = ?4 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE status_at END \
             WHERE id = ?1 RETURNING carrier, status, \
             EXISTS (SELECT 1 FROM receipts r WHERE r.outcome = 'unmatched' AND r.carrier = messages.carrier AND r.carrier_message_id = ?2) AS kept",
            &[
                text(message_id),
                text(first.as_str()),
                text(source),
                int(Status::Sending.code() as i64),
                int(Status::DeliveredToGateway.code() as i64),
            ],
        ).await?;
        let row = updated.rows.first().ok_or_else(|| DbError(format!("no message {message_id}")))?;
        let status = Status::from_code(row.get::<i64>("status")? as u16).unwrap_or(Status::Unknown);
        Ok((row.get("carrier")?, status, row.get("kept")?))
    }

    /// Moves a message to `next` if the transition rule allows, refunding its price
    /// when the policy says so — all in one transaction, refund at most once.
    pub async fn change_status(self, message_id: &str, next: Status, source: &str, detail: Option<&str>) -> Result<StatusOutcome, DbError> {
        self.store.db.transaction(async |db| self.change_status_in(db, message_id, next, source, detail).await).await
    }

    async fn change_status_in(self, db: &Db, message_id: &str, next: Status, source: &str, detail: Option<&str>) -> Result<StatusOutcome, DbError> {
        let rows = db.query(
            "SELECT status, account_id, price_minor, carrier_message_id IS NOT NULL AS reached_carrier, credits FROM messages WHERE id = ?",
            &[text(message_id)],
        ).await?;
        let Some(row) = rows.rows.first() else { return Ok(StatusOutcome::Ignored) };
        let current = Status::from_code(row.get::<i64>("status")? as u16).unwrap_or(Status::Unknown);
        if transition(current, next) != Transition::Apply {
            return Ok(StatusOutcome::Ignored);
        }
        let (account_id, price, reached_carrier): (String, i64, bool) =
            (row.get("account_id")?, row.get("price_minor")?, row.get("reached_carrier")?);
        db.execute(
            "UPDATE messages SET status = ?, status_source = ?, status_detail = ?, \
             status_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            &[int(next.code() as i64), text(source), opt_text(detail), text(message_id)],
        ).await?;
        let refunded = refund_due_for(next, reached_carrier) && price > 0 && {
            // The partial unique index turns a second refund of the same message into a no-op.
            let inserted = db.query(
                "INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description) \
                 SELECT id, ?2, balance_minor + ?2, 'refund', ?3, ?4 FROM accounts WHERE id = ?1 \
                 ON CONFLICT DO NOTHING RETURNING id",
                &[text(&account_id), int(price), text(message_id), text(format!("refund: {}", next.name()))],
            ).await?;
            !inserted.rows.is_empty()
        };
        // Paid with SMS credits: they come back as credits, at most once too.
        let credits: i64 = row.get("credits")?;
        let credits_back = !refunded
            && refund_due_for(next, reached_carrier)
            && self.store.billing().refund_credits_in(db, &account_id, message_id, credits, &format!("refund: {}", next.name())).await?;
        if refunded || credits_back {
            let detail = if credits_back { format!("{credits} SMS credit(s) returned") } else { format!("{price} minor units returned") };
            db.execute(
                "INSERT INTO message_events (message_id, status, at, source, detail) \
                 VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'billing', ?)",
                &[text(message_id), int(Status::Refunded.code() as i64), text(detail)],
            ).await?;
        }
        Ok(StatusOutcome::Applied { refunded: refunded || credits_back })
    }

    /// The account's messages, newest first (in the order they were stored: ids of one
    /// batch share a millisecond, so their order is the rowid's), filtered; `before` pages
    /// on from a message id.
    pub async fn messages(self, account_id: &str, filter: &MessageFilter<'_>, limit: i64, before: Option<&str>) -> Result<Vec<MessageRecord>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE account_id = ?1 AND deleted_at IS NULL \
                 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR recipient = ?3) AND (?4 IS NULL OR batch_id = ?4) \
                 AND (?5 IS NULL OR created_at >= ?5) AND (?6 IS NULL OR created_at < ?6) \
                 AND (?7 IS NULL OR (CASE WHEN ?11 THEN rowid > (SELECT rowid FROM messages WHERE id = ?7 AND account_id = ?1) \
                                          ELSE rowid < (SELECT rowid FROM messages WHERE id = ?7 AND account_id = ?1) END)) \
                 AND (?9 IS NULL OR sender = ?9) AND (?10 IS NULL OR body GLOB ?10) \
                 ORDER BY {order} LIMIT ?8",
                order = if filter.oldest_first { "rowid ASC" } else { "rowid DESC" }
            ),
            &[
                text(account_id),
                filter.status.map(|s| int(s as i64)).unwrap_or(Value::Null),
                opt_text(filter.recipient),
                opt_text(filter.batch_id),
                opt_text(filter.since),
                opt_text(filter.until),
                opt_text(before),
                int(limit),
                opt_text(filter.sender),
                opt_text(filter.text),
                int(filter.oldest_first as i64),
            ],
        ).await?;
        rows.rows.iter().map(message_from_row).collect()
    }

    pub async fn message(self, account_id: &str, message_id: &str) -> Result<Option<(MessageRecord, Vec<MessageEvent>)>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ? AND account_id = ? AND deleted_at IS NULL"),
            &[text(message_id), text(account_id)],
        ).await?;
        let Some(message) = rows.rows.first().map(message_from_row).transpose()? else { return Ok(None) };
        let events = self.store.db.query(
            "SELECT status, at, source, detail FROM message_events WHERE message_id = ? ORDER BY id",
            &[text(message_id)],
        ).await?;
        let events = events
            .rows
            .iter()
            .map(|r| {
                let status = Status::from_code(r.get::<i64>("status")? as u16).unwrap_or(Status::Unknown);
                Ok(MessageEvent { status: status.code(), name: status.name(), at: r.get("at")?, source: r.get("source")?, detail: r.get("detail")? })
            })
            .collect::<Result<_, DbError>>()?;
        Ok(Some((message, events)))
    }

    /// Removes a message's text (Twilio's redaction: `Body=""`), or the whole message from
    /// the customer's view with it (`delete`), once its status is final: its price, ledger
    /// entries and history stay, so invoices and usage still add up.
    pub async fn remove_text(self, account_id: &str, message_id: &str, delete: bool) -> Result<RemoveOutcome, DbError> {
        self.store.db.transaction(async |db| {
            let rows = db.query(
                "SELECT status FROM messages WHERE id = ? AND account_id = ? AND deleted_at IS NULL",
                &[text(message_id), text(account_id)],
            ).await?;
            let Some(row) = rows.rows.first() else { return Ok(RemoveOutcome::NotFound) };
            let status = Status::from_code(row.get::<i64>("status")? as u16).unwrap_or(Status::Unknown);
            if !status.is_final() {
                return Ok(RemoveOutcome::NotFinal(status));
            }
            db.execute(
                "UPDATE messages SET body = '', original_body = NULL, \
                 deleted_at = CASE WHEN ?3 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE deleted_at END \
                 WHERE id = ?1 AND account_id = ?2",
                &[text(message_id), text(account_id), Value::Integer(i64::from(delete))],
            ).await?;
            Ok(RemoveOutcome::Removed)
        }).await
    }
}

/// What [`Messages::remove_text`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveOutcome {
    Removed,
    /// Still under way: its text may yet be sent.
    NotFinal(Status),
    NotFound,
}

impl Billing<'_> {
    pub async fn balance(self, account_id: &str) -> Result<i64, DbError> {
        let rows = self.store.db.query("SELECT balance_minor FROM accounts WHERE id = ?", &[text(account_id)]).await?;
        // No such account: 0, as before (callers ask for accounts they have just found).
        Ok(rows.rows.first().map(|r| r.get("balance_minor")).transpose()?.unwrap_or(0))
    }
}
