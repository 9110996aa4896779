//! The contact book, by API key: `/v1/contacts` (contacts), `/v1/groups` (groups and their
//! members) and `/v1/blocklist` (numbers the account never sends to, with the history of
//! who blocked and unblocked them). Every id is scoped to the caller's account: another
//! account's ids are 404. Rules live in `domain::contacts::contact` and `domain::contacts::contactbook`; all
//! SQL in `platform::store`.

use domain::api::error::ErrorName;
use domain::api::paging::{PageRequest, MAX_LIMIT};
use domain::identity::access::{Actor, Scope};
use domain::contacts::contact::{BlockReason, GroupName, Note};
use domain::contacts::contactbook::{optional_name, ContactSearch};
use domain::api::error::{ApiError, ErrorDetail};
use domain::messaging::recipient::{NumberContext, Recipient};
use domain::messaging::status::Status;
use platform::http::{authenticate, internal, json, page_of, parse_body, query, Reply, Req, Routes};
use platform::store::{
    Caller, ContactFields, ContactPatch, ContactWrite, GroupWrite, MemberRemoved, MembersAdded, Store,
};
use serde::Deserialize;
use serde_json::json as value;
use std::collections::HashMap;

/// Contacts and numbers one request may add to a group.
const MAX_MEMBERS_PER_REQUEST: usize = 1_000;
/// Who the API writes as the source of blocks and unblocks.
const API_SOURCE: &str = "api";

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new()
        .get("/v1/contacts", list_contacts)
        .post("/v1/contacts", create_contact)
        .get("/v1/contacts/{id}", get_contact)
        .patch("/v1/contacts/{id}", update_contact)
        .delete("/v1/contacts/{id}", delete_contact)
        .get("/v1/groups", list_groups)
        .post("/v1/groups", create_group)
        .get("/v1/groups/{id}", get_group)
        .patch("/v1/groups/{id}", rename_group)
        .delete("/v1/groups/{id}", delete_group)
        .get("/v1/groups/{id}/members", list_members)
        .post("/v1/groups/{id}/members", add_members)
        .delete("/v1/groups/{id}/members/{contact_id}", remove_member)
        .get("/v1/blocklist", list_blocklist)
        .post("/v1/blocklist", block)
        .get("/v1/blocklist/{number}", blocklist_number)
        .delete("/v1/blocklist/{number}", unblock)
}

// Every route opens the store and authenticates the caller (scope `Contacts`) first,
// before its path parameters or body are read.

async fn list_contacts(req: Req) -> Reply {
    Ctx::open(&req).await?.list_contacts().await
}

async fn create_contact(req: Req) -> Reply {
    Ctx::open(&req).await?.create_contact().await
}

async fn get_contact(req: Req) -> Reply {
    Ctx::open(&req).await?.get_contact(req.param("id")?).await
}

async fn update_contact(req: Req) -> Reply {
    Ctx::open(&req).await?.update_contact(req.param("id")?).await
}

async fn delete_contact(req: Req) -> Reply {
    Ctx::open(&req).await?.delete_contact(req.param("id")?).await
}

async fn list_groups(req: Req) -> Reply {
    Ctx::open(&req).await?.list_groups().await
}

async fn create_group(req: Req) -> Reply {
    Ctx::open(&req).await?.create_group().await
}

async fn get_group(req: Req) -> Reply {
    Ctx::open(&req).await?.get_group(req.param("id")?).await
}

async fn rename_group(req: Req) -> Reply {
    Ctx::open(&req).await?.rename_group(req.param("id")?).await
}

async fn delete_group(req: Req) -> Reply {
    Ctx::open(&req).await?.delete_group(req.param("id")?).await
}

async fn list_members(req: Req) -> Reply {
    Ctx::open(&req).await?.list_members(req.param("id")?).await
}

async fn add_members(req: Req) -> Reply {
    Ctx::open(&req).await?.add_members(req.param("id")?).await
}

async fn remove_member(req: Req) -> Reply {
    Ctx::open(&req).await?.remove_member(req.param("id")?, req.param("contact_id")?).await
}

async fn list_blocklist(req: Req) -> Reply {
    Ctx::open(&req).await?.list_blocklist().await
}

async fn block(req: Req) -> Reply {
    Ctx::open(&req).await?.block().await
}

async fn blocklist_number(req: Req) -> Reply {
    Ctx::open(&req).await?.blocklist_number(req.param("number")?).await
}

async fn unblock(req: Req) -> Reply {
    Ctx::open(&req).await?.unblock(req.param("number")?).await
}

/// A request to the contact book: its store and its authenticated caller.
struct Ctx<'a> {
    req: &'a Req,
    store: Store,
    caller: Caller,
}

