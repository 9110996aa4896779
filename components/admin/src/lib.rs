//! The operator API under `/v1/admin`, guarded by the `admin_token` variable:
//! accounts, credit limits, blocking, top-ups and corrections, API keys, prices, carrier
//! connections, routing and margins, the traffic report.

use domain::api::error::ErrorName;
use domain::accounts::account::AccountListQuery;
use domain::api::error::ApiError;
use domain::billing::money::{Currency, MAX_AMOUNT_MINOR};
use domain::inbound::inventory::{HoldingTerms, InventoryFilter};
use domain::billing::payment::{CreditKind, OperatorCredit};
use domain::api::ratelimit::RateLimit;
use platform::app::operator::{self, OpeningAccount};
use platform::app::settings::{self, SettingsPatch};
use platform::keys;
use platform::app::staff::OperatorCaller;
use platform::http::{created_reply, idempotency, page, internal, json, parse_body, require_operator, Reply, Req, Routes};
use domain::identity::staff::Area;
use platform::ids::new_id;
use platform::store::{AccountChange, CreditRecorded, ManualCredit, ManualCreditError, Subject, Store, StoredAnswer};
use serde::Deserialize;

mod carriers;
mod domains;
mod invoices;
mod packages;
mod reports;
mod rules;
mod operator_settings;
mod staff;

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new()
        // The console's own: the signed-in staff member (any staff member, any area).
        .get("/v1/console/me", staff::console_me)
        .area(Area::Customers)
        .post("/v1/admin/accounts", create_account)
        .get("/v1/admin/accounts", list_accounts)
        .get("/v1/admin/accounts/{id}/smpp", smpp_list)
        .post("/v1/admin/accounts/{id}/smpp", smpp_create)
        .delete("/v1/admin/smpp/{id}", smpp_revoke)
        .get("/v1/admin/accounts/{id}", account)
        .patch("/v1/admin/accounts/{id}", update_account)
        .post("/v1/admin/accounts/{id}/keys", create_key)
        .get("/v1/admin/accounts/{id}/keys", list_keys)
        .patch("/v1/admin/keys/{id}", update_key)
        .delete("/v1/admin/keys/{id}", revoke_key)
        .post("/v1/admin/users", create_user)
        .get("/v1/admin/accounts/{id}/numbers", account_numbers)
        .post("/v1/admin/accounts/{id}/approval", domains::decide)
        .get("/v1/admin/accounts/{id}/settings", account_settings)
        .patch("/v1/admin/accounts/{id}/settings", update_account_settings)
        .area(Area::Billing)
        .get("/v1/admin/accounts/{id}/ledger", ledger)
        .post("/v1/admin/accounts/{id}/credits", credit)
        .get("/v1/admin/accounts/{id}/payments", payments)
        .get("/v1/admin/accounts/{id}/invoices", invoices::list)
        .post("/v1/admin/accounts/{id}/invoices", invoices::issue)
        .area(Area::Log)
        .get("/v1/admin/accounts/{id}/history", history)
        .get("/v1/admin/emails", emails)
        .get("/v1/admin/phone-codes", phone_codes)
        .area(Area::Cdr)
        .get("/v1/admin/queue", queue)
        .area(Area::Numbers)
        .post("/v1/admin/numbers", assign_number)
        .delete("/v1/admin/numbers/{number}", release_number)
        .get("/v1/admin/number-inventory", inventory)
        .post("/v1/admin/number-inventory", add_to_inventory)
        .delete("/v1/admin/number-inventory/{number}", remove_from_inventory)
        .area(Area::Packages)
        .get("/v1/admin/packages", packages::list)
        .post("/v1/admin/packages", packages::create)
        .get("/v1/admin/packages/{id}", packages::get)
        .patch("/v1/admin/packages/{id}", packages::update)
        .area(Area::RateCard)
        .get("/v1/admin/prices", default_prices)
        .put("/v1/admin/prices", set_default_price)
        .delete("/v1/admin/prices/{rule_id}", end_default_price)
        .get("/v1/admin/accounts/{id}/prices", account_prices)
        .put("/v1/admin/accounts/{id}/prices", set_account_price)
        .delete("/v1/admin/accounts/{id}/prices/{rule_id}", end_account_price)
        .get("/v1/admin/send-rules", rules::default_rules)
        .post("/v1/admin/send-rules", rules::create_default_rule)
        .get("/v1/admin/send-rules/{rule_id}", rules::get_rule)
        .patch("/v1/admin/send-rules/{rule_id}", rules::update_rule)
        .delete("/v1/admin/send-rules/{rule_id}", rules::delete_rule)
        .get("/v1/admin/accounts/{id}/send-rules", rules::account_rules)
        .post("/v1/admin/accounts/{id}/send-rules", rules::create_account_rule)
        .get("/v1/admin/sender-registration", rules::registration_countries)
        .put("/v1/admin/sender-registration/{country}", rules::require_registration)
        .delete("/v1/admin/sender-registration/{country}", rules::lift_registration)
        .get("/v1/admin/accounts/{id}/registered-senders", rules::registered_senders)
        .post("/v1/admin/accounts/{id}/registered-senders", rules::register_sender)
        .delete("/v1/admin/accounts/{id}/registered-senders/{sender_id}", rules::unregister_sender)
        .get("/v1/admin/accounts/{id}/campaigns", rules::campaigns)
        .post("/v1/admin/accounts/{id}/campaigns", rules::add_campaign)
        .delete("/v1/admin/accounts/{id}/campaigns/{campaign_id}", rules::end_campaign)
        .area(Area::Carriers)
        .get("/v1/admin/carriers", carriers::list)
        .post("/v1/admin/carriers", carriers::create)
        .get("/v1/admin/carriers/{name}", carriers::get)
        .patch("/v1/admin/carriers/{name}", carriers::update)
        .get("/v1/admin/carriers/{name}/costs", carriers::costs)
        .put("/v1/admin/carriers/{name}/costs", carriers::set_cost)
        .get("/v1/admin/routes", carriers::default_routes)
        .put("/v1/admin/routes", carriers::set_default_route)
        .delete("/v1/admin/routes/{route_id}", carriers::delete_default_route)
        .get("/v1/admin/accounts/{id}/routes", carriers::account_routes)
        .put("/v1/admin/accounts/{id}/routes", carriers::set_account_route)
        .delete("/v1/admin/accounts/{id}/routes/{route_id}", carriers::delete_account_route)
        .area(Area::Reports)
        .get("/v1/admin/reports/margins", carriers::margins)
        .get("/v1/admin/reports/traffic", reports::traffic)
        .area(Area::Settings)
        .get("/v1/admin/domains", domains::list)
        .post("/v1/admin/domains", domains::create)
        .get("/v1/admin/domains/{host}", domains::get)
        .put("/v1/admin/domains/{host}", domains::replace)
        .delete("/v1/admin/domains/{host}", domains::delete)
        .get("/v1/admin/settings/company", operator_settings::company)
        .put("/v1/admin/settings/company", operator_settings::set_company)
        .get("/v1/admin/settings/payment-gateway", operator_settings::gateway)
        .put("/v1/admin/settings/payment-gateway", operator_settings::set_gateway)
        .post("/v1/admin/settings/test-email", operator_settings::test_email)
        .post("/v1/admin/settings/test-sms", operator_settings::test_sms)
        .get("/v1/admin/settings/history", operator_settings::history)
        .area(Area::Staff)
        .get("/v1/admin/staff", staff::list)
        .post("/v1/admin/staff", staff::create)
        .patch("/v1/admin/staff/{user_id}", staff::update)
        .get("/v1/admin/staff-groups", staff::groups)
        .post("/v1/admin/staff-groups", staff::create_group)
        .patch("/v1/admin/staff-groups/{id}", staff::update_group)
        .delete("/v1/admin/staff-groups/{id}", staff::delete_group)
}

