//! The operator's own configuration (area `settings`, seed 003 "My Account"): the company
//! and the defaults for new clients, the Stripe payment gateway (secrets write-only), the
//! test e-mail and test SMS, and the history of changes. Workflows: platform::app::reseller.

use domain::accounts::reseller::{CompanyInput, GatewayInput};
use platform::app::reseller as workflow;
use platform::http::{idempotency, json, parse_body, query, Reply, Req};
use serde::Deserialize;

pub async fn company(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &workflow::company(&store).await?))
}

/// `PUT`: the whole section (400 `InvalidCompanySettings`, one detail per bad field).
pub async fn set_company(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: CompanyInput = parse_body(&req)?;
    Ok(json(200, &workflow::set_company(&store, &body, &caller).await?))
}

pub async fn gateway(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &workflow::gateway(&store).await?))
}

/// `PUT`: mode and publishable key; each secret absent keeps it, `null` or `""` clears it.
/// The answer never carries a secret, only whether it is set and its last four characters.
pub async fn set_gateway(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: GatewayInput = parse_body(&req)?;
    Ok(json(200, &workflow::set_gateway(&store, &body, &caller).await?))
}

pub async fn history(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let limit = query(&req).get("limit").and_then(|l| l.parse().ok()).unwrap_or(50);
    Ok(json(200, &serde_json::json!({"events": workflow::history(&store, limit).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestEmail {
    to: String,
    /// `en` (default) or `sv`: the test e-mail's language.
    language: Option<String>,
}

pub async fn test_email(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: TestEmail = parse_body(&req)?;
    Ok(json(200, &workflow::test_email(&store, &body.to, body.language.as_deref(), &caller).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestSms {
    to: String,
    text: Option<String>,
}

/// 201: the test SMS was stored and handed to delivery, from the operator's own test
/// account, which pays for it on credit (never a customer's). Under an Idempotency-Key a
/// repeat answers the first test.
pub async fn test_sms(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: TestSms = parse_body(&req)?;
    let key = idempotency(&req)?;
    Ok(json(201, &workflow::test_sms(&store, &body.to, body.text.as_deref(), key.as_ref(), &caller).await?))
}
