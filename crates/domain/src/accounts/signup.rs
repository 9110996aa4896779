//! White-label domains and customer self-signup (seed 003 "Domains"): a host name the portal
//! is served on, whether customers may sign up there, what a new customer's account starts
//! with (currency, debit limit, active at once or waiting for the operator), and which portal
//! areas that domain's customers see. And an account's approval: where a signup stands.

use crate::api::error::{ApiError, ErrorName};
use crate::billing::money::MAX_AMOUNT_MINOR;
use serde::Serialize;

/// A host name as a browser sends it in `Host`, lower case, without port or trailing dot:
/// `sms.reseller.se`, `localhost`. IP addresses are refused: a white-label domain is a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct DomainHost(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignupError {
    #[error("host: {0}")]
    InvalidHost(&'static str),
    #[error("portal_areas: '{0}' is not a portal area ({areas})", areas = PortalArea::names().join(", "))]
    UnknownArea(String),
    #[error("portal_areas: at least one area")]
    NoAreas,
    #[error("brand_name: 1 to 80 characters, no control characters")]
    InvalidBrandName,
    #[error("new_account_status is active or pending")]
    InvalidNewAccountStatus,
    #[error("credit_limit_minor is 0 to {MAX_AMOUNT_MINOR}")]
    InvalidCreditLimit,
    #[error("the account's signup is {from}; it cannot be {to}")]
    ApprovalNotPossible { from: &'static str, to: &'static str },
}

impl From<SignupError> for ApiError {
    fn from(e: SignupError) -> ApiError {
        let message = e.to_string();
        match e {
            SignupError::InvalidHost(_) => ApiError::named(400, ErrorName::InvalidHost, message),
            SignupError::UnknownArea(_) | SignupError::NoAreas => ApiError::named(400, ErrorName::InvalidPortalAreas, message),
            SignupError::InvalidBrandName => ApiError::named(400, ErrorName::InvalidName, message),
            SignupError::InvalidNewAccountStatus | SignupError::InvalidCreditLimit => ApiError::malformed(message),
            SignupError::ApprovalNotPossible { .. } => ApiError::named(409, ErrorName::ApprovalNotPossible, message),
        }
    }
}

impl DomainHost {
    pub fn parse(input: &str) -> Result<DomainHost, SignupError> {
        let host = input.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() || host.len() > 253 {
            return Err(SignupError::InvalidHost("1 to 253 characters"));
        }
        if host.parse::<std::net::Ipv4Addr>().is_ok() || host.contains(':') {
            return Err(SignupError::InvalidHost("a host name, without port or scheme (an IP address is not a domain)"));
        }
        for label in host.split('.') {
            let ok = (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(SignupError::InvalidHost("labels of letters, digits and inner hyphens, 1 to 63 each (punycode for other letters)"));
            }
        }
        Ok(DomainHost(host))
    }

    /// The host a request came to, from its `Host` header (port dropped); `None` when the
    /// header is missing or is not a name.
    pub fn from_host_header(header: Option<&str>) -> Option<DomainHost> {
        let header = header?.trim();
        let name = match header.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => header,
        };
        DomainHost::parse(name).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A part of the customer portal a domain may show or hide. The start page, the account
/// and user lists and one's own profile are always there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortalArea {
    Dashboard,
    Send,
    Messages,
    Inbox,
    Contacts,
    Blocklist,
    Numbers,
    Keys,
    Settings,
    Billing,
}

impl PortalArea {
    pub const ALL: [PortalArea; 10] = [
        PortalArea::Dashboard,
        PortalArea::Send,
        PortalArea::Messages,
        PortalArea::Inbox,
        PortalArea::Contacts,
        PortalArea::Blocklist,
        PortalArea::Numbers,
        PortalArea::Keys,
        PortalArea::Settings,
        PortalArea::Billing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortalArea::Dashboard => "dashboard",
            PortalArea::Send => "send",
            PortalArea::Messages => "messages",
            PortalArea::Inbox => "inbox",
            PortalArea::Contacts => "contacts",
            PortalArea::Blocklist => "blocklist",
            PortalArea::Numbers => "numbers",
            PortalArea::Keys => "keys",
            PortalArea::Settings => "settings",
            PortalArea::Billing => "billing",
        }
    }

    fn names() -> Vec<&'static str> {
        PortalArea::ALL.iter().map(|a| a.as_str()).collect()
    }
}

/// The areas a domain shows, in the portal's menu order, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAreas(Vec<PortalArea>);

