//! The operator's send rules (seed 004, seed 001): `/v1/admin/send-rules` (the default
//! rules), `/v1/admin/accounts/{id}/send-rules` (an account's own), one rule by id, the
//! countries that want registered senders, and an account's registered senders and +1
//! campaigns. Parsing here; the workflows are platform::app::rules'.

use super::operator;
use domain::messaging::rules::RuleFields;
use platform::app::rules::{self, RulePatch};
use platform::http::{json, page, parse_body, Reply, Req};
use serde::Deserialize;

pub async fn default_rules(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let page = page(&req)?;
    let list = page.page(rules::rules(&store, None, page.fetch(), page.after()?).await?, |r| r.id);
    Ok(json(200, &serde_json::json!({"rules": list.items, "next_cursor": list.next_cursor})))
}

pub async fn create_default_rule(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let fields: RuleFields = parse_body(&req)?;
    Ok(json(201, &rules::create_rule(&store, None, &fields, &caller.actor).await?))
}

pub async fn account_rules(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let page = page(&req)?;
    let list = page.page(rules::rules(&store, Some(req.param("id")?), page.fetch(), page.after()?).await?, |r| r.id);
    Ok(json(200, &serde_json::json!({"rules": list.items, "next_cursor": list.next_cursor})))
}

pub async fn create_account_rule(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let fields: RuleFields = parse_body(&req)?;
    Ok(json(201, &rules::create_rule(&store, Some(req.param("id")?), &fields, &caller.actor).await?))
}

pub async fn get_rule(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    Ok(json(200, &rules::rule(&store, req.param("rule_id")?).await?))
}

pub async fn update_rule(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let patch: RulePatch = parse_body(&req)?;
    Ok(json(200, &rules::update_rule(&store, req.param("rule_id")?, patch, &caller.actor).await?))
}

pub async fn delete_rule(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let deleted = rules::delete_rule(&store, req.param("rule_id")?, &caller.actor).await?;
    Ok(json(200, &serde_json::json!({"id": deleted.id, "deleted": true})))
}

pub async fn registration_countries(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    Ok(json(200, &serde_json::json!({"countries": store.rules().registration_countries().await?})))
}

pub async fn require_registration(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    Ok(json(200, &rules::require_registration(&store, req.param("country")?).await?))
}

pub async fn lift_registration(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let country = req.param("country")?;
    rules::lift_registration(&store, country).await?;
    Ok(json(200, &serde_json::json!({"country": country.to_ascii_uppercase(), "deleted": true})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRegisteredSender {
    sender: String,
    country: String,
}

pub async fn registered_senders(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let page = page(&req)?;
    let list = page.page(rules::registered_senders(&store, req.param("id")?, page.fetch(), page.after()?).await?, |s| s.id);
    Ok(json(200, &serde_json::json!({"senders": list.items, "next_cursor": list.next_cursor})))
}

pub async fn register_sender(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let body: NewRegisteredSender = parse_body(&req)?;
    Ok(json(201, &rules::register_sender(&store, req.param("id")?, &body.sender, &body.country, &caller.actor).await?))
}

pub async fn unregister_sender(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let id = req.param("sender_id")?;
    rules::unregister_sender(&store, req.param("id")?, id, &caller.actor).await?;
    Ok(json(200, &serde_json::json!({"id": id, "deleted": true})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCampaign {
    /// The campaign's id where it was registered (e.g. a 10DLC campaign id).
    reference: String,
    description: Option<String>,
}

pub async fn campaigns(req: Req) -> Reply {
    let (store, _) = operator(&req).await?;
    let page = page(&req)?;
    let after: Option<String> = page.after()?;
    let list = page.page(rules::campaigns(&store, req.param("id")?, page.fetch(), after.as_deref()).await?, |c| c.id.clone());
    Ok(json(200, &serde_json::json!({"campaigns": list.items, "next_cursor": list.next_cursor})))
}

pub async fn add_campaign(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    let body: NewCampaign = parse_body(&req)?;
    Ok(json(201, &rules::add_campaign(&store, req.param("id")?, &body.reference, body.description.as_deref(), &caller.actor).await?))
}

pub async fn end_campaign(req: Req) -> Reply {
    let (store, caller) = operator(&req).await?;
    Ok(json(200, &rules::end_campaign(&store, req.param("id")?, req.param("campaign_id")?, &caller.actor).await?))
}
