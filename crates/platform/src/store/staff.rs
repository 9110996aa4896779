//! SQL of the operator's staff: who is staff (users marked so, with a name), permission
//! groups and their per-area permissions, who is in which group, and the history of
//! changes to them (`staff_events`).

use super::Store;
use crate::db::{opt_text, text, DbError, RowExt};
use domain::identity::access::Actor;
use domain::identity::staff::GroupPermissions;

/// A staff member as the guard of the operator API reads them.
#[derive(Debug, Clone)]
pub struct StaffRecord {
    pub user_id: String,
    pub name: String,
    pub disabled: bool,
}

/// A group as a staff member's row names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StaffGroupRef {
    pub id: String,
    pub name: String,
}

/// A staff member as the console lists them (no secrets).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StaffView {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub groups: Vec<StaffGroupRef>,
    pub two_factor_enabled: bool,
    pub disabled: bool,
    pub created_at: String,
}

/// A staff member of a group, as the group lists them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupMember {
    pub user_id: String,
    pub name: String,
}

/// A permission group with its permissions and members.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StaffGroupView {
    pub id: String,
    pub name: String,
    pub permissions: GroupPermissions,
    pub members: Vec<GroupMember>,
    pub created_at: String,
}

/// A new staff member with a new user.
pub struct NewStaff<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub groups: &'a [String],
    pub created_by: &'a Actor,
}

/// A change to a staff member; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct StaffChange<'a> {
    pub name: Option<&'a str>,
    pub groups: Option<&'a [String]>,
    pub disabled: Option<bool>,
}

/// What a write to staff or groups can fail with besides the database.
#[derive(Debug)]
pub enum StaffWriteError {
    /// A user has the e-mail address already.
    EmailTaken,
    /// Group ids that name no group.
    UnknownGroups(Vec<String>),
    /// Another group has the name (any case).
    DuplicateGroup,
    Db(DbError),
}

impl From<DbError> for StaffWriteError {
    fn from(e: DbError) -> Self {
        StaffWriteError::Db(e)
    }
}

/// Staff, permission groups and their history: `store.staff()`.
#[derive(Clone, Copy)]
pub struct Staff<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn staff(&self) -> Staff<'_> {
        Staff { store: self }
    }
}

const VIEW_SQL: &str = "SELECT s.user_id, u.email, s.name, s.disabled_at, s.created_at, u.totp_enabled_at \
     FROM staff s JOIN users u ON u.id = s.user_id";

