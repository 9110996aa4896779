-- 0021: send rules (seed 004 "sender/content replacement rules", seed 001 "book a campaign"
-- for North America), decided by domain::messaging::rules: the operator's rules for every
-- account (account_id NULL) or one, each for a destination scope ('*', a two-letter
-- country, or the leading digits of E.164 numbers); the countries that refuse unregistered
-- alphanumeric senders; each account's registered senders and its +1 campaigns; and each
-- message keeps what the customer asked to send when a rule changed it.
CREATE TABLE send_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL: the default rules, for every account.
    account_id     TEXT REFERENCES accounts(id),
    kind           TEXT NOT NULL CHECK (kind IN ('sender', 'content', 'banned')),
    name           TEXT NOT NULL,
    scope          TEXT NOT NULL,
    -- Sender rules: the sender replaced (exactly), or every one of a kind, or (both NULL) any.
    from_sender    TEXT,
    from_kind      TEXT CHECK (from_kind IN ('numeric', 'alphanumeric')),
    -- Content and banned rules: the text matched.
    pattern        TEXT,
    pattern_kind   TEXT CHECK (pattern_kind IN ('literal', 'regex')),
    case_sensitive INTEGER NOT NULL DEFAULT 0,
    -- Sender and content rules: what it becomes.
    replacement    TEXT,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (kind <> 'sender' OR (replacement IS NOT NULL AND pattern IS NULL)),
    CHECK (kind = 'sender' OR (pattern IS NOT NULL AND from_sender IS NULL AND from_kind IS NULL)),
    CHECK (kind <> 'content' OR replacement IS NOT NULL),
    CHECK (kind <> 'banned' OR replacement IS NULL)
);
CREATE INDEX send_rules_by_account ON send_rules (account_id, id);
CREATE TABLE sender_registration_countries (
    country    TEXT PRIMARY KEY CHECK (length(country) = 2),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE registered_senders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    sender     TEXT NOT NULL,
    country    TEXT NOT NULL CHECK (length(country) = 2),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, sender, country)
);
-- A campaign booked for sending to North America (+1), e.g. a 10DLC campaign id; ended,
-- it no longer counts but stays for the record.
CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    reference   TEXT NOT NULL,
    description TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ended_at    TEXT
);
CREATE INDEX campaigns_by_account ON campaigns (account_id, created_at);
-- NULL: sent as asked.
ALTER TABLE messages ADD COLUMN original_sender TEXT;
ALTER TABLE messages ADD COLUMN original_body TEXT;
