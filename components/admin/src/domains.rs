//! White-label domains (area `settings`) and the approval of accounts that signed up on them
//! (area `customers`): platform::app::signup.

use crate::operator;
use domain::accounts::signup::ApprovalDecision;
use domain::api::error::ApiError;
use platform::app::signup::{self, DomainBody};
use platform::http::{json, parse_body, Reply, Req};
use serde::Deserialize;

pub async fn list(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    Ok(json(200, &serde_json::json!({ "domains": store.signup().domains().await? })))
}

/// `POST /v1/admin/domains`: `host` and the settings of a PUT.
pub async fn create(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let mut body: serde_json::Value = parse_body(&req)?;
    let host = match body.as_object_mut().and_then(|o| o.remove("host")) {
        Some(serde_json::Value::String(host)) => host,
        _ => return Err(ApiError::malformed("host: the domain's host name is needed")),
    };
    let settings: DomainBody = serde_json::from_value(body).map_err(|e| ApiError::malformed(e.to_string()))?;
    Ok(json(201, &signup::create_domain(&store, &host, &settings, &caller.actor).await?))
}

pub async fn get(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    Ok(json(200, &signup::domain(&store, &req.param("host")?.to_ascii_lowercase()).await?))
}

pub async fn replace(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let body: DomainBody = parse_body(&req)?;
    Ok(json(200, &signup::update_domain(&store, req.param("host")?, &body, &caller.actor).await?))
}

pub async fn delete(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    signup::delete_domain(&store, req.param("host")?, &caller.actor).await?;
    Ok(json(200, &serde_json::json!({ "deleted": req.param("host")?.to_ascii_lowercase() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    /// approve or reject.
    decision: String,
}

/// `POST /v1/admin/accounts/{id}/approval`: approve or reject a signup; the account as it is now.
pub async fn decide(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let id = req.param("id")?;
    let body: Decision = parse_body(&req)?;
    signup::decide(&store, id, ApprovalDecision::parse(&body.decision)?, &caller.actor).await?;
    crate::account_response(&store, id, 200).await
}
