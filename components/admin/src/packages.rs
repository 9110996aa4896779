//! The operator's package catalogue (seed 003): `GET`/`POST /v1/admin/packages`,
//! `GET`/`PATCH /v1/admin/packages/{id}`. A change applies to purchases from then on;
//! subscriptions keep the terms they were bought on. Packages are never deleted (purchases
//! and subscriptions name them): `active: false` takes one off sale.

use domain::api::error::ApiError;
use domain::billing::package::{Package, PackageInput};
use platform::http::{json, parse_body, Reply, Req};
use platform::store::{PackageView, Store};

pub async fn list(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &serde_json::json!({"packages": store.billing().packages(None).await?})))
}

pub async fn create(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let input: PackageInput = parse_body(&req)?;
    let package = Package::parse(&input)?;
    Ok(json(201, &store.billing().create_package(&package).await?))
}

pub async fn get(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &found(&store, req.param("id")?).await?))
}

pub async fn update(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let id = req.param("id")?;
    let patch: PackageInput = parse_body(&req)?;
    let current = found(&store, id).await?;
    let package = Package::parse(&patch.over(as_input(&current))?)?;
    let updated = store.billing().update_package(id, &package).await?.ok_or_else(|| not_found(id))?;
    Ok(json(200, &updated))
}

async fn found(store: &Store, id: &str) -> Result<PackageView, ApiError> {
    store.billing().package(id).await?.ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no package {id}"))
}

fn as_input(view: &PackageView) -> PackageInput {
    PackageInput {
        name: Some(view.name.clone()),
        cost_minor: Some(view.cost_minor),
        currency: Some(view.currency.clone()),
        sms_credits: Some(view.sms_credits),
        voice_credits: Some(view.voice_credits),
        numbers: Some(view.numbers),
        frequency: Some(view.frequency.clone()),
        active: Some(view.active),
    }
}
