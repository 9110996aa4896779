-- Callbacks in Twilio's format (docs/twilio.md "Callbacks"): which format each callback is
-- written in is kept with what it is about — a message sent through Twilio's API with a
-- StatusCallback, and an account that chose Twilio's format for inbound SMS to its
-- webhook — and copied onto each delivery when it is queued, so a change of setting never
-- rewrites a callback already queued. 'json' is ours (docs/api.md), 'twilio' Twilio's form.
ALTER TABLE messages ADD COLUMN callback_format TEXT NOT NULL DEFAULT 'json' CHECK (callback_format IN ('json', 'twilio'));
ALTER TABLE accounts ADD COLUMN inbound_format TEXT NOT NULL DEFAULT 'json' CHECK (inbound_format IN ('json', 'twilio'));
ALTER TABLE callback_deliveries ADD COLUMN format TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'twilio'));

DROP TRIGGER message_event_calls_back;
CREATE TRIGGER message_event_calls_back AFTER INSERT ON message_events
BEGIN
    INSERT INTO callback_deliveries (event_id, account_id, message_id, message_event_id, url, next_attempt_at, format)
    SELECT 'evt_' || NEW.id, m.account_id, m.id, NEW.id, m.status_callback, NEW.at, m.callback_format
    FROM messages m WHERE m.id = NEW.message_id AND m.status_callback IS NOT NULL;
END;

-- The replies a webhook's TwiML asked for, one row per <Message> of an inbound SMS's
-- answer, written before the reply is sent: a callback delivered again (a retry, a replay)
-- finds its replies taken and sends none twice. `message_id` is the reply sent, `detail`
-- why none was.
CREATE TABLE twiml_replies (
    inbound_id  TEXT NOT NULL REFERENCES inbound_messages(id),
    reply_index INTEGER NOT NULL,
    message_id  TEXT REFERENCES messages(id),
    detail      TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (inbound_id, reply_index)
);
