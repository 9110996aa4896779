//! The operator's own configuration (seed 003 "My Account", issue 18): the company and the
//! defaults for new clients, the Stripe gateway (secrets sealed at rest, write-only), the
//! console's two tests (an e-mail through the configured e-mail path, an SMS through the
//! send path and routing), and who changed what (`staff_events`, targets `settings:…`;
//! never a secret). The rules are domain::accounts::reseller's; the SQL store::reseller's.

use super::staff::OperatorCaller;
use crate::config::get_or;
use crate::http::internal;
use crate::store::{SealedChange, SettingsEvent, Store, StoredCompany, StoredGateway};
use domain::accounts::reseller::{secret_hint, CompanyInput, CompanySettings, GatewayChange, GatewayInput, SecretChange};
use domain::api::error::{ApiError, ErrorName};
use domain::billing::invoice::Seller;
use domain::billing::money::Currency;
use domain::billing::stripe::{StripeError, StripeMode};
use domain::carriers::sealed::{in_clear, SealError, SecretsKey};
use domain::identity::language::Language;
use domain::identity::onetime::EmailMessage;
use domain::identity::person::Email;
use serde::Serialize;

/// What the Stripe secrets are sealed for (associated data: a value copied elsewhere does not open).
fn purpose(field: &str) -> String {
    format!("platform:stripe:{field}")
}

// ---------------------------------------------------------------- the company

/// The company section as stored, checked again (it was checked when set).
fn company_settings(stored: &StoredCompany) -> Option<CompanySettings> {
    let input = CompanyInput {
        name: stored.name.clone(),
        organisation_number: stored.organisation_number.clone(),
        vat_number: stored.vat_number.clone(),
        address_line1: stored.address_line1.clone(),
        address_line2: stored.address_line2.clone(),
        postal_code: stored.postal_code.clone(),
        city: stored.city.clone(),
        country: stored.country.clone(),
        email: stored.email.clone(),
        phone: stored.phone.clone(),
        website: stored.website.clone(),
        default_currency: Some(stored.default_currency.clone()),
        date_format: Some(stored.date_format.clone()),
        time_zone: Some(stored.time_zone.clone()),
    };
    CompanySettings::parse(&input, None).ok()
}

pub async fn company(store: &Store) -> Result<StoredCompany, ApiError> {
    Ok(store.reseller().company().await?)
}

/// Replaces the company section (400 `InvalidCompanySettings`, every bad field listed),
/// recorded as `settings.company_updated` with the section before and after.
pub async fn set_company(store: &Store, input: &CompanyInput, caller: &OperatorCaller) -> Result<StoredCompany, ApiError> {
    let current = store.reseller().company().await?;
    let settings = CompanySettings::parse(input, company_settings(&current).as_ref())?;
    store
        .transaction(async || {
            let before = store.reseller().company().await?;
            store.reseller().set_company(&settings).await?;
            let after = store.reseller().company().await?;
            store.staff().record(&caller.actor, "settings.company_updated", "settings:company", snapshot(&before), snapshot(&after)).await?;
            Ok(after)
        })
        .await
}

