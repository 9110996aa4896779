//! What an API key may do and from where: scopes and IP allowlists.
//!
//! A key carries a set of [`Scope`]s (every endpoint needs exactly one) and an optional
//! [`IpAllowlist`] of CIDR blocks; an empty allowlist means any address. A new key gets
//! every scope and no allowlist unless the operator says otherwise, so keys behave as
//! they always did. The checks answer 403 with a stable name (`IpNotAllowed`,
//! `ScopeMissing`); bad input when a key is made or changed is 400 (`InvalidScope`,
//! `InvalidAllowedIps`) with every bad entry in `details`.

use ipnet::IpNet;
use serde::{Serialize, Serializer};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// Entries an allowlist may have.
pub const MAX_ALLOWED_IPS: usize = 50;

/// One thing a key may be allowed to do. The strings are stable: they are stored and
/// they are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// `POST /v1/messages`, `DELETE /v1/messages/{id}` (cancel a scheduled send).
    MessagesSend,
    /// `GET /v1/messages/{id}`.
    MessagesRead,
    /// The contact book: `/v1/contacts`, `/v1/groups`, `/v1/blocklist`.
    Contacts,
    /// Inbound SMS: `/v1/inbox`, `/v1/numbers`, `/v1/keywords`.
    Inbound,
    /// The account: `/v1/account/settings`, `/v1/account/webhook-secret`, `/v1/callbacks`.
    Account,
}

impl Scope {
    /// Every scope, in the order lists show them.
    pub const ALL: [Scope; 5] = [Scope::MessagesSend, Scope::MessagesRead, Scope::Contacts, Scope::Inbound, Scope::Account];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::MessagesSend => "messages:send",
            Scope::MessagesRead => "messages:read",
            Scope::Contacts => "contacts",
            Scope::Inbound => "inbound",
            Scope::Account => "account",
        }
    }

    /// Exactly one of the stable strings (no case folding: `Contacts` is not a scope).
    pub fn parse(input: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == input.trim())
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = KeyAccessError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::parse(s).ok_or_else(|| KeyAccessError::UnknownScopes(vec![(0, s.to_owned())]))
    }
}

/// A set of scopes. Shown and stored in [`Scope::ALL`] order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scopes(u8);

impl Scopes {
    /// What a key gets when nobody says otherwise: everything.
    pub fn all() -> Scopes {
        Scopes(Scope::ALL.iter().fold(0, |bits, s| bits | s.bit()))
    }

    pub fn none() -> Scopes {
        Scopes(0)
    }

    /// The scopes an operator asked for: every entry must be a scope (all unknown ones
    /// are reported at once, with their index), at least one; repeats are harmless.
    pub fn parse_list<S: AsRef<str>>(list: &[S]) -> Result<Scopes, KeyAccessError> {
        let mut scopes = Scopes::none();
        let mut unknown = Vec::new();
        for (index, entry) in list.iter().enumerate() {
            match Scope::parse(entry.as_ref()) {
                Some(scope) => scopes = scopes.with(scope),
                None => unknown.push((index, entry.as_ref().to_owned())),
            }
        }
        if !unknown.is_empty() {
            return Err(KeyAccessError::UnknownScopes(unknown));
        }
        if scopes.is_empty() {
            return Err(KeyAccessError::NoScopes);
        }
        Ok(scopes)
    }

    /// Reads the stored form (space-separated). A name this build does not know is left
    /// out rather than guessed at: a key never gains a scope by being misread.
    pub fn from_stored(stored: &str) -> Scopes {
        stored.split_whitespace().filter_map(Scope::parse).fold(Scopes::none(), Scopes::with)
    }

    /// The stored form: the scope strings, space-separated.
    pub fn to_stored(self) -> String {
        self.names().join(" ")
    }

    pub fn with(self, scope: Scope) -> Scopes {
        Scopes(self.0 | scope.bit())
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }
}

