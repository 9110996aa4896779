//! The operator's staff: people who sign in to the console (portal users marked as staff),
//! the areas of the operator API, and permission groups that allow or deny each area.
//!
//! A staff member is in zero or more groups; each group says `allow` or `deny` for some
//! areas and nothing for the rest. The effective permission for an area: any group's Deny
//! refuses it; else any group's Allow allows it; else it is refused. So a Deny in a second
//! group wins over an Allow in the first, and a member of no group may do nothing.
//!
//! Pure rules, no I/O. The strings of [`Area`] and [`Permission`] are stored and are the API's.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A part of the operator API; every operator endpoint belongs to exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    /// Clients: accounts, their keys, users, SMPP configuration, numbers, blocking.
    Customers,
    /// Carrier connections, routing pools, cost prices.
    Carriers,
    /// Prices, send rules, sender registration.
    RateCard,
    /// Messages and the delivery queue.
    Cdr,
    /// History and the e-mail outbox.
    Log,
    /// Traffic and money reports.
    Reports,
    /// Credits and top-ups, payments, invoices, credit notes.
    Billing,
    /// The number inventory.
    Numbers,
    /// The packages catalogue.
    Packages,
    /// The platform's own settings.
    Settings,
    /// Staff and permission groups.
    Staff,
}

impl Area {
    /// Every area, in the order the console lists them.
    pub const ALL: [Area; 11] = [
        Area::Customers,
        Area::Carriers,
        Area::RateCard,
        Area::Cdr,
        Area::Log,
        Area::Reports,
        Area::Billing,
        Area::Numbers,
        Area::Packages,
        Area::Settings,
        Area::Staff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Customers => "customers",
            Area::Carriers => "carriers",
            Area::RateCard => "rate_card",
            Area::Cdr => "cdr",
            Area::Log => "log",
            Area::Reports => "reports",
            Area::Billing => "billing",
            Area::Numbers => "numbers",
            Area::Packages => "packages",
            Area::Settings => "settings",
            Area::Staff => "staff",
        }
    }

    /// Exactly one of the stable names (no case folding).
    pub fn parse(input: &str) -> Result<Area, StaffError> {
        Area::ALL.into_iter().find(|a| a.as_str() == input).ok_or_else(|| StaffError::UnknownArea(input.to_owned()))
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Area {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What a group says about an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    Allow,
    Deny,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Allow => "allow",
            Permission::Deny => "deny",
        }
    }

    pub fn parse(input: &str) -> Option<Permission> {
        match input {
            "allow" => Some(Permission::Allow),
            "deny" => Some(Permission::Deny),
            _ => None,
        }
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A group's permissions: `allow` or `deny` for some areas, nothing for the rest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupPermissions(BTreeMap<Area, Permission>);

impl GroupPermissions {
    /// `{"billing": "allow", "staff": "deny"}` as sent: every bad entry is reported at once.
    pub fn parse(entries: &BTreeMap<String, String>) -> Result<GroupPermissions, StaffError> {
        let mut map = BTreeMap::new();
        let mut bad = Vec::new();
        for (area, permission) in entries {
            match (Area::parse(area), Permission::parse(permission)) {
                (Ok(area), Some(permission)) => {
                    map.insert(area, permission);
                }
                (Err(_), _) => bad.push(format!("'{area}' is not an area")),
                (Ok(_), None) => bad.push(format!("{area}: '{permission}' is neither allow nor deny")),
            }
        }
        if !bad.is_empty() {
            return Err(StaffError::InvalidPermissions(bad));
        }
        Ok(GroupPermissions(map))
    }

    /// The stored rows (area, permission) read back. A row this build does not know is
    /// left out, except that an unknown permission on a known area reads as Deny: a group
    /// never grants more by being misread.
    pub fn from_stored<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> GroupPermissions {
        let mut map = BTreeMap::new();
        for (area, permission) in rows {
            if let Ok(area) = Area::parse(area) {
                map.insert(area, Permission::parse(permission).unwrap_or(Permission::Deny));
            }
        }
        GroupPermissions(map)
    }

    pub fn with(mut self, area: Area, permission: Permission) -> GroupPermissions {
        self.0.insert(area, permission);
        self
    }

    pub fn get(&self, area: Area) -> Option<Permission> {
        self.0.get(&area).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Area, Permission)> + '_ {
        self.0.iter().map(|(a, p)| (*a, *p))
    }
}

/// `{"billing": "allow", ...}` in JSON, areas in [`Area::ALL`] order.
impl Serialize for GroupPermissions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(a, p)| (a.as_str(), p.as_str())))
    }
}

/// The areas a staff member may use: the effective permission of each, from every group
/// they are in. Deny in any group refuses; else Allow in any group allows; else refused.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas(u16);