impl PortalAreas {
    pub fn all() -> PortalAreas {
        PortalAreas(PortalArea::ALL.to_vec())
    }

    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<PortalAreas, SignupError> {
        let mut chosen = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            let area = PortalArea::ALL.into_iter().find(|a| a.as_str() == name).ok_or_else(|| SignupError::UnknownArea(name.to_owned()))?;
            chosen.push(area);
        }
        if chosen.is_empty() {
            return Err(SignupError::NoAreas);
        }
        Ok(PortalAreas(PortalArea::ALL.into_iter().filter(|a| chosen.contains(a)).collect()))
    }

    /// As stored: comma-separated names.
    pub fn from_stored(stored: &str) -> PortalAreas {
        let names: Vec<&str> = stored.split(',').filter(|s| !s.is_empty()).collect();
        PortalAreas::parse(&names).unwrap_or_else(|_| PortalAreas::all())
    }

    pub fn to_stored(&self) -> String {
        self.names().join(",")
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|a| a.as_str()).collect()
    }
}

/// What a new customer's account is when its e-mail is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewAccountStatus {
    /// Sends at once.
    Active,
    /// Waits for the operator's approval (blocked until then).
    Pending,
}

impl NewAccountStatus {
    pub fn parse(input: &str) -> Result<NewAccountStatus, SignupError> {
        match input {
            "active" => Ok(NewAccountStatus::Active),
            "pending" => Ok(NewAccountStatus::Pending),
            _ => Err(SignupError::InvalidNewAccountStatus),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NewAccountStatus::Active => "active",
            NewAccountStatus::Pending => "pending",
        }
    }
}

/// A domain's brand as shown on its portal pages: plain text, 1–80 characters.
pub fn brand_name(input: &str) -> Result<String, SignupError> {
    let name = input.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(SignupError::InvalidBrandName);
    }
    Ok(name.to_owned())
}

/// A new customer's debit (credit) limit on a domain.
pub fn new_account_credit_limit(minor: i64) -> Result<i64, SignupError> {
    if (0..=MAX_AMOUNT_MINOR).contains(&minor) {
        Ok(minor)
    } else {
        Err(SignupError::InvalidCreditLimit)
    }
}

/// Where an account stands with the operator. Accounts the operator opens are approved from
/// the start; a self-signup waits for its e-mail, then (when its domain says so) for the
/// operator. An account that is not approved is blocked: it signs in, sends nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    AwaitingEmail,
    Pending,
    Approved,
    Rejected,
}

/// The operator's answer to a pending signup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalDecision {
    Approve,
    Reject,
}

impl ApprovalDecision {
    pub fn parse(input: &str) -> Result<ApprovalDecision, ApiError> {
        match input {
            "approve" => Ok(ApprovalDecision::Approve),
            "reject" => Ok(ApprovalDecision::Reject),
            _ => Err(ApiError::malformed("decision is approve or reject")),
        }
    }
}