impl Staff<'_> {
    /// The staff member who is this user, if they are one.
    pub async fn member(self, user_id: &str) -> Result<Option<StaffRecord>, DbError> {
        let rows = self.store.db.query("SELECT user_id, name, disabled_at FROM staff WHERE user_id = ?", &[text(user_id)]).await?;
        rows.rows
            .first()
            .map(|r| Ok(StaffRecord { user_id: r.get("user_id")?, name: r.get("name")?, disabled: r.get::<Option<String>>("disabled_at")?.is_some() }))
            .transpose()
    }

    /// The permissions of every group the user is in (a group that says nothing is an
    /// empty entry): what domain::identity::staff::Areas is worked out from.
    pub async fn permissions_of(self, user_id: &str) -> Result<Vec<GroupPermissions>, DbError> {
        let rows = self.store.db.query(
            "SELECT m.group_id, p.area, p.permission FROM staff_group_members m \
             LEFT JOIN staff_group_permissions p ON p.group_id = m.group_id WHERE m.user_id = ? ORDER BY m.group_id",
            &[text(user_id)],
        ).await?;
        let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for r in &rows.rows {
            let group: String = r.get("group_id")?;
            if groups.last().is_none_or(|(id, _)| *id != group) {
                groups.push((group, Vec::new()));
            }
            if let (Some(area), Some(permission)) = (r.get::<Option<String>>("area")?, r.get::<Option<String>>("permission")?) {
                groups.last_mut().expect("pushed above").1.push((area, permission));
            }
        }
        Ok(groups.iter().map(|(_, entries)| GroupPermissions::from_stored(entries.iter().map(|(a, p)| (a.as_str(), p.as_str())))).collect())
    }

    /// Whether anyone is staff (the development operator is made when nobody is).
    pub async fn any(self) -> Result<bool, DbError> {
        Ok(!self.store.db.query("SELECT 1 AS one FROM staff LIMIT 1", &[]).await?.rows.is_empty())
    }

    /// Every staff member, by name.
    pub async fn list(self) -> Result<Vec<StaffView>, DbError> {
        self.views(None).await
    }

    pub async fn view(self, user_id: &str) -> Result<Option<StaffView>, DbError> {
        Ok(self.views(Some(user_id)).await?.into_iter().next())
    }

    async fn views(self, only: Option<&str>) -> Result<Vec<StaffView>, DbError> {
        let rows = self.store.db.query(
            &format!("{VIEW_SQL} WHERE (?1 IS NULL OR s.user_id = ?1) ORDER BY s.name COLLATE NOCASE, s.user_id"),
            &[opt_text(only)],
        ).await?;
        let groups = self.store.db.query(
            "SELECT m.user_id, g.id, g.name FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id \
             WHERE (?1 IS NULL OR m.user_id = ?1) ORDER BY g.name COLLATE NOCASE, g.id",
            &[opt_text(only)],
        ).await?;
        let mut memberships: Vec<(String, StaffGroupRef)> = Vec::with_capacity(groups.rows.len());
        for r in &groups.rows {
            memberships.push((r.get("user_id")?, StaffGroupRef { id: r.get("id")?, name: r.get("name")? }));
        }
        rows.rows
            .iter()
            .map(|r| {
                let user_id: String = r.get("user_id")?;
                Ok(StaffView {
                    groups: memberships.iter().filter(|(u, _)| *u == user_id).map(|(_, g)| g.clone()).collect(),
                    user_id,
                    email: r.get("email")?,
                    name: r.get("name")?,
                    two_factor_enabled: r.get::<Option<String>>("totp_enabled_at")?.is_some(),
                    disabled: r.get::<Option<String>>("disabled_at")?.is_some(),
                    created_at: r.get("created_at")?,
                })
            })
            .collect()
    }

    /// A new user who is staff, in the groups given (run it in a transaction: the user,
    /// the staff row and the memberships together). The name is the user's too.
    pub async fn create(self, new: &NewStaff<'_>) -> Result<(), StaffWriteError> {
        let inserted = self.store.db.query(
            "INSERT INTO users (id, email, name, language, password_hash) VALUES (?, ?, ?, 'en', ?) \
             ON CONFLICT (email) DO NOTHING RETURNING id",
            &[text(new.user_id), text(new.email), text(new.name), text(new.password_hash)],
        ).await?;
        if inserted.rows.is_empty() {
            return Err(StaffWriteError::EmailTaken);
        }
        self.store.db.execute(
            "INSERT INTO staff (user_id, name, created_by) VALUES (?, ?, ?)",
            &[text(new.user_id), text(new.name), text(new.created_by)],
        ).await?;
        self.set_groups(new.user_id, new.groups).await
    }

    /// Changes a staff member (run it in a transaction); false when there is none.
    pub async fn update(self, user_id: &str, change: &StaffChange<'_>) -> Result<bool, StaffWriteError> {
        let disabled = change.disabled.map(|d| d as i64);
        let rows = self.store.db.query(
            "UPDATE staff SET name = COALESCE(?2, name), \
                    disabled_at = CASE WHEN ?3 IS NULL THEN disabled_at WHEN ?3 = 1 THEN COALESCE(disabled_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ELSE NULL END \
             WHERE user_id = ?1 RETURNING user_id",
            &[text(user_id), opt_text(change.name), disabled.map(crate::db::int).unwrap_or(crate::db::Value::Null)],
        ).await?;
        if rows.rows.is_empty() {
            return Ok(false);
        }
        if let Some(groups) = change.groups {
            self.set_groups(user_id, groups).await?;
        }
        Ok(true)
    }

    /// Puts the staff member in exactly these groups; every id must name a group.
    async fn set_groups(self, user_id: &str, groups: &[String]) -> Result<(), StaffWriteError> {
        let mut unknown = Vec::new();
        for id in groups {
            if self.store.db.query("SELECT 1 AS one FROM staff_groups WHERE id = ?", &[text(id)]).await?.rows.is_empty() {
                unknown.push(id.clone());
            }
        }
        if !unknown.is_empty() {
            return Err(StaffWriteError::UnknownGroups(unknown));
        }
        self.store.db.execute("DELETE FROM staff_group_members WHERE user_id = ?", &[text(user_id)]).await?;
        for id in groups {
            self.store.db.execute(
                "INSERT INTO staff_group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                &[text(id), text(user_id)],
            ).await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ groups

    /// Every group, by name.
    pub async fn groups(self) -> Result<Vec<StaffGroupView>, DbError> {
        self.group_views(None).await
    }

    pub async fn group(self, id: &str) -> Result<Option<StaffGroupView>, DbError> {
        Ok(self.group_views(Some(id)).await?.into_iter().next())
    }

    async fn group_views(self, only: Option<&str>) -> Result<Vec<StaffGroupView>, DbError> {
        let groups = self.store.db.query(
            "SELECT id, name, created_at FROM staff_groups WHERE (?1 IS NULL OR id = ?1) ORDER BY name COLLATE NOCASE, id",
            &[opt_text(only)],
        ).await?;
        let permissions = self.store.db.query(
            "SELECT group_id, area, permission FROM staff_group_permissions WHERE (?1 IS NULL OR group_id = ?1)",
            &[opt_text(only)],
        ).await?;
        let members = self.store.db.query(
            "SELECT m.group_id, s.user_id, s.name FROM staff_group_members m JOIN staff s ON s.user_id = m.user_id \
             WHERE (?1 IS NULL OR m.group_id = ?1) ORDER BY s.name COLLATE NOCASE, s.user_id",
            &[opt_text(only)],
        ).await?;
        let mut entries: Vec<(String, String, String)> = Vec::new();
        for r in &permissions.rows {
            entries.push((r.get("group_id")?, r.get("area")?, r.get("permission")?));
        }
        let mut people: Vec<(String, GroupMember)> = Vec::new();
        for r in &members.rows {
            people.push((r.get("group_id")?, GroupMember { user_id: r.get("user_id")?, name: r.get("name")? }));
        }
        groups
            .rows
            .iter()
            .map(|r| {
                let id: String = r.get("id")?;
                let permissions =
                    GroupPermissions::from_stored(entries.iter().filter(|(g, _, _)| *g == id).map(|(_, a, p)| (a.as_str(), p.as_str())));
                Ok(StaffGroupView {
                    members: people.iter().filter(|(g, _)| *g == id).map(|(_, m)| m.clone()).collect(),
                    permissions,
                    id,
                    name: r.get("name")?,
                    created_at: r.get("created_at")?,
                })
            })
            .collect()
    }

    /// A new group (run it in a transaction: the group and its permissions together).
    pub async fn create_group(self, id: &str, name: &str, permissions: &GroupPermissions) -> Result<(), StaffWriteError> {
        let inserted = self.store.db.query(
            "INSERT INTO staff_groups (id, name) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING id",
            &[text(id), text(name)],
        ).await?;
        if inserted.rows.is_empty() {
            return Err(StaffWriteError::DuplicateGroup);
        }
        self.set_permissions(id, permissions).await
    }

    /// Renames a group and/or replaces its permissions (run it in a transaction); false
    /// when there is no such group.
    pub async fn update_group(self, id: &str, name: Option<&str>, permissions: Option<&GroupPermissions>) -> Result<bool, StaffWriteError> {
        if self.store.db.query("SELECT 1 AS one FROM staff_groups WHERE id = ?", &[text(id)]).await?.rows.is_empty() {
            return Ok(false);
        }
        if let Some(name) = name {
            let taken = self.store.db.query(
                "SELECT 1 AS one FROM staff_groups WHERE name = ? COLLATE NOCASE AND id <> ?",
                &[text(name), text(id)],
            ).await?;
            if !taken.rows.is_empty() {
                return Err(StaffWriteError::DuplicateGroup);
            }
            self.store.db.execute("UPDATE staff_groups SET name = ? WHERE id = ?", &[text(name), text(id)]).await?;
        }
        if let Some(permissions) = permissions {
            self.set_permissions(id, permissions).await?;
        }
        Ok(true)
    }

    async fn set_permissions(self, id: &str, permissions: &GroupPermissions) -> Result<(), StaffWriteError> {
        self.store.db.execute("DELETE FROM staff_group_permissions WHERE group_id = ?", &[text(id)]).await?;
        for (area, permission) in permissions.iter() {
            self.store.db.execute(
                "INSERT INTO staff_group_permissions (group_id, area, permission) VALUES (?, ?, ?)",
                &[text(id), text(area.as_str()), text(permission.as_str())],
            ).await?;
        }
        Ok(())
    }

    /// Deletes a group with its permissions and memberships (run it in a transaction);
    /// false when there is no such group.
    pub async fn delete_group(self, id: &str) -> Result<bool, DbError> {
        self.store.db.execute("DELETE FROM staff_group_members WHERE group_id = ?", &[text(id)]).await?;
        self.store.db.execute("DELETE FROM staff_group_permissions WHERE group_id = ?", &[text(id)]).await?;
        let rows = self.store.db.query("DELETE FROM staff_groups WHERE id = ? RETURNING id", &[text(id)]).await?;
        Ok(!rows.rows.is_empty())
    }

    /// A line in the staff history: who changed which staff member or group, and how
    /// (the views before and after, as JSON; they hold no secrets).
    pub async fn record(self, actor: &Actor, action: &str, target: &str, before: Option<String>, after: Option<String>) -> Result<(), DbError> {
        self.store.db.execute(
            "INSERT INTO staff_events (actor, action, target, before, after) VALUES (?, ?, ?, ?, ?)",
            &[text(actor), text(action), text(target), opt_text(before), opt_text(after)],
        ).await
    }
}