impl Areas {
    pub fn none() -> Areas {
        Areas(0)
    }

    /// Every area: the operator's bearer token.
    pub fn all() -> Areas {
        Areas(Area::ALL.iter().fold(0, |bits, a| bits | a.bit()))
    }

    pub fn of_groups<'a>(groups: impl IntoIterator<Item = &'a GroupPermissions> + Clone) -> Areas {
        let allowed = Area::ALL.into_iter().filter(|area| {
            let said = groups.clone().into_iter().filter_map(|g| g.get(*area));
            let mut allow = false;
            for permission in said {
                match permission {
                    Permission::Deny => return false,
                    Permission::Allow => allow = true,
                }
            }
            allow
        });
        Areas(allowed.fold(0, |bits, a| bits | a.bit()))
    }

    pub fn allows(self, area: Area) -> bool {
        self.0 & area.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Area> {
        Area::ALL.into_iter().filter(move |a| self.allows(*a))
    }

    /// `{"customers": true, ..., "staff": false}`: every area, allowed or not.
    pub fn to_map(self) -> BTreeMap<&'static str, bool> {
        Area::ALL.into_iter().map(|a| (a.as_str(), self.allows(a))).collect()
    }

    /// The check of an endpoint in `area`: 403 `AreaNotPermitted` naming it.
    pub fn check(self, area: Area) -> Result<(), StaffError> {
        if self.allows(area) {
            Ok(())
        } else {
            Err(StaffError::AreaNotPermitted(area))
        }
    }
}

impl fmt::Debug for Areas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(Area::as_str)).finish()
    }
}

/// No lock-out: a staff member's own change (to a group, to their groups, or disabling
/// themselves) must leave them the `staff` area, else nobody signed in could undo it.
/// `after` are the permissions of every group they would be in after the change.
pub fn keeps_staff_area<'a>(after: impl IntoIterator<Item = &'a GroupPermissions> + Clone) -> Result<(), StaffError> {
    if Areas::of_groups(after).allows(Area::Staff) {
        Ok(())
    } else {
        Err(StaffError::WouldLockOut)
    }
}