impl Default for Scopes {
    fn default() -> Self {
        Scopes::all()
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// A list of scope strings in JSON.
impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

/// The networks a key may be used from; empty means anywhere. IPv4 and IPv6, as CIDR
/// blocks (`10.0.0.0/8`, `2001:db8::/32`) or single addresses (`192.0.2.7` = `/32`).
/// Entries are kept as networks (`10.1.2.3/8` is `10.0.0.0/8`), without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpAllowlist(Vec<IpNet>);

impl IpAllowlist {
    /// No limit.
    pub fn any() -> IpAllowlist {
        IpAllowlist(Vec::new())
    }

    /// The allowlist an operator asked for: at most [`MAX_ALLOWED_IPS`] entries, each a
    /// CIDR block or an address (all bad entries are reported at once, with their index).
    /// An empty list is no limit.
    pub fn parse_list<S: AsRef<str>>(list: &[S]) -> Result<IpAllowlist, KeyAccessError> {
        if list.len() > MAX_ALLOWED_IPS {
            return Err(KeyAccessError::TooManyAllowedIps(list.len()));
        }
        let mut nets: Vec<IpNet> = Vec::with_capacity(list.len());
        let mut invalid = Vec::new();
        for (index, entry) in list.iter().enumerate() {
            match parse_net(entry.as_ref()) {
                Ok(net) if !nets.contains(&net) => nets.push(net),
                Ok(_) => {}
                Err(reason) => invalid.push(InvalidEntry { index, value: entry.as_ref().to_owned(), reason }),
            }
        }
        if !invalid.is_empty() {
            return Err(KeyAccessError::InvalidAllowedIps(invalid));
        }
        Ok(IpAllowlist(nets))
    }

    /// Reads the stored form (space-separated networks; empty is no limit). Anything
    /// unreadable is an error, never a wider allowlist.
    pub fn from_stored(stored: &str) -> Result<IpAllowlist, KeyAccessError> {
        let entries: Vec<&str> = stored.split_whitespace().collect();
        let mut nets = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let net = parse_net(entry).map_err(|reason| {
                KeyAccessError::InvalidAllowedIps(vec![InvalidEntry { index, value: (*entry).to_owned(), reason }])
            })?;
            nets.push(net);
        }
        Ok(IpAllowlist(nets))
    }

    /// The stored form: the networks, space-separated; empty for no limit.
    pub fn to_stored(&self) -> String {
        self.entries().join(" ")
    }

    pub fn is_any(&self) -> bool {
        self.0.is_empty()
    }

    /// The networks as text (`10.0.0.0/8`, `::1/128`).
    pub fn entries(&self) -> Vec<String> {
        self.0.iter().map(IpNet::to_string).collect()
    }

    /// Whether a request from `client` may use the key. With a limit, an unknown client
    /// address is refused. IPv4-mapped IPv6 addresses (`::ffff:192.0.2.7`) count as IPv4.
    pub fn allows(&self, client: Option<IpAddr>) -> bool {
        if self.is_any() {
            return true;
        }
        let Some(client) = client.map(|ip| ip.to_canonical()) else { return false };
        self.0.iter().any(|net| net.contains(&client))
    }
}

/// A list of CIDR strings in JSON.
impl Serialize for IpAllowlist {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(IpNet::to_string))
    }
}

fn parse_net(entry: &str) -> Result<IpNet, &'static str> {
    let entry = entry.trim();
    if entry.is_empty() {
        return Err("an entry is empty");
    }
    if entry.contains('/') {
        return IpNet::from_str(entry)
            .map(|net| net.trunc())
            .map_err(|_| "not a CIDR block: write an address, a slash and a prefix length (10.0.0.0/8, 2001:db8::/32)");
    }
    IpAddr::from_str(entry).map(IpNet::from).map_err(|_| "not an IPv4 or IPv6 address or CIDR block")
}

/// The client's address from the `spin-client-addr` header Spin sets on every request
/// (`ip:port`, IPv6 in brackets: `127.0.0.1:51234`, `[::1]:51234`). A bare address is
/// read too; anything else is no address.
pub fn client_ip(header: Option<&str>) -> Option<IpAddr> {
    let value = header?.trim();
    if let Ok(socket) = SocketAddr::from_str(value) {
        return Some(socket.ip().to_canonical());
    }
    let bare = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')).unwrap_or(value);
    IpAddr::from_str(bare).ok().map(|ip| ip.to_canonical())
}