impl<'a> Ctx<'a> {
    async fn open(req: &'a Req) -> Result<Ctx<'a>, ApiError> {
        let store = Store::open().await?;
        let caller = authenticate(req, &store, Scope::Contacts).await?;
        Ok(Ctx { req, store, caller })
    }
}

// ---------------------------------------------------------------- input

fn bad(name: ErrorName, message: impl Into<String>) -> ApiError {
    ApiError::named(400, name, message)
}

/// A number as the account's customers write it, to E.164 (`InvalidRecipient`, 409,
/// like a send; national numbers read in the account's country).
fn number(input: &str, context: NumberContext) -> Result<Recipient, ApiError> {
    Recipient::parse(input, context).map_err(|e| {
        ApiError::from_status(400, Status::InvalidRecipient, e.to_string()).with_details(vec![ErrorDetail {
            index: None,
            value: Some(input.to_owned()),
            message: e.to_string(),
        }])
    })
}

/// The id a list of `prefix`ed ids (`con_…`, `grp_…`) continues after.
fn id_after(page: &PageRequest, prefix: &str) -> Result<Option<String>, ApiError> {
    Ok(page.after_checked(|id: &String| id.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty()))?)
}

fn flag(params: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match params.get(name).map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(_) => Err(bad(ErrorName::InvalidQuery, format!("{name} must be true or false"))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewContact {
    number: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactChange {
    number: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    /// `""` clears it.
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupBody {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMembers {
    #[serde(default)]
    contact_ids: Vec<String>,
    /// Numbers; one the book does not have becomes a contact without a name.
    #[serde(default)]
    numbers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockBody {
    number: String,
}

fn group_name(input: &str) -> Result<GroupName, ApiError> {
    Ok(GroupName::parse(input)?)
}

fn contact_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no contact {id} in this account"))
}

fn group_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("no group {id} in this account"))
}

fn number_taken(number: &str, existing: &str) -> ApiError {
    ApiError::named(409, ErrorName::DuplicateContact, format!("contact {existing} already has the number {number}"))
}

fn name_taken(name: &str, existing: &str) -> ApiError {
    ApiError::named(409, ErrorName::DuplicateGroup, format!("group {existing} already has the name {name} (names are compared without case)"))
}

// ---------------------------------------------------------------- contacts

impl Ctx<'_> {
    fn account(&self) -> &str {
        &self.caller.account_id
    }

    async fn list_contacts(&self) -> Reply {
        let params = query(self.req);
        let page = page_of(&params)?;
        let search = params.get("search").and_then(|s| ContactSearch::parse(s));
        let rows = self
            .store
            .contacts().contacts(self.account(), search.as_ref(), id_after(&page, "con_")?.as_deref(), page.fetch())
            .await?;
        let contacts = page.page(rows, |c| c.id.clone());
        Ok(json(200, &value!({"contacts": contacts.items, "next_cursor": contacts.next_cursor})))
    }

    async fn create_contact(&self) -> Reply {
        let body: NewContact = parse_body(self.req)?;
        let recipient = number(&body.number, self.caller.numbers)?;
        let name = optional_name(&body.first_name, &body.last_name)?;
        let note = Note::parse(&body.note)?;
        let fields = ContactFields {
            number: recipient.e164(),
            first_name: name.as_ref().map_or("", |n| n.first()),
            last_name: name.as_ref().map_or("", |n| n.last()),
            note: note.as_ref().map_or("", Note::as_str),
        };
        match self.store.contacts().create_contact(self.account(), &fields).await? {
            ContactWrite::Written(contact) => Ok(json(201, &contact_json(&contact, &[]))),
            ContactWrite::NumberTaken(existing) => Err(number_taken(recipient.e164(), &existing)),
            ContactWrite::NotFound => Err(internal("a created contact could not be read back")),
        }
    }

    async fn get_contact(&self, id: &str) -> Reply {
        let contact = self.store.contacts().contact(self.account(), id).await?.ok_or_else(|| contact_not_found(id))?;
        let groups = self.store.contacts().groups_of_contact(self.account(), id).await?;
        Ok(json(200, &contact_json(&contact, &groups)))
    }

    async fn update_contact(&self, id: &str) -> Reply {
        let body: ContactChange = parse_body(self.req)?;
        let current = self.store.contacts().contact(self.account(), id).await?.ok_or_else(|| contact_not_found(id))?;
        let recipient = body.number.as_deref().map(|n| number(n, self.caller.numbers)).transpose()?;
        // The names are checked as the pair they become.
        let name = if body.first_name.is_some() || body.last_name.is_some() {
            let first = body.first_name.as_deref().unwrap_or(&current.first_name);
            let last = body.last_name.as_deref().unwrap_or(&current.last_name);
            Some(optional_name(first, last)?)
        } else {
            None
        };
        let note = body.note.as_deref().map(Note::parse).transpose()?;
        let patch = ContactPatch {
            number: recipient.as_ref().map(Recipient::e164),
            first_name: name.as_ref().map(|n| n.as_ref().map_or("", |n| n.first())),
            last_name: name.as_ref().map(|n| n.as_ref().map_or("", |n| n.last())),
            note: note.as_ref().map(|n| n.as_ref().map_or("", Note::as_str)),
        };
        match self.store.contacts().update_contact(self.account(), id, &patch).await? {
            ContactWrite::Written(contact) => {
                let groups = self.store.contacts().groups_of_contact(self.account(), id).await?;
                Ok(json(200, &contact_json(&contact, &groups)))
            }
            ContactWrite::NumberTaken(existing) => Err(number_taken(patch.number.unwrap_or_default(), &existing)),
            ContactWrite::NotFound => Err(contact_not_found(id)),
        }
    }

    async fn delete_contact(&self, id: &str) -> Reply {
        if !self.store.contacts().delete_contact(self.account(), id).await? {
            return Err(contact_not_found(id));
        }
        Ok(json(200, &value!({"id": id, "deleted": true})))
    }

    // ------------------------------------------------------------ groups

    async fn list_groups(&self) -> Reply {
        let page = page_of(&query(self.req))?;
        let rows = self.store.contacts().groups(self.account(), id_after(&page, "grp_")?.as_deref(), page.fetch()).await?;
        let groups = page.page(rows, |g| g.id.clone());
        Ok(json(200, &value!({"groups": groups.items, "next_cursor": groups.next_cursor})))
    }

    async fn create_group(&self) -> Reply {
        let body: GroupBody = parse_body(self.req)?;
        let name = group_name(&body.name)?;
        match self.store.contacts().create_group(self.account(), name.as_str(), name.key()).await? {
            GroupWrite::Written(group) => Ok(json(201, &group)),
            GroupWrite::NameTaken(existing) => Err(name_taken(name.as_str(), &existing)),
            GroupWrite::NotFound => Err(internal("a created group could not be read back")),
        }
    }

    async fn get_group(&self, id: &str) -> Reply {
        let group = self.store.contacts().group(self.account(), id).await?.ok_or_else(|| group_not_found(id))?;
        Ok(json(200, &group))
    }

    async fn rename_group(&self, id: &str) -> Reply {
        let body: GroupBody = parse_body(self.req)?;
        let name = group_name(&body.name)?;
        match self.store.contacts().rename_group(self.account(), id, name.as_str(), name.key()).await? {
            GroupWrite::Written(group) => Ok(json(200, &group)),
            GroupWrite::NameTaken(existing) => Err(name_taken(name.as_str(), &existing)),
            GroupWrite::NotFound => Err(group_not_found(id)),
        }
    }

    async fn delete_group(&self, id: &str) -> Reply {
        if !self.store.contacts().delete_group(self.account(), id).await? {
            return Err(group_not_found(id));
        }
        Ok(json(200, &value!({"id": id, "deleted": true})))
    }

    async fn list_members(&self, id: &str) -> Reply {
        let page = page_of(&query(self.req))?;
        let rows = self
            .store
            .contacts().group_members(self.account(), id, id_after(&page, "con_")?.as_deref(), page.fetch())
            .await?
            .ok_or_else(|| group_not_found(id))?;
        let members = page.page(rows, |c| c.id.clone());
        Ok(json(200, &value!({"group_id": id, "members": members.items, "next_cursor": members.next_cursor})))
    }

    async fn add_members(&self, id: &str) -> Reply {
        let body: NewMembers = parse_body(self.req)?;
        let count = body.contact_ids.len() + body.numbers.len();
        if count == 0 {
            return Err(bad(ErrorName::InvalidMembers, "give contact_ids, numbers or both"));
        }
        if count > MAX_MEMBERS_PER_REQUEST {
            return Err(bad(
                ErrorName::InvalidMembers,
                format!("at most {MAX_MEMBERS_PER_REQUEST} members per request; this one has {count}"),
            ));
        }
        let mut numbers = Vec::with_capacity(body.numbers.len());
        let mut invalid = Vec::new();
        for (index, input) in body.numbers.iter().enumerate() {
            match Recipient::parse(input, self.caller.numbers) {
                Ok(r) => numbers.push(r),
                Err(e) => {
                    invalid.push(ErrorDetail { index: Some(index), value: Some(input.clone()), message: e.to_string() })
                }
            }
        }
        if !invalid.is_empty() {
            return Err(ApiError::from_status(
                400,
                Status::InvalidRecipient,
                format!("{} of the numbers are not valid phone numbers", invalid.len()),
            )
            .with_details(invalid));
        }
        let numbers: Vec<&str> = numbers.iter().map(Recipient::e164).collect();
        let contact_ids: Vec<&str> = body.contact_ids.iter().map(String::as_str).collect();
        match self.store.contacts().add_group_members(self.account(), id, &contact_ids, &numbers).await? {
            MembersAdded::Added { added, already_members, contacts_created } => {
                let group = self.store.contacts().group(self.account(), id).await?.ok_or_else(|| group_not_found(id))?;
                Ok(json(
                    200,
                    &value!({
                        "group": group, "added": added, "already_members": already_members, "contacts_created": contacts_created,
                    }),
                ))
            }
            MembersAdded::GroupNotFound => Err(group_not_found(id)),
            MembersAdded::UnknownContacts(unknown) => Err(ApiError::not_found(format!(
                "{} of the contact ids are not contacts of this account; nobody was added",
                unknown.len()
            ))
            .with_details(
                unknown
                    .into_iter()
                    .map(|id| ErrorDetail {
                        index: None,
                        message: format!("no contact {id} in this account"),
                        value: Some(id),
                    })
                    .collect(),
            )),
        }
    }

    async fn remove_member(&self, id: &str, contact_id: &str) -> Reply {
        match self.store.contacts().remove_group_member(self.account(), id, contact_id).await? {
            MemberRemoved::Removed => {
                Ok(json(200, &value!({"group_id": id, "contact_id": contact_id, "removed": true})))
            }
            MemberRemoved::NotAMember => Err(ApiError::not_found(format!("contact {contact_id} is not in group {id}"))),
            MemberRemoved::GroupNotFound => Err(group_not_found(id)),
        }
    }

    // ------------------------------------------------------------ blocklist

    async fn list_blocklist(&self) -> Reply {
        let params = query(self.req);
        let page = page_of(&params)?;
        let include_removed = flag(&params, "include_removed")?;
        let only = params.get("number").map(|n| number(n, self.caller.numbers)).transpose()?;
        let before = page.after_checked(|id: &i64| *id > 0)?;
        let rows = self
            .store
            .contacts().blocklist(self.account(), include_removed, only.as_ref().map(Recipient::e164), before, page.fetch())
            .await?;
        let entries = page.page(rows, |e| e.id);
        Ok(json(200, &value!({"entries": entries.items, "next_cursor": entries.next_cursor})))
    }

    /// Who blocks or unblocks: a signed-in person by hand (`manual:user:<id>`, source
    /// `user:<id>`), or the customer's system through the API (`api`, source `api`).
    fn blocker(&self) -> (BlockReason, String) {
        match &self.caller.actor {
            user @ Actor::User(_) => (BlockReason::Manual { by: user.to_string() }, user.to_string()),
            _ => (BlockReason::Api, API_SOURCE.to_owned()),
        }
    }

    /// A block by the account. Blocking a blocked number changes nothing and answers 200
    /// with the entry that blocks it.
    async fn block(&self) -> Reply {
        let body: BlockBody = parse_body(self.req)?;
        let recipient = number(&body.number, self.caller.numbers)?;
        let (reason, source) = self.blocker();
        let created = self.store.contacts().block_number(self.account(), recipient.e164(), &reason.to_string(), &source).await?;
        let entry = self.store.contacts().active_block(self.account(), recipient.e164()).await?;
        Ok(json(
            if created { 201 } else { 200 },
            &value!({"number": recipient.e164(), "blocked": true, "created": created, "entry": entry}),
        ))
    }

    /// Whether a number is blocked now, with every entry it has had.
    async fn blocklist_number(&self, input: &str) -> Reply {
        let recipient = number(input, self.caller.numbers)?;
        let entries = self.store.contacts().blocklist(self.account(), true, Some(recipient.e164()), None, MAX_LIMIT).await?;
        let blocked = entries.iter().any(|e| e.active);
        Ok(json(200, &value!({"number": recipient.e164(), "blocked": blocked, "entries": entries})))
    }

    async fn unblock(&self, input: &str) -> Reply {
        let recipient = number(input, self.caller.numbers)?;
        if !self.store.contacts().unblock_number(self.account(), recipient.e164(), &self.blocker().1).await? {
            return Err(ApiError::not_found(format!("{} is not on this account's blocklist", recipient.e164())));
        }
        let entry = self.store.contacts().latest_block(self.account(), recipient.e164()).await?;
        Ok(json(200, &value!({"number": recipient.e164(), "blocked": false, "entry": entry})))
    }
}

fn contact_json(contact: &platform::store::ContactView, groups: &[platform::store::GroupRef]) -> serde_json::Value {
    let mut body = serde_json::to_value(contact).unwrap_or_default();
    body["groups"] = serde_json::to_value(groups).unwrap_or_default();
    body
}
