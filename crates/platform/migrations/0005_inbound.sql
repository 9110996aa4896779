-- 0005: inbound SMS: reception numbers, the inbox, multipart reassembly, keywords and the
-- stop-service settings of an account.

-- Numbers we receive on (seed 004 reception numbers, seed 002 primary/secondary). The
-- destination number of an inbound SMS decides the account.
CREATE TABLE numbers (
    number     TEXT PRIMARY KEY,
    country    TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'virtual' CHECK (kind IN ('virtual', 'shortcode', 'mobile', 'landline')),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role       TEXT NOT NULL DEFAULT 'secondary' CHECK (role IN ('primary', 'secondary')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX numbers_by_account ON numbers(account_id);
CREATE UNIQUE INDEX numbers_one_primary_per_account ON numbers(account_id) WHERE role = 'primary';

-- Every inbound SMS, whole (after reassembly). account_id is NULL when it came to a number
-- no account has: acknowledged and kept for operators, nothing else.
CREATE TABLE inbound_messages (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT REFERENCES accounts(id),
    carrier            TEXT NOT NULL,
    carrier_message_id TEXT NOT NULL,
    sender             TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    body               TEXT NOT NULL,
    parts              INTEGER NOT NULL DEFAULT 1,
    -- Parts missing when the reassembly timeout passed, as a comma-separated list.
    missing_parts      TEXT,
    -- What the keywords made of it: none, opt_out, opt_in, help, save, malformed_save,
    -- custom, unknown_number; and what was done.
    action             TEXT NOT NULL DEFAULT 'none',
    action_detail      TEXT,
    received_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX inbound_messages_once ON inbound_messages(carrier, carrier_message_id);
CREATE INDEX inbound_messages_by_account ON inbound_messages(account_id, received_at);

-- Parts of long inbound messages until the last one arrives (or the timeout passes).
CREATE TABLE inbound_parts (
    carrier            TEXT NOT NULL,
    sender             TEXT NOT NULL,
    reference          TEXT NOT NULL,
    part               INTEGER NOT NULL,
    parts              INTEGER NOT NULL,
    recipient          TEXT NOT NULL,
    carrier_message_id TEXT NOT NULL,
    body               TEXT NOT NULL,
    received_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (carrier, sender, reference, part)
);
CREATE INDEX inbound_parts_by_age ON inbound_parts(received_at);

-- An account's own keywords: a whole-message word with an auto-reply and/or a forward.
CREATE TABLE keywords (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    word        TEXT NOT NULL,
    word_key    TEXT NOT NULL,
    reply       TEXT,
    forward_url TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account_id, word_key)
);

-- Stop-service and inbound settings (seed 001): keyword languages; opt-out by reply to a
-- reception number and/or by an unsubscribe link appended to every SMS; the HELP reply;
-- an optional confirmation of STOP and of Spara; where inbound messages are forwarded.
ALTER TABLE accounts ADD COLUMN languages TEXT NOT NULL DEFAULT 'sv,en';
ALTER TABLE accounts ADD COLUMN stop_by_reply INTEGER NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN stop_by_link INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN help_reply TEXT;
ALTER TABLE accounts ADD COLUMN opt_out_reply TEXT;
ALTER TABLE accounts ADD COLUMN save_reply TEXT;
ALTER TABLE accounts ADD COLUMN inbound_webhook TEXT;