fn snapshot(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// The seller on the invoices the platform issues: the company once its name is set, else
/// the `seller_*` variables (`seller_address`' lines separated by `;` or newlines).
pub async fn seller(store: &Store) -> Result<Seller, crate::db::DbError> {
    let stored = store.reseller().company().await?;
    if let Some(company) = company_settings(&stored) {
        return Ok(Seller {
            name: company.name.as_ref().to_owned(),
            address: company.postal_address(),
            vat_number: company.vat_number.as_ref().map(|v| v.as_ref().to_owned()).unwrap_or_default(),
        });
    }
    Ok(Seller {
        name: get_or("seller_name", "smsedge").await,
        address: get_or("seller_address", "").await,
        vat_number: get_or("seller_vat", "").await,
    })
}

// ---------------------------------------------------------------- the payment gateway

/// A stored secret as the API shows it: whether it is set and its last four characters.
#[derive(Debug, Clone, Serialize)]
pub struct SecretState {
    pub set: bool,
    /// `…abcd`; null when not set.
    pub ending: Option<String>,
}

/// The Stripe section as the API shows it: never a secret.
#[derive(Debug, Clone, Serialize)]
pub struct GatewayView {
    pub provider: &'static str,
    pub mode: String,
    pub secret_key: SecretState,
    pub webhook_secret: SecretState,
    pub publishable_key: Option<String>,
    /// Where top-ups take their key from now: `console` (this section), `variables` (the
    /// Spin variables, while this section has no secret key) or `none`.
    pub keys_from: &'static str,
    pub updated_at: Option<String>,
}

fn state(hint: &Option<String>) -> SecretState {
    SecretState { set: hint.is_some(), ending: hint.clone() }
}

pub async fn gateway(store: &Store) -> Result<GatewayView, ApiError> {
    let stored = store.reseller().gateway().await?;
    let keys_from = if stored.secret_key.is_some() {
        "console"
    } else if crate::config::get("stripe_secret_key").await.is_some() {
        "variables"
    } else {
        "none"
    };
    Ok(GatewayView {
        provider: "stripe",
        mode: stored.mode.clone(),
        secret_key: state(&stored.secret_key_hint),
        webhook_secret: state(&stored.webhook_secret_hint),
        publishable_key: stored.publishable_key.clone(),
        keys_from,
        updated_at: stored.updated_at.clone(),
    })
}

fn seal_error(e: SealError) -> ApiError {
    match e {
        SealError::NoKey | SealError::InvalidKey => {
            ApiError::unavailable(format!("{e}: the Stripe secrets are stored sealed, so set secrets_key first"))
        }
        SealError::CannotOpen => ApiError::named(503, ErrorName::StripeMisconfigured, e.to_string()),
    }
}

/// A stored secret in the clear (`None` when not set).
fn opened(key: Option<&SecretsKey>, stored: &Option<String>, field: &str) -> Result<Option<String>, SealError> {
    stored.as_deref().map(|s| in_clear(key, s, &purpose(field))).transpose()
}

/// Sets the Stripe section (400 `InvalidPaymentGateway`; 503 without `secrets_key` when a
/// secret is set). Recorded as `settings.payment_gateway_updated`: the mode, the
/// publishable key and whether each secret is set or was changed, never a secret.
pub async fn set_gateway(store: &Store, input: &GatewayInput, caller: &OperatorCaller) -> Result<GatewayView, ApiError> {
    let key = crate::config::secrets_key().await;
    let stored = store.reseller().gateway().await?;
    let stored_key = match &stored.secret_key {
        None => None,
        Some(_) => opened(key.as_ref().ok(), &stored.secret_key, "secret_key").map_err(seal_error)?,
    };
    let change = GatewayChange::parse(input, stored_key.as_deref())?;
    let seal = |c: &SecretChange, field: &str| -> Result<SealedChange, ApiError> {
        Ok(match c {
            SecretChange::Keep => None,
            SecretChange::Clear => Some(None),
            SecretChange::Set(secret) => {
                // Never stored in the clear: without a key there is nothing to seal with.
                let key = key.as_ref().map_err(|e| seal_error(e.clone()))?;
                Some(Some((key.seal(secret, &purpose(field)), secret_hint(secret))))
            }
        })
    };
    let secret_key = seal(&change.secret_key, "secret_key")?;
    let webhook_secret = seal(&change.webhook_secret, "webhook_secret")?;
    store
        .transaction(async || {
            let before = store.reseller().gateway().await?;
            store.reseller().set_gateway(change.mode.as_str(), change.publishable_key.as_deref(), &secret_key, &webhook_secret).await?;
            let after = store.reseller().gateway().await?;
            let said = |g: &StoredGateway, changed: bool| {
                serde_json::json!({
                    "mode": g.mode,
                    "publishable_key": g.publishable_key,
                    "secret_key": if g.secret_key.is_some() { "set" } else { "not set" },
                    "webhook_secret": if g.webhook_secret.is_some() { "set" } else { "not set" },
                    "secrets_changed": changed,
                })
                .to_string()
            };
            let changed = !matches!(change.secret_key, SecretChange::Keep) || !matches!(change.webhook_secret, SecretChange::Keep);
            store
                .staff()
                .record(&caller.actor, "settings.payment_gateway_updated", "settings:payment_gateway", Some(said(&before, false)), Some(said(&after, changed)))
                .await?;
            Ok::<(), ApiError>(())
        })
        .await?;
    gateway(store).await
}

/// The Stripe configuration top-ups and the webhook use: the console's when it has a
/// secret key (its mode, its key, its webhook secret or else the variable's), else the
/// Spin variables (`stripe_mode`, `stripe_secret_key`, `stripe_webhook_secret`).
pub struct StripeConfig {
    pub mode: StripeMode,
    /// Empty when none is set anywhere (StripeKey::parse then says NotConfigured).
    pub secret_key: String,
    pub webhook_secret: String,
}

pub async fn stripe_config(store: &Store) -> Result<StripeConfig, ApiError> {
    let stored = store.reseller().gateway().await?;
    let key = crate::config::secrets_key().await.ok();
    let open = |field: &str, value: &Option<String>| {
        opened(key.as_ref(), value, field).map_err(|e| ApiError::named(503, ErrorName::StripeMisconfigured, format!("the console's Stripe {field}: {e}")))
    };
    let webhook_secret = match open("webhook_secret", &stored.webhook_secret)? {
        Some(secret) => secret,
        None => get_or("stripe_webhook_secret", "").await,
    };
    // The console's mode goes with the console's key, the variable's with the variable's.
    let (mode, secret_key) = match open("secret_key", &stored.secret_key)? {
        Some(secret_key) => (stored.mode.clone(), secret_key),
        None => (get_or("stripe_mode", "test").await, get_or("stripe_secret_key", "").await),
    };
    Ok(StripeConfig { mode: StripeMode::parse(&mode).map_err(config_error)?, secret_key, webhook_secret })
}

fn config_error(e: StripeError) -> ApiError {
    ApiError::named(503, ErrorName::StripeMisconfigured, e.to_string())
}

// ---------------------------------------------------------------- history

pub async fn history(store: &Store, limit: i64) -> Result<Vec<SettingsEvent>, ApiError> {
    Ok(store.reseller().events(limit.clamp(1, 200)).await?)
}

// ---------------------------------------------------------------- the tests

/// The test e-mail's outcome.
#[derive(Debug, Serialize)]
pub struct EmailTest {
    pub to: String,
    #[serde(flatten)]
    pub outcome: crate::email::EmailOutcome,
}

/// Sends a test e-mail to `to` through the configured e-mail path (the outbox, or the
/// e-mail API), and says what became of it. Recorded as `settings.test_email_sent`.
pub async fn test_email(store: &Store, to: &str, language: Option<&str>, caller: &OperatorCaller) -> Result<EmailTest, ApiError> {
    let to = Email::parse(to)?;
    let language = language.and_then(|l| Language::parse(l).ok()).unwrap_or(Language::En);
    let company = store.reseller().company().await?.name.unwrap_or_else(|| "smsedge".to_owned());
    let message = EmailMessage::platform_test(&to, &company, language);
    let outcome = crate::email::send_reporting(store, &message).await?;
    let after = serde_json::json!({"to": to.as_str(), "provider": outcome.provider, "delivered": outcome.delivered}).to_string();
    store.staff().record(&caller.actor, "settings.test_email_sent", "settings:test_email", None, Some(after)).await?;
    Ok(EmailTest { to: to.as_str().to_owned(), outcome })
}

/// The test SMS's outcome: the message and its status, and the account it was sent from.
#[derive(Debug, Serialize)]
pub struct SmsTest {
    pub message_id: String,
    pub to: String,
    pub status: serde_json::Value,
    pub status_detail: Option<String>,
    pub carrier: String,
    pub sandbox: bool,
    pub account_id: String,
    pub price: serde_json::Value,
}

/// The name of the operator's own account for test SMS.
const TEST_ACCOUNT_NAME: &str = "Operator test SMS";

/// The operator's own account test SMS are sent from: made at the first test (in the
/// default currency). Each test is priced and charged like any SMS of it — so its ledger
/// shows what the tests cost — on credit (a credit limit of the largest amount), so a test
/// never waits for money and never touches a customer's balance.
async fn test_account(store: &Store, caller: &OperatorCaller) -> Result<String, ApiError> {
    if let Some(id) = store.reseller().test_account().await? {
        return Ok(id);
    }
    let currency = Currency::parse(&store.reseller().company().await?.default_currency).map_err(internal)?;
    let opening = super::operator::OpeningAccount {
        name: TEST_ACCOUNT_NAME,
        currency,
        kind: None,
        credit_limit_minor: domain::billing::money::MAX_AMOUNT_MINOR,
        initial_balance_minor: 0,
    };
    let (account, _) = super::operator::open_account(store, &opening, &caller.actor).await?;
    Ok(store.reseller().set_test_account(&account.id).await?)
}

/// Sends a test SMS to `to` through the send path and the carrier routing, from the
/// operator's own test account (charged there, on credit: never a customer), and answers
/// the message's id, status and price. It moves money (the test account's), so it takes an
/// Idempotency-Key as a send does: a repeat answers the first test, sends nothing. Recorded
/// as `settings.test_sms_sent`.
pub async fn test_sms(
    store: &Store,
    to: &str,
    text: Option<&str>,
    key: Option<&domain::api::idempotency::IdempotentRequest>,
    caller: &OperatorCaller,
) -> Result<SmsTest, ApiError> {
    use crate::store::{Created, Kept};
    // One number: a send's group ids (`grp_…`) mean nothing for the test account.
    if to.trim().starts_with("grp_") || to.trim().is_empty() {
        return Err(ApiError::malformed("to must be one phone number, e.g. +46701234567"));
    }
    let account_id = test_account(store, caller).await?;
    if let Some(key) = key {
        match store.kept_answer(&account_id, key).await? {
            Kept::Answer(answer) => return replayed(&account_id, &answer),
            Kept::OtherRequest => return Err(crate::http::idempotency_key_reused()),
            Kept::InProgress { .. } => return Err(crate::http::idempotency_key_in_use()),
            Kept::Nothing => {}
        }
    }
    let mut sender = store.identity().caller_for_account(&account_id).await?.ok_or_else(|| internal("the test account is gone"))?;
    sender.actor = caller.actor.clone();
    let from = get_or("platform_sender", "smsedge").await;
    let company = store.reseller().company().await?.name.unwrap_or_else(|| "smsedge".to_owned());
    let default_text = format!("Test SMS from {company}: the SMS path works.");
    let to = [to.trim().to_owned()];
    let request = super::send::SendRequest {
        from: &from,
        to: &to,
        text: text.filter(|t| !t.trim().is_empty()).unwrap_or(&default_text),
        client_reference: Some("operator-test"),
        status_callback: None,
        callback_format: domain::callbacks::twilio::CallbackFormat::Json,
        send_at: None,
        time_zone: None,
        validity: None,
        ignore_blocklist: false,
    };
    let sent = match super::send::send_messages(store, &sender, &request, key, None).await? {
        super::send::Sent::Created(Created::New(outcome)) => outcome,
        super::send::Sent::Created(Created::Replayed(answer)) => return replayed(&account_id, &answer),
        super::send::Sent::Created(Created::KeyReused) => return Err(crate::http::idempotency_key_reused()),
        super::send::Sent::Created(Created::InProgress) => return Err(crate::http::idempotency_key_in_use()),
        super::send::Sent::LookupsChanged => return Err(internal("a send without kept lookups was told they changed")),
    };
    super::delivery::deliver_soon().await;
    let message = sent.messages.first().ok_or_else(|| internal("the test SMS was not stored"))?;
    let message_id = message.id.clone().ok_or_else(|| ApiError::malformed(message.status_detail.clone().unwrap_or_else(|| "the number was refused".into())))?;
    // The status as it is now: delivery may have run already.
    let status = match store.messages().message(&account_id, &message_id).await {
        Ok(Some((found, _))) => serde_json::to_value(domain::callbacks::event::StatusJson::from(found.status)).unwrap_or_default(),
        _ => serde_json::to_value(&message.status).unwrap_or_default(),
    };
    let after = serde_json::json!({"to": message.to, "message_id": message_id, "account_id": account_id}).to_string();
    store.staff().record(&caller.actor, "settings.test_sms_sent", "settings:test_sms", None, Some(after)).await?;
    Ok(SmsTest {
        message_id,
        to: message.to.clone(),
        status,
        status_detail: message.status_detail.clone(),
        carrier: sent.carrier.clone(),
        sandbox: sent.sandbox,
        account_id,
        price: serde_json::to_value(&message.price).unwrap_or_default(),
    })
}

/// The first test's answer, from the send's kept answer (its error, if it failed).
fn replayed(account_id: &str, answer: &crate::store::StoredAnswer) -> Result<SmsTest, ApiError> {
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
    if answer.status != super::send::SEND_CREATED {
        let said = body["error"]["name"].as_str().unwrap_or_default();
        let name = ErrorName::ALL.iter().copied().find(|n| n.as_str() == said).unwrap_or(ErrorName::Conflict);
        return Err(ApiError::named(answer.status, name, body["error"]["message"].as_str().unwrap_or("the first request with this Idempotency-Key failed")));
    }
    let message = &body["messages"][0];
    Ok(SmsTest {
        message_id: message["id"].as_str().unwrap_or_default().to_owned(),
        to: message["to"].as_str().unwrap_or_default().to_owned(),
        status: message["status"].clone(),
        status_detail: message["status_detail"].as_str().map(str::to_owned),
        carrier: body["carrier"].as_str().unwrap_or_default().to_owned(),
        sandbox: body["sandbox"].as_bool().unwrap_or(false),
        account_id: account_id.to_owned(),
        price: message["price"].clone(),
    })
}
