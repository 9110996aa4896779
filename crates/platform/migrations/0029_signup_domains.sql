-- 0029: white-label domains and customer self-signup (seed 003 "Domains").
-- A domain is a host name the portal is served on: whether customers may sign up there, what
-- a new customer's account starts with, and which portal areas its customers see. The rules
-- (host names, areas, the approval steps) are domain::accounts::signup's; the database keeps
-- an account that is not approved from sending.

CREATE TABLE signup_domains (
    host               TEXT PRIMARY KEY,
    brand_name         TEXT NOT NULL,
    signup_enabled     INTEGER NOT NULL DEFAULT 0 CHECK (signup_enabled IN (0, 1)),
    -- A new customer's account: its currency, its debit (credit) limit, and whether it is
    -- active once its e-mail is confirmed or waits for the operator.
    currency           TEXT NOT NULL,
    credit_limit_minor INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    new_account_status TEXT NOT NULL DEFAULT 'pending' CHECK (new_account_status IN ('active', 'pending')),
    -- The portal areas shown, comma-separated (domain::accounts::signup::PortalAreas).
    portal_areas       TEXT NOT NULL,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Where an account stands with the operator: accounts the operator opens are approved; a
-- self-signup waits for its e-mail (awaiting_email), then for the operator when its domain
-- says so (pending), and is approved or rejected. signup_domain is the host it signed up on
-- (text: a domain removed later leaves it as it was).
ALTER TABLE accounts ADD COLUMN approval TEXT NOT NULL DEFAULT 'approved'
    CHECK (approval IN ('awaiting_email', 'pending', 'approved', 'rejected'));
ALTER TABLE accounts ADD COLUMN signup_domain TEXT;

-- An account that is not approved stays blocked: the send path already refuses blocked
-- accounts, so nothing is sent or charged before the operator (or the domain) says yes.
CREATE TRIGGER unapproved_account_is_blocked_on_insert BEFORE INSERT ON accounts
WHEN NEW.approval <> 'approved' AND NEW.blocked = 0
BEGIN
    SELECT RAISE(ABORT, 'an account that is not approved is blocked');
END;

CREATE TRIGGER unapproved_account_stays_blocked BEFORE UPDATE OF blocked, approval ON accounts
WHEN NEW.approval <> 'approved' AND NEW.blocked = 0
BEGIN
    SELECT RAISE(ABORT, 'an account that is not approved is blocked');
END;

CREATE INDEX accounts_by_approval ON accounts(approval) WHERE approval <> 'approved';
