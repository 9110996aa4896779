-- 0001: accounts, API keys, the ledger, prices, messages with their status history, receipts.
-- Timestamps are UTC RFC 3339 with milliseconds, written by SQLite itself.

CREATE TABLE accounts (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    currency           TEXT NOT NULL,
    -- Kept equal to the sum of the account's ledger by the ledger trigger below;
    -- no statement in the application writes it.
    balance_minor      INTEGER NOT NULL DEFAULT 0,
    credit_limit_minor INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    blocked            INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    hint       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at TEXT
);

CREATE TABLE ledger_entries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          TEXT NOT NULL REFERENCES accounts(id),
    amount_minor        INTEGER NOT NULL,
    balance_after_minor INTEGER NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('debit', 'refund', 'topup', 'correction')),
    reference           TEXT NOT NULL,
    description         TEXT NOT NULL,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX ledger_by_account ON ledger_entries(account_id, id);
-- A message is refunded at most once, whoever tries.
CREATE UNIQUE INDEX ledger_one_refund_per_reference ON ledger_entries(reference) WHERE kind = 'refund';

CREATE TRIGGER ledger_entry_moves_balance AFTER INSERT ON ledger_entries
BEGIN
    UPDATE accounts SET balance_minor = balance_minor + NEW.amount_minor WHERE id = NEW.account_id;
END;
CREATE TRIGGER ledger_entries_are_immutable BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are immutable; add a correction instead');
END;
CREATE TRIGGER ledger_entries_are_never_deleted BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are immutable; add a correction instead');
END;

-- Per-destination prices per currency. scope: '*' (any destination), a two-letter
-- country, or the leading digits of E.164 numbers; the most specific match wins.
CREATE TABLE prices (
    currency          TEXT NOT NULL,
    scope             TEXT NOT NULL,
    per_segment_minor INTEGER NOT NULL CHECK (per_segment_minor >= 0),
    updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (currency, scope)
);
INSERT INTO prices (currency, scope, per_segment_minor) VALUES
    ('SEK', '*', 80), ('SEK', 'SE', 35), ('SEK', 'NO', 45), ('SEK', 'DK', 45), ('SEK', 'FI', 45),
    ('EUR', '*', 8), ('EUR', 'SE', 4), ('EUR', 'DE', 9), ('EUR', 'FI', 5),
    ('USD', '*', 9), ('USD', 'US', 1);

CREATE TABLE messages (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts(id),
    batch_id           TEXT NOT NULL,
    client_reference   TEXT,
    sender             TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    country            TEXT NOT NULL,
    body               TEXT NOT NULL,
    encoding           TEXT NOT NULL,
    segments           INTEGER NOT NULL,
    price_minor        INTEGER NOT NULL,
    currency           TEXT NOT NULL,
    carrier            TEXT NOT NULL,
    carrier_message_id TEXT,
    status             INTEGER NOT NULL,
    -- Who set the current status and what they said; copied into the history.
    status_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    status_source      TEXT NOT NULL,
    status_detail      TEXT,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX messages_by_account ON messages(account_id, created_at);
CREATE INDEX messages_by_batch ON messages(batch_id);
CREATE UNIQUE INDEX messages_by_carrier_id ON messages(carrier, carrier_message_id)
    WHERE carrier_message_id IS NOT NULL;

-- The status history. Every status change of a message appends a row, enforced here
-- so that no code path can change a status without leaving a trace.
CREATE TABLE message_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL REFERENCES messages(id),
    status     INTEGER NOT NULL,
    at         TEXT NOT NULL,
    source     TEXT NOT NULL,
    detail     TEXT
);
CREATE INDEX message_events_by_message ON message_events(message_id, id);

-- Inserting a message is the whole send, as one statement: the trigger refuses it past
-- the credit limit, debits its price as a ledger entry (which moves the balance) and
-- writes the history Accepted → Funded → <its status>. A multi-row INSERT is therefore
-- all-or-nothing for a batch, and holds the write lock for one statement only.
CREATE TRIGGER message_is_paid_for BEFORE INSERT ON messages
BEGIN
    SELECT RAISE(ABORT, 'InsufficientFunds')
    FROM accounts WHERE id = NEW.account_id AND balance_minor - NEW.price_minor < -credit_limit_minor;
END;
CREATE TRIGGER message_created AFTER INSERT ON messages
BEGIN
    INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description)
    SELECT id, -NEW.price_minor, balance_minor - NEW.price_minor, 'debit', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id;
    INSERT INTO message_events (message_id, status, at, source, detail) VALUES
        (NEW.id, 101, NEW.status_at, 'api', NULL),
        (NEW.id, 103, NEW.status_at, 'billing', NULL),
        (NEW.id, NEW.status, NEW.status_at, NEW.status_source, NEW.status_detail);
END;
CREATE TRIGGER message_status_changed AFTER UPDATE OF status ON messages
WHEN NEW.status <> OLD.status
BEGIN
    INSERT INTO message_events (message_id, status, at, source, detail)
    VALUES (NEW.id, NEW.status, NEW.status_at, NEW.status_source, NEW.status_detail);
END;

-- Every verified receipt, as the carrier sent it. dedupe_key makes a repeated receipt a no-op.
CREATE TABLE receipts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    carrier            TEXT NOT NULL,
    carrier_message_id TEXT NOT NULL,
    dedupe_key         TEXT NOT NULL UNIQUE,
    raw_status         TEXT NOT NULL,
    raw_error          TEXT,
    mapped_status      INTEGER NOT NULL,
    message_id         TEXT,
    outcome            TEXT NOT NULL,
    body               TEXT NOT NULL,
    received_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX receipts_by_carrier_id ON receipts(carrier, carrier_message_id);
