-- 0008: people (seed 000): users, their access to accounts, two-factor authentication,
-- single-use tokens, login throttling and the e-mail outbox. Sessions are not here: they
-- live in the key-value store (platform::session) and expire there.

-- Name/note and type of an account, as the accounts list shows them (seed 000).
ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'international' CHECK (kind IN ('swedish', 'international'));

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    -- Lowercase (domain::identity::Email); one user per address.
    email                TEXT NOT NULL UNIQUE,
    email_confirmed_at   TEXT,
    name                 TEXT NOT NULL,
    phone                TEXT,
    phone_confirmed_at   TEXT,
    language             TEXT NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
    time_zone            TEXT NOT NULL DEFAULT 'Europe/Stockholm',
    -- argon2id PHC string; NULL until an invited user sets a password.
    password_hash        TEXT,
    -- TOTP (RFC 6238): the secret in base32, set when 2FA is begun, enabled when confirmed.
    totp_secret          TEXT,
    totp_enabled_at      TEXT,
    -- The last time step a code was accepted for: a code is never accepted twice.
    totp_last_step       INTEGER,
    -- E-mail the user at every login (with address and time).
    login_alerts         INTEGER NOT NULL DEFAULT 0,
    default_account_id   TEXT REFERENCES accounts(id),
    -- Moved on by a password change or reset: sessions carry the epoch they began in, so
    -- every older session ends at once, without listing them in the key-value store.
    session_epoch        INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Who may act on which account, and how much (domain::identity::AccessLevel).
CREATE TABLE memberships (
    user_id    TEXT NOT NULL REFERENCES users(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    level      TEXT NOT NULL CHECK (level IN ('user', 'manager', 'admin')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (user_id, account_id)
);
CREATE INDEX memberships_by_account ON memberships(account_id);

-- Recovery codes for a lost authenticator: SHA-256 of each (high-entropy) code, used once.
CREATE TABLE recovery_codes (
    user_id     TEXT NOT NULL REFERENCES users(id),
    code_digest TEXT NOT NULL,
    used_at     TEXT,
    PRIMARY KEY (user_id, code_digest)
);

-- Single-use tokens sent by e-mail (password reset, invitation, e-mail confirmation): only
-- the SHA-256 of the token is kept, so a copy of the database opens no account.
CREATE TABLE one_time_tokens (
    digest     TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    -- The address being confirmed (a new address is confirmed before it replaces the old).
    email      TEXT,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX one_time_tokens_by_user ON one_time_tokens(user_id, purpose);

-- The code sent by SMS to confirm a phone number: one outstanding per user, a few tries.
CREATE TABLE phone_codes (
    user_id     TEXT PRIMARY KEY REFERENCES users(id),
    phone       TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);

-- Failed logins per e-mail address ('account:<email>') and per client address
-- ('address:<ip>'); domain::throttle turns them into a wait. Rows are upserted in one
-- statement, so concurrent guesses all count.
CREATE TABLE login_failures (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
);

-- Every e-mail the platform sends. With an e-mail API configured each is handed to it
-- (status 'sent' or 'failed'); without one they stay here as the development outbox
-- ('outbox'), which operators, tests and local runs read at /v1/admin/emails.
CREATE TABLE emails (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'outbox' CHECK (status IN ('outbox', 'sent', 'failed')),
    detail     TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX emails_by_recipient ON emails(recipient, id);