impl Approval {
    pub fn parse(stored: &str) -> Option<Approval> {
        [Approval::AwaitingEmail, Approval::Pending, Approval::Approved, Approval::Rejected].into_iter().find(|a| a.as_str() == stored)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Approval::AwaitingEmail => "awaiting_email",
            Approval::Pending => "pending",
            Approval::Approved => "approved",
            Approval::Rejected => "rejected",
        }
    }

    /// After the signup's e-mail is confirmed: what the domain says (unchanged when the
    /// account was past that step already).
    pub fn after_email_confirmed(self, status: NewAccountStatus) -> Approval {
        match (self, status) {
            (Approval::AwaitingEmail, NewAccountStatus::Active) => Approval::Approved,
            (Approval::AwaitingEmail, NewAccountStatus::Pending) => Approval::Pending,
            (other, _) => other,
        }
    }

    /// The operator decides: a pending signup is approved or rejected; a rejected one may
    /// still be approved (a mistake put right). An approved account is blocked, not rejected;
    /// one whose e-mail is not confirmed yet waits for that first.
    pub fn decide(self, decision: ApprovalDecision) -> Result<Approval, SignupError> {
        match (self, decision) {
            (Approval::Pending, ApprovalDecision::Approve) | (Approval::Rejected, ApprovalDecision::Approve) => Ok(Approval::Approved),
            (Approval::Pending, ApprovalDecision::Reject) => Ok(Approval::Rejected),
            (from, decision) => Err(SignupError::ApprovalNotPossible {
                from: from.as_str(),
                to: match decision {
                    ApprovalDecision::Approve => "approved",
                    ApprovalDecision::Reject => "rejected",
                },
            }),
        }
    }

    /// Whether the account may send (the database keeps `blocked` set until it is).
    pub fn is_approved(self) -> bool {
        self == Approval::Approved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_names_in_lower_case_without_port() {
        assert_eq!(DomainHost::parse("SMS.Reseller.SE.").unwrap().as_str(), "sms.reseller.se");
        assert_eq!(DomainHost::parse("localhost").unwrap().as_str(), "localhost");
        for bad in ["", "https://x.se", "x.se:8080", "127.0.0.1", "-a.se", "a_b.se", "a..se", &"a".repeat(64)] {
            assert!(matches!(DomainHost::parse(bad), Err(SignupError::InvalidHost(_))), "{bad}");
        }
        assert_eq!(DomainHost::from_host_header(Some("Portal.Example.com:3000")).unwrap().as_str(), "portal.example.com");
        assert_eq!(DomainHost::from_host_header(Some("example.com")).unwrap().as_str(), "example.com");
        assert_eq!(DomainHost::from_host_header(Some("127.0.0.1:3000")), None);
        assert_eq!(DomainHost::from_host_header(Some("[::1]:3000")), None);
        assert_eq!(DomainHost::from_host_header(None), None);
    }

    #[test]
    fn portal_areas_are_known_names_kept_in_menu_order() {
        let areas = PortalAreas::parse(&["billing", "send", "send"]).unwrap();
        assert_eq!(areas.names(), ["send", "billing"]);
        assert_eq!(areas.to_stored(), "send,billing");
        assert_eq!(PortalAreas::from_stored("send,billing"), areas);
        assert_eq!(PortalAreas::parse(&["sending"]), Err(SignupError::UnknownArea("sending".into())));
        assert_eq!(PortalAreas::parse::<&str>(&[]), Err(SignupError::NoAreas));
        let api: ApiError = SignupError::UnknownArea("x".into()).into();
        assert_eq!((api.http_status, api.name), (400, "InvalidPortalAreas"));
        assert_eq!(PortalAreas::all().names().len(), PortalArea::ALL.len());
    }

    #[test]
    fn a_signup_waits_for_its_email_then_for_the_domain_rule() {
        assert_eq!(Approval::AwaitingEmail.after_email_confirmed(NewAccountStatus::Active), Approval::Approved);
        assert_eq!(Approval::AwaitingEmail.after_email_confirmed(NewAccountStatus::Pending), Approval::Pending);
        // A second confirmation changes nothing the operator decided.
        assert_eq!(Approval::Rejected.after_email_confirmed(NewAccountStatus::Active), Approval::Rejected);
        assert_eq!(Approval::Pending.after_email_confirmed(NewAccountStatus::Active), Approval::Pending);
    }

    #[test]
    fn the_operator_approves_or_rejects_pending_signups_only() {
        use ApprovalDecision::*;
        assert_eq!(Approval::Pending.decide(Approve), Ok(Approval::Approved));
        assert_eq!(Approval::Pending.decide(Reject), Ok(Approval::Rejected));
        assert_eq!(Approval::Rejected.decide(Approve), Ok(Approval::Approved));
        assert!(Approval::Approved.decide(Reject).is_err());
        assert!(Approval::Approved.decide(Approve).is_err());
        assert!(Approval::AwaitingEmail.decide(Approve).is_err());
        assert!(Approval::Rejected.decide(Reject).is_err());
        let api: ApiError = Approval::Approved.decide(Reject).unwrap_err().into();
        assert_eq!((api.http_status, api.name), (409, "ApprovalNotPossible"));
        for a in [Approval::AwaitingEmail, Approval::Pending, Approval::Approved, Approval::Rejected] {
            assert_eq!(Approval::parse(a.as_str()), Some(a));
            assert_eq!(a.is_approved(), a == Approval::Approved);
        }
    }

    #[test]
    fn brand_names_status_and_limits_are_checked() {
        assert_eq!(brand_name("  Reseller SMS "), Ok("Reseller SMS".into()));
        assert!(brand_name("").is_err());
        assert!(brand_name("a\nb").is_err());
        assert!(brand_name(&"x".repeat(81)).is_err());
        assert_eq!(NewAccountStatus::parse("pending"), Ok(NewAccountStatus::Pending));
        assert!(NewAccountStatus::parse("blocked").is_err());
        assert_eq!(new_account_credit_limit(0), Ok(0));
        assert!(new_account_credit_limit(-1).is_err());
        assert!(new_account_credit_limit(MAX_AMOUNT_MINOR + 1).is_err());
    }
}