/// Who acts on an account, as its history records it: the operator's bearer token
/// (automation), a staff member signed in to the console (by user id), the platform
/// itself, an API key, a signed-in user, or a Stripe event (a card payment arriving).
/// Stored as `operator`, `staff:<user id>`, `system`, `key:<id>`, `user:<id>`,
/// `stripe:<event id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Operator,
    Staff(String),
    System,
    Key(String),
    User(String),
    Stripe(String),
}

impl Actor {
    /// The user behind a `User` actor.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Actor::User(id) => Some(id),
            _ => None,
        }
    }

    /// The kind of actor, as the console's history shows it: `operator`, `staff`,
    /// `system`, `key`, `user` or `stripe`.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Operator => "operator",
            Actor::Staff(_) => "staff",
            Actor::System => "system",
            Actor::Key(_) => "key",
            Actor::User(_) => "user",
            Actor::Stripe(_) => "stripe",
        }
    }

    /// An actor as stored (the inverse of its `Display`); `None` for anything else.
    pub fn parse(stored: &str) -> Option<Actor> {
        match stored {
            "operator" => Some(Actor::Operator),
            "system" => Some(Actor::System),
            _ => match stored.split_once(':') {
                Some(("key", id)) if !id.is_empty() => Some(Actor::Key(id.to_owned())),
                Some(("user", id)) if !id.is_empty() => Some(Actor::User(id.to_owned())),
                Some(("staff", id)) if !id.is_empty() => Some(Actor::Staff(id.to_owned())),
                Some(("stripe", id)) if !id.is_empty() => Some(Actor::Stripe(id.to_owned())),
                _ => None,
            },
        }
    }
}

/// The stored form, for binding as text.
impl From<&Actor> for String {
    fn from(actor: &Actor) -> String {
        actor.to_string()
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Operator => f.write_str("operator"),
            Actor::Staff(id) => write!(f, "staff:{id}"),
            Actor::System => f.write_str("system"),
            Actor::Key(id) => write!(f, "key:{id}"),
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Stripe(event) => write!(f, "stripe:{event}"),
        }
    }
}

/// What a key may do and from where.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyAccess {
    pub scopes: Scopes,
    pub allowed_ips: IpAllowlist,
}

impl KeyAccess {
    /// The address first (a key used from the wrong network learns nothing about its
    /// scopes), then the scope.
    pub fn check(&self, needed: Scope, client: Option<IpAddr>) -> Result<(), AccessDenied> {
        if !self.allowed_ips.allows(client) {
            return Err(AccessDenied::IpNotAllowed(client));
        }
        if !self.scopes.contains(needed) {
            return Err(AccessDenied::ScopeMissing(needed));
        }
        Ok(())
    }
}

/// A valid key used where it may not be: 403.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    #[error("{}", match .0 {
        Some(ip) => format!("this API key may not be used from {ip}"),
        None => "this API key has an IP allowlist and the client address is unknown".to_owned(),
    })]
    IpNotAllowed(Option<IpAddr>),
    #[error("this API key does not have the scope '{0}' this endpoint needs")]
    ScopeMissing(Scope),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEntry {
    pub index: usize,
    pub value: String,
    pub reason: &'static str,
}

/// Scopes or an allowlist an operator cannot give a key: 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyAccessError {
    #[error("{} not a scope; scopes are {}", describe_unknown(.0), Scope::ALL.map(Scope::as_str).join(", "))]
    UnknownScopes(Vec<(usize, String)>),
    #[error("a key needs at least one scope")]
    NoScopes,
    #[error("{} of the allowed_ips entries are not addresses or CIDR blocks", .0.len())]
    InvalidAllowedIps(Vec<InvalidEntry>),
    #[error("allowed_ips may have at most {MAX_ALLOWED_IPS} entries; it has {0}")]
    TooManyAllowedIps(usize),
}

