//! The console's staff (issue 18): the signed-in staff member (`/v1/console/me`), staff
//! members and permission groups (area `staff`). Workflows: platform::app::staff.

use domain::api::error::ApiError;
use platform::app::staff::{self as workflow, GroupInput, NewStaffMember, StaffPatch};
use platform::http::{json, parse_body, require_session, Reply, Req};
use platform::store::Store;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `GET /v1/console/me`: who is signed in to the console, with every area and whether
/// they may use it, and the session's CSRF token. Any staff member: one without
/// two-factor learns here that they must turn it on (their areas are all false until then).
pub async fn console_me(req: Req) -> Reply {
    let store = Store::open().await?;
    let signed_in = require_session(&req).await?;
    Ok(json(200, &workflow::console_me(&store, &signed_in).await?))
}

pub async fn list(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &serde_json::json!({"staff": workflow::list(&store).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewStaffBody {
    email: String,
    name: String,
    password: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    /// Development only (./run.sh's first operator): two-factor on at once, its secret shown once.
    #[serde(default)]
    enrol_two_factor: bool,
}

/// 201 with the staff member; without a password, a one-time `initial_password`.
pub async fn create(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: NewStaffBody = parse_body(&req)?;
    let new = NewStaffMember {
        email: &body.email,
        name: &body.name,
        password: body.password.as_deref(),
        groups: &body.groups,
        enrol_two_factor: body.enrol_two_factor,
    };
    Ok(json(201, &workflow::create(&store, &new, &caller).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffPatchBody {
    name: Option<String>,
    groups: Option<Vec<String>>,
    disabled: Option<bool>,
}

pub async fn update(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: StaffPatchBody = parse_body(&req)?;
    let patch = StaffPatch { name: body.name, groups: body.groups, disabled: body.disabled };
    Ok(json(200, &workflow::update(&store, req.param("user_id")?, &patch, &caller).await?))
}

pub async fn groups(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &serde_json::json!({"groups": workflow::groups(&store).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupBody {
    name: Option<String>,
    /// `{"billing": "allow", "staff": "deny"}`; an area left out is neither.
    permissions: Option<BTreeMap<String, String>>,
}

impl GroupBody {
    fn input(&self) -> GroupInput<'_> {
        GroupInput { name: self.name.as_deref(), permissions: self.permissions.as_ref() }
    }
}

pub async fn create_group(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: GroupBody = parse_body(&req)?;
    if body.name.is_none() {
        return Err(ApiError::malformed("name is needed"));
    }
    Ok(json(201, &workflow::create_group(&store, &body.input(), &caller).await?))
}

pub async fn update_group(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let body: GroupBody = parse_body(&req)?;
    Ok(json(200, &workflow::update_group(&store, req.param("id")?, &body.input(), &caller).await?))
}

pub async fn delete_group(req: Req) -> Reply {
    let (store, caller) = crate::operator(&req).await?;
    let id = req.param("id")?;
    workflow::delete_group(&store, id, &caller).await?;
    Ok(json(200, &serde_json::json!({"id": id, "deleted": true})))
}
