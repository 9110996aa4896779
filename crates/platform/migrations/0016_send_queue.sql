-- 0016: sends are accepted, then delivered from a durable queue (the messages table
-- itself), and a request repeated with the same Idempotency-Key has its effect once.
--
-- due_at: when the delivery queue may take the message (NULL: not in the queue — it was
-- submitted, or has a final status). A new message is due at once (or at send_at); a
-- delivery that takes it moves due_at forward by its lease, so a delivery that crashed is
-- taken again when the lease runs out; an ambiguous submit sets it to the next try.
ALTER TABLE messages ADD COLUMN due_at TEXT;
-- Submits made (the same reference each time: the carrier deduplicates).
ALTER TABLE messages ADD COLUMN submit_attempts INTEGER NOT NULL DEFAULT 0;
-- The first submit whose outcome we could not know (a timeout or a reset after sending).
ALTER TABLE messages ADD COLUMN submit_unknown_since TEXT;
CREATE INDEX messages_queue ON messages(due_at) WHERE due_at IS NOT NULL;
-- Scheduled messages accepted before this migration join the queue at their time.
UPDATE messages SET due_at = send_at WHERE status = 103 AND send_at IS NOT NULL;
-- Messages a crash left in Sending with no carrier id are submitted again (same reference).
UPDATE messages SET due_at = status_at WHERE status = 110 AND carrier_message_id IS NULL;
DROP INDEX messages_due;

-- A creating or money-moving POST's first answer, kept 24 h for its Idempotency-Key and
-- written in the same transaction as the effect.
CREATE TABLE idempotency_keys (
    account_id   TEXT NOT NULL,
    key          TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);

-- A message the carrier has (it has the carrier's id), or with a final status, is never
-- submitted again: it leaves the queue whichever way it got there.
CREATE TRIGGER message_leaves_queue AFTER UPDATE OF status, carrier_message_id ON messages
WHEN NEW.due_at IS NOT NULL AND (NEW.carrier_message_id IS NOT NULL OR NEW.status >= 200)
BEGIN
    UPDATE messages SET due_at = NULL WHERE id = NEW.id;
END;