/// What every operator endpoint does first: the store opened, and the caller let in to the
/// area its route declares (platform::http::require_operator: the admin token, or a staff
/// member with two-factor on whose permission groups allow the area). The caller's actor
/// is who the history says made a change.
pub(crate) async fn operator(req: &Req) -> Result<(Store, OperatorCaller), ApiError> {
    let area = req.area().ok_or_else(|| internal(format!("{} declares no operator area", req.path())))?;
    let store = Store::open().await?;
    let caller = require_operator(req, &store, area).await?;
    Ok((store, caller))
}

/// `GET /v1/admin/queue`: the delivery queue — messages waiting, scheduled, being
/// submitted, whose delivery died (lease over), and whose submit outcome is unknown —
/// with the age of the oldest waiting and oldest unknown.
async fn queue(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    Ok(json(200, &store.queue().queue_state().await?))
}

async fn smpp_create(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    platform::smpp::create(&req, &store, req.param("id")?, &caller.actor).await
}

async fn smpp_revoke(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    platform::smpp::revoke_any(&store, req.param("id")?, &caller.actor).await
}

async fn create_key(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    keys::create_key(&req, &store, req.param("id")?, &caller.actor).await
}

async fn list_keys(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    keys::list_keys(&store, req.param("id")?).await
}

