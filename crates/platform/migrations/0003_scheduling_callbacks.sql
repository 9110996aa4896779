-- 0003: scheduled sends, validity, customer status callbacks (Standard Webhooks) and
-- their delivery log.

-- Per-account settings the send path and the dispatcher read.
ALTER TABLE accounts ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE accounts ADD COLUMN status_callback TEXT;
-- Standard Webhooks secret (whsec_…), shown once when made. After a rotation the
-- previous secret keeps signing beside the new one for a day, so receivers can switch.
ALTER TABLE accounts ADD COLUMN webhook_secret TEXT;
ALTER TABLE accounts ADD COLUMN webhook_secret_previous TEXT;
ALTER TABLE accounts ADD COLUMN webhook_secret_rotated_at TEXT;

ALTER TABLE messages ADD COLUMN status_callback TEXT;
-- A scheduled message waits Funded (103) until send_at (UTC), then the job runner sends it.
ALTER TABLE messages ADD COLUMN send_at TEXT;
-- Validity: a message with no final status by then becomes Expired (202).
ALTER TABLE messages ADD COLUMN expires_at TEXT;
CREATE INDEX messages_due ON messages(send_at) WHERE status = 103 AND send_at IS NOT NULL;
CREATE INDEX messages_expiring ON messages(expires_at) WHERE status < 200 AND expires_at IS NOT NULL;

-- One row per event to POST to a customer. Status events: the event id ('evt_' + the
-- history row) is the stable webhook-id and the payload is rendered from the history when
-- sent. Other kinds (inbound messages) name their own source row.
CREATE TABLE callback_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL DEFAULT 'message.status',
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    message_id       TEXT REFERENCES messages(id),
    message_event_id INTEGER REFERENCES message_events(id),
    inbound_id       TEXT,
    url              TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    -- A runner that took this delivery owns it until then; a crashed runner's lease lapses.
    lease_until      TEXT,
    last_http_status INTEGER,
    last_error       TEXT,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at      TEXT
);
CREATE INDEX callback_deliveries_due ON callback_deliveries(next_attempt_at) WHERE state = 'pending';
CREATE INDEX callback_deliveries_by_message ON callback_deliveries(message_id, id);
CREATE INDEX callback_deliveries_by_account ON callback_deliveries(account_id, id);

CREATE TABLE callback_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES callback_deliveries(id),
    attempt     INTEGER NOT NULL,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    http_status INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX callback_attempts_by_delivery ON callback_attempts(delivery_id, id);
-- A callback names the carrier's own words for a status: its message's latest receipt.
CREATE INDEX receipts_by_message ON receipts(message_id, id);

-- Every history event of a message with a callback URL is queued for delivery, by the
-- database itself, so no status change can skip its callback.
CREATE TRIGGER message_event_calls_back AFTER INSERT ON message_events
BEGIN
    INSERT INTO callback_deliveries (event_id, account_id, message_id, message_event_id, url, next_attempt_at)
    SELECT 'evt_' || NEW.id, m.account_id, m.id, NEW.id, m.status_callback, NEW.at
    FROM messages m WHERE m.id = NEW.message_id AND m.status_callback IS NOT NULL;
END;

-- A scheduled message is Funded (103) when stored, not Sending: the creation history is
-- Accepted → Funded, without repeating Funded.
DROP TRIGGER message_created;
CREATE TRIGGER message_created AFTER INSERT ON messages
BEGIN
    INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description)
    SELECT id, -NEW.price_minor, balance_minor - NEW.price_minor, 'debit', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id;
    INSERT INTO message_events (message_id, status, at, source, detail) VALUES
        (NEW.id, 101, NEW.status_at, 'api', NULL),
        (NEW.id, 103, NEW.status_at, 'billing', NULL);
    INSERT INTO message_events (message_id, status, at, source, detail)
    SELECT NEW.id, NEW.status, NEW.status_at, NEW.status_source, NEW.status_detail WHERE NEW.status <> 103;
END;
