-- 0002: receipts at full depth (carrier adapters, multipart roll-up, pending receipts).

-- One row per segment of a multipart message whose carrier reports segments one by one,
-- created by the first receipt for a part, or at submit when the carrier gives every
-- part its own id. The message's status is the roll-up of these (domain::rollup).
CREATE TABLE message_parts (
    message_id         TEXT NOT NULL REFERENCES messages(id),
    part               INTEGER NOT NULL CHECK (part >= 1),
    parts              INTEGER NOT NULL CHECK (parts >= part AND parts <= 255),
    carrier            TEXT NOT NULL,
    -- The part's own id, canonical, when the carrier gives each part one (vonage);
    -- NULL when the parts share the message's id and receipts name the part.
    carrier_message_id TEXT,
    -- NULL until the part's first receipt.
    status             INTEGER,
    status_at          TEXT,
    PRIMARY KEY (message_id, part)
);
CREATE UNIQUE INDEX message_parts_by_carrier_id ON message_parts(carrier, carrier_message_id)
    WHERE carrier_message_id IS NOT NULL;

-- Which part a receipt spoke for (NULL: the whole message), and why it changed nothing
-- when it did not (a stale status, parts that do not fit the message).
ALTER TABLE receipts ADD COLUMN part INTEGER;
ALTER TABLE receipts ADD COLUMN parts INTEGER;
ALTER TABLE receipts ADD COLUMN detail TEXT;
-- Kept receipts (outcome 'unmatched') waiting for their message, oldest first: what the
-- job runner retries and, past their time, purges, without reading the other receipts.
CREATE INDEX receipts_unmatched ON receipts(received_at, id) WHERE outcome = 'unmatched';