async fn update_key(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    keys::update_key(&req, &store, req.param("id")?, None, &caller.actor).await
}

async fn revoke_key(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    keys::revoke_key(&store, req.param("id")?, None, &caller.actor).await
}

async fn default_prices(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    platform::prices::default_list(&store).await
}

async fn set_default_price(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    platform::prices::set_default(&req, &store).await
}

async fn end_default_price(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    platform::prices::end_default(&store, req.param("rule_id")?).await
}

async fn account_prices(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    platform::prices::account_list(&store, req.param("id")?).await
}

async fn set_account_price(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    platform::prices::set_account(&req, &store, req.param("id")?, &caller.actor).await
}

async fn end_account_price(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    platform::prices::end_account(&store, req.param("id")?, req.param("rule_id")?, &caller.actor).await
}

/// `GET /v1/admin/accounts/{id}/settings`: the client's settings and profile (time zone,
/// company, contact, date format, note, inbound handling), as the client reads them.
async fn account_settings(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let id = req.param("id")?;
    store.accounts().account(id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    Ok(json(200, &settings::view(&settings::current(&store, id).await?)))
}

/// `PATCH /v1/admin/accounts/{id}/settings`: the client's own change (seed 004 "edit
/// profile"), made by the operator: the same checks, history in the staff member's name.
async fn update_account_settings(req: Req) -> Reply {
    let (store, operator_caller) = operator(&req).await?;
    let id = req.param("id")?;
    let patch: SettingsPatch = parse_body(&req)?;
    let mut caller = store.identity().caller_for_account(id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    caller.actor = operator_caller.actor.clone();
    Ok(json(200, &settings::view(&settings::update(&store, &caller, patch).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    name: String,
    currency: String,
    #[serde(default)]
    credit_limit_minor: i64,
    /// An opening top-up, recorded as a ledger entry like any other.
    #[serde(default)]
    initial_balance_minor: i64,
    /// `swedish` or `international` (seed 000); a SEK account is Swedish unless told.
    kind: Option<String>,
}

async fn create_account(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let body: NewAccount = parse_body(&req)?;
    let currency = Currency::parse(&body.currency).map_err(|e| ApiError::malformed(e.to_string()))?;
    let opening = OpeningAccount {
        name: &body.name,
        currency,
        kind: body.kind.as_deref(),
        credit_limit_minor: body.credit_limit_minor,
        initial_balance_minor: body.initial_balance_minor,
    };
    let (view, secret) = operator::open_account(&store, &opening, &caller.actor).await?;
    let mut body = serde_json::to_value(view).map_err(internal)?;
    body["webhook_secret"] = serde_json::Value::String(secret);
    Ok(json(201, &body))
}

async fn account(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    account_response(&store, req.param("id")?, 200).await
}

pub(crate) async fn account_response(store: &Store, id: &str, status: u16) -> Reply {
    let view = store.accounts().account(id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    Ok(json(status, &view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountChangeBody {
    credit_limit_minor: Option<i64>,
    blocked: Option<bool>,
    /// Requests per second for the whole account; null: the platform's default.
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    rate_limit_per_second: Option<Option<i64>>,
    /// Requests per second for each API key of the account; null: the platform's default.
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    key_rate_limit_per_second: Option<Option<i64>>,
}

/// A rate limit as given: 1–100,000 per second, or null.
fn rate_limit_patch(field: Option<Option<i64>>, name: &str) -> Result<Option<Option<i64>>, ApiError> {
    match field {
        Some(Some(n)) => RateLimit::parse(n)
            .map(|limit| Some(Some(i64::from(limit.per_second()))))
            .map_err(|e| ApiError::malformed(format!("{name}: {e}"))),
        other => Ok(other),
    }
}

async fn update_account(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let id = req.param("id")?;
    let body: AccountChangeBody = parse_body(&req)?;
    if body.credit_limit_minor.is_some_and(|l| !(0..=MAX_AMOUNT_MINOR).contains(&l)) {
        return Err(ApiError::malformed(format!("credit_limit_minor is 0 to {MAX_AMOUNT_MINOR}")));
    }
    if body.blocked == Some(false) {
        platform::app::signup::may_unblock(&store, id).await?;
    }
    let change = AccountChange {
        credit_limit_minor: body.credit_limit_minor,
        blocked: body.blocked,
        rate_limit_per_second: rate_limit_patch(body.rate_limit_per_second, "rate_limit_per_second")?,
        key_rate_limit_per_second: rate_limit_patch(body.key_rate_limit_per_second, "key_rate_limit_per_second")?,
    };
    let found = store
        .audit().audited(id, &caller.actor, "account.updated", Subject::Account(id), async |store| store.accounts().update_account(id, &change).await)
        .await?;
    if !found {
        return Err(ApiError::not_found("no such account"));
    }
    account_response(&store, id, 200).await
}

/// Every account, searched (`q`: id, name, note or company name, any case), sorted by a
/// whitelisted column and paged, with the number that match.
async fn list_accounts(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let q = platform::http::query(&req);
    let get = |name: &str| q.get(name).map(String::as_str);
    let query = AccountListQuery::parse(get("q"), get("sort"), get("order"), get("limit"), get("cursor"))?.with_status(get("status"))?;
    let (rows, total) = store.accounts().list_accounts(&query).await?;
    let accounts = query.page.page(rows, |a| query.position(a.sort_value.clone(), &a.id));
    Ok(json(200, &serde_json::json!({"accounts": accounts.items, "total": total, "next_cursor": accounts.next_cursor})))
}

async fn smpp_list(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let account_id = req.param("id")?;
    store.accounts().account(account_id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    platform::smpp::list(&store, account_id).await
}

async fn ledger(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let id = req.param("id")?;
    let view = store.accounts().account(id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let page = page(&req)?;
    let entries = page.page(store.billing().ledger(id, page.fetch(), page.after()?).await?, |e| e.id);
    Ok(json(200, &serde_json::json!({"account": view, "entries": entries.items, "next_cursor": entries.next_cursor})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credit {
    amount_minor: i64,
    /// `topup`, `payment` (a bank transfer: its reference required, recorded once),
    /// `credit_note` (positive) or `correction` (either sign; negative to deduct a wrong
    /// payment named by `corrects`). See domain::billing::payment.
    kind: String,
    reference: Option<String>,
    /// A correction: the payments-log id of the payment or top-up it deducts from.
    corrects: Option<String>,
    description: Option<String>,
}

/// Money in or taken back by the operator: a ledger entry, its line in the payments log
/// and in the account's history, in one transaction.
async fn credit(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let id = req.param("id")?;
    let body: Credit = parse_body(&req)?;
    let credit = OperatorCredit::parse(&body.kind, body.amount_minor, body.reference.as_deref(), body.corrects.as_deref())
        .map_err(|e| ApiError::malformed(e.to_string()))?;
    // The balance stays within ±MAX_AMOUNT_MINOR too, so no sum of the ledger can overflow.
    // (Read, then written: concurrent credits could pass the bound by one amount at most.)
    let view = store.accounts().account(id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    if view.balance_minor.checked_add(body.amount_minor).map_or(true, |after| after.unsigned_abs() > MAX_AMOUNT_MINOR.unsigned_abs()) {
        return Err(ApiError::conflict(format!("the balance would pass ±{MAX_AMOUNT_MINOR}, the most the ledger keeps")));
    }
    let payment_id = new_id("pay");
    let reference = credit.reference.clone().unwrap_or_else(|| new_id(if credit.kind == CreditKind::CreditNote { "cn" } else { "top" }));
    let description = body.description.unwrap_or_else(|| body.kind.clone());
    let manual = ManualCredit {
        id: &payment_id,
        kind: credit.kind.as_str(),
        amount_minor: credit.amount_minor,
        reference: &reference,
        corrects: credit.corrects.as_deref(),
        description: &description,
        actor: &caller.actor,
    };
    // A repeated request under the same Idempotency-Key credits once (keys are kept per
    // account credited).
    let key = idempotency(&req)?;
    let answer = |recorded: &CreditRecorded| StoredAnswer {
        status: 201,
        body: credit_answer(id, recorded, &payment_id, credit.kind.as_str()).to_string(),
    };
    let created = store.idempotent(id, key.as_ref(), answer, async || store.billing().record_credit(id, &manual).await).await.map_err(|e| match e {
        ManualCreditError::AccountNotFound => ApiError::not_found("no such account"),
        ManualCreditError::DuplicateReference => {
            ApiError::named(409, ErrorName::DuplicateReference, format!("a {} with reference '{reference}' is already recorded", credit.kind.as_str()))
        }
        ManualCreditError::NothingToCorrect => {
            ApiError::named(404, ErrorName::NothingToCorrect, "corrects names no credited payment or top-up of this account")
        }
        ManualCreditError::CorrectionTooLarge { remaining_minor } => ApiError::named(
            409,
            ErrorName::CorrectionTooLarge,
            format!("the correction would deduct more than is left of what it corrects ({remaining_minor})"),
        ),
        ManualCreditError::Db(e) => internal(e),
    })?;
    created_reply(created, |recorded| json(201, &credit_answer(id, &recorded, &payment_id, credit.kind.as_str())))
}

fn credit_answer(account_id: &str, recorded: &CreditRecorded, payment_id: &str, kind: &str) -> serde_json::Value {
    serde_json::json!({
        "account_id": account_id,
        "balance_minor": recorded.balance_minor,
        "reference": recorded.reference,
        "payment_id": payment_id,
        "kind": kind,
    })
}

/// The account's payments log (the operator's view of `GET /v1/billing/payments`).
async fn payments(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let id = req.param("id")?;
    store.accounts().account(id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let page = page(&req)?;
    let payments = page.page(store.billing().payments(id, page.fetch(), page.after()?).await?, |p| p.seq);
    Ok(json(200, &serde_json::json!({"payments": payments.items, "next_cursor": payments.next_cursor})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberAssignment {
    number: String,
    account_id: String,
    /// virtual (default), shortcode, mobile or landline.
    kind: Option<String>,
    /// primary or secondary; a new primary demotes the old one. Absent: primary when the
    /// account has none, else secondary. A secondary number needs a number subscription.
    role: Option<String>,
    /// Needed for short codes; phone numbers carry their country.
    country: Option<String>,
}

/// Rents a reception number to an account: inbound SMS to it land in that account.
async fn assign_number(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let body: NumberAssignment = parse_body(&req)?;
    let assignment = operator::NumberAssignment {
        number: &body.number,
        account_id: &body.account_id,
        kind: body.kind.as_deref(),
        role: body.role.as_deref(),
        country: body.country.as_deref(),
    };
    operator::assign_number(&store, &assignment, &caller.actor).await?;
    numbers(&store, &body.account_id).await
}

/// Takes a number back from its account: it stays in the inventory, free.
async fn release_number(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let number = operator::release_number(&store, req.param("number")?, &caller.actor).await?;
    Ok(json(200, &serde_json::json!({ "released": number.as_str() })))
}

/// The number inventory: every number the platform holds, free or assigned, filtered
/// (`country`, `kind`, `status`, `q` the number's start), in number order and paged, with
/// how many match and the whole inventory counted by country, kind and status.
async fn inventory(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let q = platform::http::query(&req);
    let get = |name: &str| q.get(name).map(String::as_str);
    let filter = InventoryFilter::parse(get("country"), get("kind"), get("status"), get("q"))?;
    let page = platform::http::page_of(&q)?;
    let after: Option<String> = page.after()?;
    let (rows, total) = store.inbound().inventory(&filter, page.fetch(), after.as_deref()).await?;
    let numbers = page.page(rows, |n| n.number.clone());
    let counts = store.inbound().inventory_counts().await?;
    Ok(json(200, &serde_json::json!({"numbers": numbers.items, "total": total, "counts": counts, "next_cursor": numbers.next_cursor})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewInventoryNumbers {
    /// One number, or …
    number: Option<String>,
    /// … a list of them (up to domain::inbound::inventory::MAX_NUMBERS_PER_ADD), with the
    /// same terms.
    numbers: Option<Vec<String>>,
    country: Option<String>,
    kind: Option<String>,
    area_code: Option<String>,
    region: Option<String>,
    monthly_price_minor: Option<i64>,
    currency: Option<String>,
    note: Option<String>,
}

/// Numbers into the inventory, free, all or nothing.
async fn add_to_inventory(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let body: NewInventoryNumbers = parse_body(&req)?;
    let numbers: Vec<&str> = match (&body.number, &body.numbers) {
        (Some(one), None) => vec![one.as_str()],
        (None, Some(list)) => list.iter().map(String::as_str).collect(),
        _ => return Err(ApiError::malformed("give either number or numbers")),
    };
    let terms = HoldingTerms {
        country: body.country.as_deref(),
        kind: body.kind.as_deref(),
        area_code: body.area_code.as_deref(),
        region: body.region.as_deref(),
        monthly_price_minor: body.monthly_price_minor,
        currency: body.currency.as_deref(),
        note: body.note.as_deref(),
    };
    let added = operator::add_numbers(&store, &numbers, &terms, &caller.actor).await?;
    Ok(json(201, &serde_json::json!({"added": added})))
}

/// A free number out of the inventory; an assigned one is 409 `NumberAssigned`.
async fn remove_from_inventory(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let number = operator::remove_number(&store, req.param("number")?).await?;
    Ok(json(200, &serde_json::json!({"removed": number.as_str()})))
}

async fn account_numbers(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    numbers(&store, req.param("id")?).await
}

async fn numbers(store: &Store, account_id: &str) -> Reply {
    Ok(json(200, &serde_json::json!({ "numbers": store.inbound().numbers(account_id).await? })))
}

/// The account's history in words (platform::app::staff::history): who (by name), what
/// (a stable action key and an English sentence, money in the account's currency), when.
async fn history(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let (events, next_cursor) = platform::app::staff::history(&store, req.param("id")?, &page(&req)?).await?;
    Ok(json(200, &serde_json::json!({"events": events, "next_cursor": next_cursor})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    account_id: String,
    email: String,
    name: Option<String>,
    level: String,
    language: Option<String>,
}

/// Seed 001: a user for an account at a level, with access at once; they get an e-mail
/// and set their own password (someone who has a user already gets a notice).
async fn create_user(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let body: NewUser = parse_body(&req)?;
    let invitation = platform::app::people::Invitation {
        account_id: &body.account_id,
        email: &body.email,
        level: &body.level,
        name: body.name.as_deref(),
        language: body.language.as_deref(),
    };
    let member = platform::app::people::invite(&store, &invitation, platform::app::people::Grant::Direct, &caller.actor, "smsedge").await?;
    Ok(json(201, &member))
}

/// The e-mail outbox, newest first (`?to=` one address), paged: what the platform sent
/// (single-use links left out) or, with no e-mail API configured, would have sent (whole:
/// the development outbox).
async fn emails(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let q = platform::http::query(&req);
    let page = platform::http::page_of(&q)?;
    let to = q.get("to").map(|t| t.trim().to_lowercase());
    let emails = page.page(store.identity().emails(to.as_deref(), page.fetch(), page.after()?).await?, |e| e.id);
    Ok(json(200, &serde_json::json!({"emails": emails.items, "next_cursor": emails.next_cursor})))
}

/// The phone confirmation codes the platform sent for users, newest first, paged (the
/// cursor is the last code's (sent_at, message_id)), with how many went in the last 24
/// hours: SMS sent on a user's say-so, which the operator watches (each is priced and
/// charged like any SMS of the account it came from).
async fn phone_codes(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let page = page(&req)?;
    let after: Option<(String, String)> = page.after()?;
    let (last_24h, rows) = store.identity().phone_code_sends(page.fetch(), after.as_ref().map(|(at, id)| (at.as_str(), id.as_str()))).await?;
    let codes = page.page(rows, |c| (c.sent_at.clone(), c.message_id.clone()));
    Ok(json(200, &serde_json::json!({"sent_last_24h": last_24h, "codes": codes.items, "next_cursor": codes.next_cursor})))
}
