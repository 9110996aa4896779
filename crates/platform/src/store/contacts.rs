//! SQL of the contact book: contacts, groups and their members, and the account's
//! blocklist (with its history), which the send path checks every recipient against.
//! Every query is scoped by `account_id`: another account's ids are simply not found.

use super::Store;
use crate::db::{int, text, Db, DbError, RowExt, RowsExt};
use crate::ids::new_id;
use domain::contacts::contact::GroupName;
use domain::contacts::contactbook::{search_key, ContactSearch};
use crate::db::Value;
use std::collections::HashMap;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactView {
    pub id: String,
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    pub note: String,
    pub created_at: String,
    pub updated_at: String,
    /// The number is on the account's blocklist (opted out, or blocked by the account):
    /// sends to it are refused.
    pub on_blocklist: bool,
}

const CONTACT_COLUMNS: &str = "c.id, c.number, c.first_name, c.last_name, c.note, c.created_at, c.updated_at, \
     EXISTS (SELECT 1 FROM blocklist b WHERE b.account_id = c.account_id AND b.number = c.number AND b.removed_at IS NULL) AS on_blocklist";

fn contact_from_row(row: &crate::host::Row) -> Result<ContactView, DbError> {
    Ok(ContactView {
        id: row.get("id")?,
        number: row.get("number")?,
        first_name: row.get("first_name")?,
        last_name: row.get("last_name")?,
        note: row.get("note")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        on_blocklist: row.get("on_blocklist")?,
    })
}

/// A contact's fields as validated by the caller (`domain::contacts::contact`); blank is none.
#[derive(Debug, Clone, Copy)]
pub struct ContactFields<'a> {
    pub number: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub note: &'a str,
}

/// A change to a contact; `None` leaves a field as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactPatch<'a> {
    pub number: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub note: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactWrite {
    Written(ContactView),
    /// Another contact of the account has that number (its id).
    NumberTaken(String),
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub members: i64,
    pub created_at: String,
    pub updated_at: String,
}

const GROUP_COLUMNS: &str =
    "g.id, g.name, (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members, g.created_at, g.updated_at";