/// A permission group's name: trimmed, NFC, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(input: &str) -> Result<GroupName, StaffError> {
        let name: String = input.trim().nfc().collect();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(StaffError::InvalidGroupName);
        }
        Ok(GroupName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password for a staff member the operator made without one, shown once: four groups
/// of five from an alphabet without look-alikes (about 113 random bits), with a capital
/// and a digit put in so that it always meets the password policy
/// (crate::identity::person::Password), e.g. `Kq7mx-3tvhz-9wcpa-rn4bd`.
pub fn initial_password() -> crate::identity::person::Password {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    crate::identity::person::fill_random(&mut bytes);
    // The low 5 bits of each byte: 256 is a multiple of 32, so every symbol is equally likely.
    let mut chars: Vec<char> = bytes.iter().map(|b| LOWER[(b & 31) as usize] as char).collect();
    chars[0] = chars[0].to_ascii_uppercase();
    if !chars[0].is_ascii_uppercase() {
        chars[0] = (b'A' + bytes[0] % 26) as char;
    }
    chars[2] = (b'2' + bytes[2] % 8) as char;
    let groups: Vec<String> = chars.chunks(5).map(|c| c.iter().collect()).collect();
    crate::identity::person::Password::parse(&groups.join("-")).expect("an initial password meets the policy")
}

/// What the staff rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    #[error("'{area}' is not an area; areas are {names}", area = .0, names = Area::ALL.map(Area::as_str).join(", "))]
    UnknownArea(String),
    #[error("permissions: {bad}; areas are {names} and each is allow or deny", bad = .0.join("; "), names = Area::ALL.map(Area::as_str).join(", "))]
    InvalidPermissions(Vec<String>),
    #[error("a group's name is 1–100 characters, without control characters")]
    InvalidGroupName,
    #[error("your permission groups do not allow the '{0}' area")]
    AreaNotPermitted(Area),
    #[error("the change would take the staff area away from you, and nobody signed in could undo it")]
    WouldLockOut,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(entries: &[(&str, &str)]) -> GroupPermissions {
        let map = entries.iter().map(|(a, p)| ((*a).to_owned(), (*p).to_owned())).collect();
        GroupPermissions::parse(&map).unwrap()
    }

    #[test]
    fn area_names_are_stable_and_round_trip() {
        let names: Vec<&str> = Area::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names, ["customers", "carriers", "rate_card", "cdr", "log", "reports", "billing", "numbers", "packages", "settings", "staff"]);
        for area in Area::ALL {
            assert_eq!(Area::parse(area.as_str()), Ok(area));
        }
        assert_eq!(Area::parse("Billing"), Err(StaffError::UnknownArea("Billing".into())));
        assert!(Area::parse("").is_err());
        assert!(Area::parse("rate-card").is_err());
    }

    #[test]
    fn deny_wins_then_allow_else_refused() {
        let admin = group(&[("billing", "allow"), ("staff", "allow"), ("customers", "allow")]);
        let no_billing = group(&[("billing", "deny")]);
        let areas = Areas::of_groups([&admin, &no_billing]);
        assert!(!areas.allows(Area::Billing), "a Deny in a second group wins over an Allow");
        assert!(areas.allows(Area::Staff) && areas.allows(Area::Customers));
        assert!(!areas.allows(Area::Carriers), "said by no group: refused");
        // The order of the groups does not matter.
        assert_eq!(Areas::of_groups([&no_billing, &admin]), areas);
        // A member of no group may do nothing; a Deny alone allows nothing either.
        assert_eq!(Areas::of_groups(std::iter::empty::<&GroupPermissions>()), Areas::none());
        assert_eq!(Areas::of_groups([&no_billing]), Areas::none());
        assert_eq!(areas.check(Area::Billing), Err(StaffError::AreaNotPermitted(Area::Billing)));
        assert_eq!(areas.check(Area::Staff), Ok(()));
        assert_eq!(StaffError::AreaNotPermitted(Area::RateCard).to_string(), "your permission groups do not allow the 'rate_card' area");
    }

    #[test]
    fn every_area_is_in_the_map() {
        let map = Areas::of_groups([&group(&[("log", "allow")])]).to_map();
        assert_eq!(map.len(), Area::ALL.len());
        assert_eq!(map["log"], true);
        assert_eq!(map["staff"], false);
        assert!(Area::ALL.iter().all(|a| Areas::all().allows(*a)));
    }

    #[test]
    fn permissions_parse_strictly_and_report_every_bad_entry() {
        let map: BTreeMap<String, String> =
            [("billing", "allow"), ("Billing", "allow"), ("staff", "yes"), ("cdr", "deny")].iter().map(|(a, p)| ((*a).into(), (*p).into())).collect();
        match GroupPermissions::parse(&map) {
            Err(StaffError::InvalidPermissions(bad)) => assert_eq!(bad, ["'Billing' is not an area", "staff: 'yes' is neither allow nor deny"]),
            other => panic!("{other:?}"),
        }
        let ok = group(&[("cdr", "deny"), ("billing", "allow")]);
        assert_eq!(serde_json::to_value(&ok).unwrap(), serde_json::json!({"cdr": "deny", "billing": "allow"}));
        assert_eq!(GroupPermissions::parse(&BTreeMap::new()), Ok(GroupPermissions::default()));
    }

    #[test]
    fn stored_permissions_never_widen() {
        let stored = GroupPermissions::from_stored([("billing", "allow"), ("staff", "maybe"), ("telepathy", "allow")]);
        assert_eq!(stored.get(Area::Billing), Some(Permission::Allow));
        assert_eq!(stored.get(Area::Staff), Some(Permission::Deny), "an unreadable permission reads as deny");
        assert_eq!(stored.iter().count(), 2, "an unknown area is left out");
    }

    #[test]
    fn no_change_may_take_the_staff_area_from_oneself() {
        let staff = group(&[("staff", "allow")]);
        let deny = group(&[("staff", "deny")]);
        assert_eq!(keeps_staff_area([&staff]), Ok(()));
        assert_eq!(keeps_staff_area([&staff, &deny]), Err(StaffError::WouldLockOut));
        assert_eq!(keeps_staff_area(std::iter::empty::<&GroupPermissions>()), Err(StaffError::WouldLockOut));
        assert_eq!(keeps_staff_area([&group(&[("billing", "allow")])]), Err(StaffError::WouldLockOut));
    }

    #[test]
    fn initial_passwords_meet_the_policy_and_differ() {
        let (a, b) = (initial_password(), initial_password());
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 23, "{}", a.as_str());
        assert!(a.as_str().chars().next().unwrap().is_ascii_uppercase());
        assert!(a.as_str().chars().any(|c| c.is_ascii_digit()));
    }

    #[test]
    fn group_names() {
        assert_eq!(GroupName::parse("  Support ").unwrap().as_str(), "Support");
        assert_eq!(GroupName::parse(""), Err(StaffError::InvalidGroupName));
        assert_eq!(GroupName::parse("a\nb"), Err(StaffError::InvalidGroupName));
        assert!(GroupName::parse(&"x".repeat(101)).is_err());
        assert!(GroupName::parse(&"x".repeat(100)).is_ok());
    }
}