fn describe_unknown(unknown: &[(usize, String)]) -> String {
    let quoted: Vec<String> = unknown.iter().map(|(_, s)| format!("'{s}'")).collect();
    format!("{} {}", quoted.join(", "), if unknown.len() == 1 { "is" } else { "are" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_are_stored_as_text_and_read_back() {
        for actor in [Actor::Operator, Actor::Staff("usr_2".into()), Actor::System, Actor::Key("ak_1".into()), Actor::User("usr_1".into()), Actor::Stripe("evt_1".into())] {
            assert_eq!(Actor::parse(&actor.to_string()), Some(actor.clone()), "{actor}");
        }
        assert_eq!(Actor::User("usr_1".into()).to_string(), "user:usr_1");
        assert_eq!(Actor::User("usr_1".into()).user_id(), Some("usr_1"));
        assert_eq!(Actor::Staff("usr_2".into()).to_string(), "staff:usr_2");
        assert_eq!(Actor::Staff("usr_2".into()).kind(), "staff");
        assert_eq!(Actor::Staff("usr_2".into()).user_id(), None, "a staff member acts as the operator, not as a user of the account");
        assert_eq!(Actor::parse("staff:"), None);
        assert_eq!(Actor::parse("user:"), None);
        assert_eq!(Actor::parse("robot"), None);
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn scope_strings_are_stable_and_round_trip() {
        let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["messages:send", "messages:read", "contacts", "inbound", "account"]);
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            assert_eq!(scope.to_string().parse::<Scope>().unwrap(), scope);
        }
        assert_eq!(Scope::parse(" inbound "), Some(Scope::Inbound));
        assert_eq!(Scope::parse("Contacts"), None);
        assert_eq!(Scope::parse("messages"), None);
        assert_eq!(Scope::parse(""), None);
    }

    #[test]
    fn a_new_key_has_every_scope() {
        let all = Scopes::default();
        assert_eq!(all, Scopes::all());
        assert!(Scope::ALL.iter().all(|s| all.contains(*s)));
        assert_eq!(all.to_stored(), "messages:send messages:read contacts inbound account");
        assert_eq!(serde_json::to_value(all).unwrap(), serde_json::json!(["messages:send", "messages:read", "contacts", "inbound", "account"]));
    }

    #[test]
    fn scope_lists_parse_strictly() {
        let scopes = Scopes::parse_list(&["messages:read", "contacts", "messages:read"]).unwrap();
        assert_eq!(scopes.names(), ["messages:read", "contacts"]);
        assert!(!scopes.contains(Scope::MessagesSend));
        match Scopes::parse_list(&["contacts", "billing", "messages:*"]) {
            Err(KeyAccessError::UnknownScopes(unknown)) => {
                assert_eq!(unknown, vec![(1, "billing".to_owned()), (2, "messages:*".to_owned())])
            }
            other => panic!("{other:?}"),
        }
        let err = Scopes::parse_list(&["billing"]).unwrap_err();
        assert_eq!(err.to_string(), "'billing' is not a scope; scopes are messages:send, messages:read, contacts, inbound, account");
        assert_eq!(Scopes::parse_list::<&str>(&[]), Err(KeyAccessError::NoScopes));
    }

    #[test]
    fn stored_scopes_never_widen() {
        assert_eq!(Scopes::from_stored("messages:read inbound").names(), ["messages:read", "inbound"]);
        // A scope a later build added, read by this one: dropped, not guessed.
        assert_eq!(Scopes::from_stored("billing contacts").names(), ["contacts"]);
        assert!(Scopes::from_stored("").is_empty());
        let round = Scopes::parse_list(&["account", "messages:send"]).unwrap();
        assert_eq!(Scopes::from_stored(&round.to_stored()), round);
    }

    #[test]
    fn allowlists_take_ipv4_and_ipv6_blocks_and_addresses() {
        let list = IpAllowlist::parse_list(&["10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1", " 172.16.5.4/12 "]).unwrap();
        assert_eq!(list.entries(), ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "::1/128", "172.16.0.0/12"]);
        assert!(list.allows(ip("10.255.0.1")));
        assert!(list.allows(ip("192.0.2.7")));
        assert!(!list.allows(ip("192.0.2.8")));
        assert!(list.allows(ip("2001:db8:1::5")));
        assert!(!list.allows(ip("2001:db9::1")));
        assert!(list.allows(ip("::1")));
        assert!(list.allows(ip("172.31.255.255")));
        assert!(!list.allows(ip("127.0.0.1")));
        assert!(!list.allows(None), "with a limit, an unknown address is refused");
        // IPv4-mapped IPv6 (a dual-stack listener) is the IPv4 address.
        assert!(list.allows(ip("::ffff:10.1.2.3")));
        assert!(!list.allows(ip("::ffff:127.0.0.1")));
        assert_eq!(serde_json::to_value(&list).unwrap()[0], "10.0.0.0/8");
    }

    #[test]
    fn no_allowlist_allows_anyone() {
        for empty in [IpAllowlist::any(), IpAllowlist::parse_list::<&str>(&[]).unwrap(), IpAllowlist::from_stored("").unwrap()] {
            assert!(empty.is_any());
            assert!(empty.allows(ip("203.0.113.9")));
            assert!(empty.allows(None));
            assert_eq!(empty.to_stored(), "");
        }
    }

    #[test]
    fn repeats_are_kept_once() {
        let list = IpAllowlist::parse_list(&["10.0.0.0/8", "10.1.2.3/8", "10.0.0.0/8"]).unwrap();
        assert_eq!(list.entries(), ["10.0.0.0/8"]);
    }

    #[test]
    fn bad_entries_are_all_reported() {
        let bad = ["10.0.0.0/8", "10.0.0.0/33", "banana", "", "300.1.1.1", "2001:db8::/129", "10.0.0.0/", "1.2.3.4/8/9"];
        match IpAllowlist::parse_list(&bad) {
            Err(KeyAccessError::InvalidAllowedIps(entries)) => {
                let indexes: Vec<usize> = entries.iter().map(|e| e.index).collect();
                assert_eq!(indexes, [1, 2, 3, 4, 5, 6, 7]);
                assert_eq!(entries[1].value, "banana");
            }
            other => panic!("{other:?}"),
        }
        let many: Vec<String> = (0..=MAX_ALLOWED_IPS).map(|i| format!("10.0.{i}.0/24")).collect();
        assert_eq!(IpAllowlist::parse_list(&many), Err(KeyAccessError::TooManyAllowedIps(51)));
        assert!(IpAllowlist::parse_list(&many[..MAX_ALLOWED_IPS]).is_ok());
    }

    #[test]
    fn stored_allowlists_round_trip_and_never_widen() {
        let list = IpAllowlist::parse_list(&["10.0.0.0/8", "::1"]).unwrap();
        assert_eq!(list.to_stored(), "10.0.0.0/8 ::1/128");
        assert_eq!(IpAllowlist::from_stored(&list.to_stored()).unwrap(), list);
        assert!(IpAllowlist::from_stored("10.0.0.0/8 garbage").is_err());
    }

    #[test]
    fn client_addresses_from_spin() {
        assert_eq!(client_ip(Some("127.0.0.1:51234")), ip("127.0.0.1"));
        assert_eq!(client_ip(Some("[::1]:51234")), ip("::1"));
        assert_eq!(client_ip(Some("[2001:db8::7]:443")), ip("2001:db8::7"));
        assert_eq!(client_ip(Some("[::ffff:192.0.2.1]:80")), ip("192.0.2.1"));
        assert_eq!(client_ip(Some("192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(client_ip(Some("[::1]")), ip("::1"));
        assert_eq!(client_ip(Some("localhost:80")), None);
        assert_eq!(client_ip(Some("")), None);
        assert_eq!(client_ip(None), None);
    }

    #[test]
    fn checks_address_then_scope() {
        let access = KeyAccess {
            scopes: Scopes::parse_list(&["messages:read"]).unwrap(),
            allowed_ips: IpAllowlist::parse_list(&["10.0.0.0/8"]).unwrap(),
        };
        assert_eq!(access.check(Scope::MessagesRead, ip("10.0.0.1")), Ok(()));
        assert_eq!(access.check(Scope::MessagesSend, ip("10.0.0.1")), Err(AccessDenied::ScopeMissing(Scope::MessagesSend)));
        assert_eq!(access.check(Scope::MessagesSend, ip("127.0.0.1")), Err(AccessDenied::IpNotAllowed(ip("127.0.0.1"))));
        assert_eq!(access.check(Scope::MessagesRead, None), Err(AccessDenied::IpNotAllowed(None)));
        assert_eq!(KeyAccess::default().check(Scope::Account, None), Ok(()));
        assert_eq!(
            AccessDenied::ScopeMissing(Scope::MessagesSend).to_string(),
            "this API key does not have the scope 'messages:send' this endpoint needs"
        );
        assert_eq!(AccessDenied::IpNotAllowed(ip("127.0.0.1")).to_string(), "this API key may not be used from 127.0.0.1");
    }
}