fn group_from_row(row: &crate::host::Row) -> Result<GroupView, DbError> {
    Ok(GroupView {
        id: row.get("id")?,
        name: row.get("name")?,
        members: row.get("members")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupWrite {
    Written(GroupView),
    /// Another group of the account has that name, whatever the case (its id).
    NameTaken(String),
    NotFound,
}

/// What [`Contacts::save_contact_to_group`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SavedContact {
    pub contact_id: String,
    pub group_id: String,
    pub created_contact: bool,
    pub created_group: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembersAdded {
    Added {
        /// Memberships written now.
        added: usize,
        /// Contacts that were members already.
        already_members: usize,
        /// Contacts made for numbers the book did not have.
        contacts_created: usize,
    },
    GroupNotFound,
    /// Contact ids that are not contacts of the account; nothing was added.
    UnknownContacts(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRemoved {
    Removed,
    NotAMember,
    GroupNotFound,
}

/// One blocklist entry: who blocked the number, why and when, and its removal if any.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlockEntry {
    pub id: i64,
    pub number: String,
    pub reason: String,
    pub source: String,
    pub created_at: String,
    pub removed_at: Option<String>,
    pub removed_by: Option<String>,
    /// Whether this entry blocks the number now (not removed).
    pub active: bool,
}

const BLOCK_COLUMNS: &str = "id, number, reason, source, created_at, removed_at, removed_by";

fn block_from_row(row: &crate::host::Row) -> Result<BlockEntry, DbError> {
    let removed_at: Option<String> = row.get("removed_at")?;
    Ok(BlockEntry {
        id: row.get("id")?,
        number: row.get("number")?,
        reason: row.get("reason")?,
        source: row.get("source")?,
        created_at: row.get("created_at")?,
        active: removed_at.is_none(),
        removed_at,
        removed_by: row.get("removed_by")?,
    })
}

/// `?, ?, ?` for `n` parameters.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(",")
}

/// The contact book: contacts, groups and their members, the blocklist: `store.contacts()`.
#[derive(Clone, Copy)]
pub struct Contacts<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn contacts(&self) -> Contacts<'_> {
        Contacts { store: self }
    }
}

impl Contacts<'_> {
    // ------------------------------------------------------------ contacts

    /// The account's contacts in creation order, after the contact `after` (a cursor: the
    /// last id of the previous page), matching `search` when given.
    pub async fn contacts(
        self,
        account_id: &str,
        search: Option<&ContactSearch>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ContactView>, DbError> {
        let mut sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.account_id = ?");
        let mut params = vec![text(account_id)];
        if let Some(after) = after {
            sql.push_str(" AND c.id > ?");
            params.push(text(after));
        }
        if let Some(search) = search {
            sql.push_str(" AND (instr(c.search_name, ?) > 0 OR (? <> '' AND instr(c.number, ?) > 0))");
            params.extend([text(&search.name), text(&search.digits), text(&search.digits)]);
        }
        sql.push_str(" ORDER BY c.id LIMIT ?");
        params.push(int(limit));
        self.store.db.query(&sql, &params).await?.rows.iter().map(contact_from_row).collect()
    }

    pub async fn contact(self, account_id: &str, contact_id: &str) -> Result<Option<ContactView>, DbError> {
        contact_in(&self.store.db, account_id, contact_id).await
    }

    /// The groups a contact is in, by name.
    pub async fn groups_of_contact(self, account_id: &str, contact_id: &str) -> Result<Vec<GroupRef>, DbError> {
        let rows = self.store.db.query(
            "SELECT g.id, g.name FROM group_members m JOIN contact_groups g ON g.id = m.group_id \
             WHERE m.contact_id = ? AND g.account_id = ? ORDER BY g.name_key",
            &[text(contact_id), text(account_id)],
        ).await?;
        rows.rows.iter().map(|r| Ok(GroupRef { id: r.get("id")?, name: r.get("name")? })).collect()
    }

    pub async fn create_contact(self, account_id: &str, fields: &ContactFields<'_>) -> Result<ContactWrite, DbError> {
        let id = new_id("con");
        let rows = self.store.db.query(
            "INSERT INTO contacts (id, account_id, number, first_name, last_name, note, search_name) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, number) DO NOTHING RETURNING id",
            &[
                text(&id),
                text(account_id),
                text(fields.number),
                text(fields.first_name),
                text(fields.last_name),
                text(fields.note),
                text(search_key(fields.first_name, fields.last_name)),
            ],
        ).await?;
        if rows.rows.is_empty() {
            return Ok(match contact_id_by_number(&self.store.db, account_id, fields.number).await? {
                Some(existing) => ContactWrite::NumberTaken(existing),
                None => ContactWrite::NotFound,
            });
        }
        Ok(contact_in(&self.store.db, account_id, &id).await?.map_or(ContactWrite::NotFound, ContactWrite::Written))
    }

    /// Applies `patch` (validated by the caller, including that the resulting pair of
    /// names is acceptable) in one transaction.
    pub async fn update_contact(
        self,
        account_id: &str,
        contact_id: &str,
        patch: &ContactPatch<'_>,
    ) -> Result<ContactWrite, DbError> {
        self.store.db.transaction(async |db| {
            let Some(current) = contact_in(db, account_id, contact_id).await? else { return Ok(ContactWrite::NotFound) };
            let number = patch.number.unwrap_or(&current.number);
            if number != current.number {
                if let Some(existing) = contact_id_by_number(db, account_id, number).await? {
                    return Ok(ContactWrite::NumberTaken(existing));
                }
            }
            let first = patch.first_name.unwrap_or(&current.first_name);
            let last = patch.last_name.unwrap_or(&current.last_name);
            let note = patch.note.unwrap_or(&current.note);
            db.execute(
                &format!(
                    "UPDATE contacts SET number = ?, first_name = ?, last_name = ?, note = ?, search_name = ?, updated_at = {NOW} \
                     WHERE id = ? AND account_id = ?"
                ),
                &[text(number), text(first), text(last), text(note), text(search_key(first, last)), text(contact_id), text(account_id)],
            ).await?;
            Ok(contact_in(db, account_id, contact_id).await?.map_or(ContactWrite::NotFound, ContactWrite::Written))
        }).await
    }

    /// Deletes the contact and its memberships (trigger); blocklist entries for its number
    /// stay: the blocklist is about numbers, not contacts.
    pub async fn delete_contact(self, account_id: &str, contact_id: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "DELETE FROM contacts WHERE id = ? AND account_id = ? RETURNING id",
            &[text(contact_id), text(account_id)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// For the inbound side (`Spara Förnamn Efternamn Grupp`): the contact with this
    /// number (made if missing; its name replaced when `first` or `last` is given, kept
    /// when both are blank) is put in the group named `group` (matched without regard to
    /// case, `domain::contacts::contact::GroupName::key`; made if missing), all in one transaction.
    /// The caller validates the names and the group name first.
    pub async fn save_contact_to_group(
        self,
        account_id: &str,
        e164: &str,
        first: &str,
        last: &str,
        group: &str,
    ) -> Result<SavedContact, DbError> {
        // The same name and key the groups API stores, so "Kunder" here is "kunder" there.
        let group = GroupName::parse(group).map_err(|e| DbError(format!("save_contact_to_group: {e}")))?;
        let (group_name, group_key) = (group.as_str(), group.key());
        self.store.db.transaction(async |db| {
            let new_contact = new_id("con");
            let rows = db.query(
                &format!(
                    "INSERT INTO contacts (id, account_id, number, first_name, last_name, search_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (account_id, number) DO UPDATE SET \
                        first_name = CASE WHEN ?4 <> '' OR ?5 <> '' THEN ?4 ELSE first_name END, \
                        last_name = CASE WHEN ?4 <> '' OR ?5 <> '' THEN ?5 ELSE last_name END, \
                        search_name = CASE WHEN ?4 <> '' OR ?5 <> '' THEN ?6 ELSE search_name END, \
                        updated_at = CASE WHEN ?4 <> '' OR ?5 <> '' THEN {NOW} ELSE updated_at END \
                     RETURNING id"
                ),
                &[
                    text(&new_contact),
                    text(account_id),
                    text(e164),
                    text(first.trim()),
                    text(last.trim()),
                    text(search_key(first.trim(), last.trim())),
                ],
            ).await?;
            let contact_id: String = rows.one()?.get("id")?;
            let new_group = new_id("grp");
            let created_group = !db
                .query(
                    "INSERT INTO contact_groups (id, account_id, name, name_key) VALUES (?, ?, ?, ?) \
                     ON CONFLICT (account_id, name_key) DO NOTHING RETURNING id",
                    &[text(&new_group), text(account_id), text(group_name), text(group_key)],
                ).await?
                .rows
                .is_empty();
            let group_id = if created_group {
                new_group
            } else {
                group_id_by_key(db, account_id, group_key).await?.ok_or_else(|| DbError("the group vanished inside its transaction".into()))?
            };
            db.execute(
                "INSERT INTO group_members (group_id, contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                &[text(&group_id), text(&contact_id)],
            ).await?;
            Ok(SavedContact { created_contact: contact_id == new_contact, contact_id, group_id, created_group })
        }).await
    }

    // ------------------------------------------------------------ groups

    pub async fn groups(self, account_id: &str, after: Option<&str>, limit: i64) -> Result<Vec<GroupView>, DbError> {
        let mut sql = format!("SELECT {GROUP_COLUMNS} FROM contact_groups g WHERE g.account_id = ?");
        let mut params = vec![text(account_id)];
        if let Some(after) = after {
            sql.push_str(" AND g.id > ?");
            params.push(text(after));
        }
        sql.push_str(" ORDER BY g.id LIMIT ?");
        params.push(int(limit));
        self.store.db.query(&sql, &params).await?.rows.iter().map(group_from_row).collect()
    }

    pub async fn group(self, account_id: &str, group_id: &str) -> Result<Option<GroupView>, DbError> {
        group_in(&self.store.db, account_id, group_id).await
    }

    /// `name_key` is `domain::contacts::contact::GroupName::key` of `name`.
    pub async fn create_group(self, account_id: &str, name: &str, name_key: &str) -> Result<GroupWrite, DbError> {
        let id = new_id("grp");
        let rows = self.store.db.query(
            "INSERT INTO contact_groups (id, account_id, name, name_key) VALUES (?, ?, ?, ?) \
             ON CONFLICT (account_id, name_key) DO NOTHING RETURNING id",
            &[text(&id), text(account_id), text(name), text(name_key)],
        ).await?;
        if rows.rows.is_empty() {
            return Ok(match group_id_by_key(&self.store.db, account_id, name_key).await? {
                Some(existing) => GroupWrite::NameTaken(existing),
                None => GroupWrite::NotFound,
            });
        }
        Ok(group_in(&self.store.db, account_id, &id).await?.map_or(GroupWrite::NotFound, GroupWrite::Written))
    }

    pub async fn rename_group(
        self,
        account_id: &str,
        group_id: &str,
        name: &str,
        name_key: &str,
    ) -> Result<GroupWrite, DbError> {
        self.store.db.transaction(async |db| {
            if group_in(db, account_id, group_id).await?.is_none() {
                return Ok(GroupWrite::NotFound);
            }
            if let Some(existing) = group_id_by_key(db, account_id, name_key).await?.filter(|id| id != group_id) {
                return Ok(GroupWrite::NameTaken(existing));
            }
            db.execute(
                &format!("UPDATE contact_groups SET name = ?, name_key = ?, updated_at = {NOW} WHERE id = ? AND account_id = ?"),
                &[text(name), text(name_key), text(group_id), text(account_id)],
            ).await?;
            Ok(group_in(db, account_id, group_id).await?.map_or(GroupWrite::NotFound, GroupWrite::Written))
        }).await
    }

    /// Deletes the group and its memberships (trigger), not its contacts.
    pub async fn delete_group(self, account_id: &str, group_id: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "DELETE FROM contact_groups WHERE id = ? AND account_id = ? RETURNING id",
            &[text(group_id), text(account_id)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// The group's members in contact order after `after`; `None` when the account has
    /// no such group.
    pub async fn group_members(
        self,
        account_id: &str,
        group_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Option<Vec<ContactView>>, DbError> {
        if group_in(&self.store.db, account_id, group_id).await?.is_none() {
            return Ok(None);
        }
        let mut sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM group_members m JOIN contacts c ON c.id = m.contact_id \
             WHERE m.group_id = ? AND c.account_id = ?"
        );
        let mut params = vec![text(group_id), text(account_id)];
        if let Some(after) = after {
            sql.push_str(" AND c.id > ?");
            params.push(text(after));
        }
        sql.push_str(" ORDER BY c.id LIMIT ?");
        params.push(int(limit));
        self.store.db.query(&sql, &params).await?.rows.iter().map(contact_from_row).collect::<Result<_, _>>().map(Some)
    }

    /// Adds contacts (by id) and numbers (E.164; a contact without a name is made for a
    /// number the book does not have) to the group, all or nothing: an unknown contact id
    /// adds nobody.
    pub async fn add_group_members(
        self,
        account_id: &str,
        group_id: &str,
        contact_ids: &[&str],
        numbers: &[&str],
    ) -> Result<MembersAdded, DbError> {
        self.store.db.transaction(async |db| {
            if group_in(db, account_id, group_id).await?.is_none() {
                return Ok(MembersAdded::GroupNotFound);
            }
            let mut ids: Vec<String> = Vec::with_capacity(contact_ids.len() + numbers.len());
            if !contact_ids.is_empty() {
                let mut params = vec![text(account_id)];
                params.extend(contact_ids.iter().map(|id| text(*id)));
                let rows = db.query(
                    &format!("SELECT id FROM contacts WHERE account_id = ? AND id IN ({})", placeholders(contact_ids.len())),
                    &params,
                ).await?;
                let found = rows.rows.iter().map(|r| r.get("id")).collect::<Result<std::collections::HashSet<String>, DbError>>()?;
                let unknown: Vec<String> = contact_ids.iter().filter(|id| !found.contains(**id)).map(|id| id.to_string()).collect();
                if !unknown.is_empty() {
                    return Ok(MembersAdded::UnknownContacts(unknown));
                }
                ids.extend(contact_ids.iter().map(|id| id.to_string()));
            }
            let mut contacts_created = 0;
            for number in numbers {
                let new_contact = new_id("con");
                // A no-op update on conflict makes RETURNING give the existing row's id.
                let rows = db.query(
                    "INSERT INTO contacts (id, account_id, number) VALUES (?, ?, ?) \
                     ON CONFLICT (account_id, number) DO UPDATE SET number = excluded.number RETURNING id",
                    &[text(&new_contact), text(account_id), text(*number)],
                ).await?;
                let id: String = rows.one()?.get("id")?;
                if id == new_contact {
                    contacts_created += 1;
                }
                ids.push(id);
            }
            // Members join in the order the request lists them (a send to the group
            // goes out in that order); a contact listed twice joins once.
            let mut seen = std::collections::HashSet::new();
            ids.retain(|id| seen.insert(id.clone()));
            let mut added = 0;
            for id in &ids {
                let rows = db.query(
                    "INSERT INTO group_members (group_id, contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING contact_id",
                    &[text(group_id), text(id.as_str())],
                ).await?;
                added += rows.rows.len();
            }
            Ok(MembersAdded::Added { added, already_members: ids.len() - added, contacts_created })
        }).await
    }

    pub async fn remove_group_member(
        self,
        account_id: &str,
        group_id: &str,
        contact_id: &str,
    ) -> Result<MemberRemoved, DbError> {
        if group_in(&self.store.db, account_id, group_id).await?.is_none() {
            return Ok(MemberRemoved::GroupNotFound);
        }
        let rows = self.store.db.query(
            "DELETE FROM group_members WHERE group_id = ? AND contact_id = ? RETURNING contact_id",
            &[text(group_id), text(contact_id)],
        ).await?;
        Ok(if rows.rows.is_empty() { MemberRemoved::NotAMember } else { MemberRemoved::Removed })
    }

    /// The numbers of the account's groups among `group_ids` (group id → members' numbers,
    /// in the order they joined). Ids that are not the account's groups are absent; a
    /// group without members maps to an empty list.
    pub async fn group_numbers(self, account_id: &str, group_ids: &[&str]) -> Result<HashMap<String, Vec<String>>, DbError> {
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        if group_ids.is_empty() {
            return Ok(groups);
        }
        let mut params = vec![text(account_id)];
        params.extend(group_ids.iter().map(|id| text(*id)));
        let rows = self.store.db.query(
            &format!(
                "SELECT g.id, c.number FROM contact_groups g \
                 LEFT JOIN group_members m ON m.group_id = g.id \
                 LEFT JOIN contacts c ON c.id = m.contact_id \
                 WHERE g.account_id = ? AND g.id IN ({}) ORDER BY g.id, m.rowid",
                placeholders(group_ids.len())
            ),
            &params,
        ).await?;
        for row in &rows.rows {
            let numbers = groups.entry(row.get("id")?).or_default();
            // NULL: the group has no members (the LEFT JOINs found none).
            if let Some(number) = row.get("number")? {
                numbers.push(number);
            }
        }
        Ok(groups)
    }

    // ------------------------------------------------------------ blocklist

    /// Blocks `e164` for the account: true if it is newly blocked, false if it already
    /// was (nothing written; the first entry stands). `reason` is a
    /// `domain::contacts::contact::BlockReason` as stored (`keyword:STOP`, `api`, …); `source` says
    /// who or what did it (`api`, the inbound message, …).
    pub async fn block_number(self, account_id: &str, e164: &str, reason: &str, source: &str) -> Result<bool, DbError> {
        // The partial unique index (one active entry per number) makes a repeat a no-op.
        let rows = self.store.db.query(
            "INSERT INTO blocklist (account_id, number, reason, source) VALUES (?, ?, ?, ?) \
             ON CONFLICT DO NOTHING RETURNING id",
            &[text(account_id), text(e164), text(reason), text(source)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// Lifts the block on `e164`: true if it was blocked. The entry is kept, stamped
    /// with when and by whom (`source`).
    pub async fn unblock_number(self, account_id: &str, e164: &str, source: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            &format!(
                "UPDATE blocklist SET removed_at = {NOW}, removed_by = ? \
                 WHERE account_id = ? AND number = ? AND removed_at IS NULL RETURNING id"
            ),
            &[text(source), text(account_id), text(e164)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// Those of `numbers` (E.164) the account has blocked now: (number, reason, since).
    pub async fn blocked_numbers(
        self,
        account_id: &str,
        numbers: &[&str],
    ) -> Result<Vec<(String, String, String)>, DbError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = vec![text(account_id)];
        params.extend(numbers.iter().map(|n| text(*n)));
        let rows = self.store.db.query(
            &format!(
                "SELECT number, reason, created_at FROM blocklist \
                 WHERE account_id = ? AND removed_at IS NULL AND number IN ({})",
                placeholders(numbers.len())
            ),
            &params,
        ).await?;
        rows.rows.iter().map(|r| Ok((r.get("number")?, r.get("reason")?, r.get("created_at")?))).collect()
    }

    /// The blocklist, newest entry first, before the entry `before` (a cursor); only
    /// active entries unless `include_removed`; only `number`'s when given.
    pub async fn blocklist(
        self,
        account_id: &str,
        include_removed: bool,
        number: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<BlockEntry>, DbError> {
        let mut sql = format!("SELECT {BLOCK_COLUMNS} FROM blocklist WHERE account_id = ?");
        let mut params: Vec<Value> = vec![text(account_id)];
        if !include_removed {
            sql.push_str(" AND removed_at IS NULL");
        }
        if let Some(number) = number {
            sql.push_str(" AND number = ?");
            params.push(text(number));
        }
        if let Some(before) = before {
            sql.push_str(" AND id < ?");
            params.push(int(before));
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        params.push(int(limit));
        self.store.db.query(&sql, &params).await?.rows.iter().map(block_from_row).collect()
    }

    /// The entry that blocks `e164` now, if any.
    pub async fn active_block(self, account_id: &str, e164: &str) -> Result<Option<BlockEntry>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {BLOCK_COLUMNS} FROM blocklist WHERE account_id = ? AND number = ? AND removed_at IS NULL"
            ),
            &[text(account_id), text(e164)],
        ).await?;
        rows.rows.first().map(block_from_row).transpose()
    }

    /// The most recent entry for `e164`, active or removed.
    pub async fn latest_block(self, account_id: &str, e164: &str) -> Result<Option<BlockEntry>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {BLOCK_COLUMNS} FROM blocklist WHERE account_id = ? AND number = ? ORDER BY id DESC LIMIT 1"
            ),
            &[text(account_id), text(e164)],
        ).await?;
        rows.rows.first().map(block_from_row).transpose()
    }
}

async fn contact_in(db: &Db, account_id: &str, contact_id: &str) -> Result<Option<ContactView>, DbError> {
    let rows = db.query(
        &format!("SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.id = ? AND c.account_id = ?"),
        &[text(contact_id), text(account_id)],
    ).await?;
    rows.rows.first().map(contact_from_row).transpose()
}

async fn contact_id_by_number(db: &Db, account_id: &str, number: &str) -> Result<Option<String>, DbError> {
    let rows =
        db.query("SELECT id FROM contacts WHERE account_id = ? AND number = ?", &[text(account_id), text(number)]).await?;
    rows.rows.first().map(|r| r.get("id")).transpose()
}

async fn group_in(db: &Db, account_id: &str, group_id: &str) -> Result<Option<GroupView>, DbError> {
    let rows = db.query(
        &format!("SELECT {GROUP_COLUMNS} FROM contact_groups g WHERE g.id = ? AND g.account_id = ?"),
        &[text(group_id), text(account_id)],
    ).await?;
    rows.rows.first().map(group_from_row).transpose()
}

async fn group_id_by_key(db: &Db, account_id: &str, name_key: &str) -> Result<Option<String>, DbError> {
    let rows = db.query(
        "SELECT id FROM contact_groups WHERE account_id = ? AND name_key = ?",
        &[text(account_id), text(name_key)],
    ).await?;
    rows.rows.first().map(|r| r.get("id")).transpose()
}
