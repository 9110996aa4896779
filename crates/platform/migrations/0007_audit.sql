-- 0007: the history of an account (seed 004): every change to its settings, keys,
-- numbers and (operator-made) balance, with who, what, when, and the state before and
-- after as JSON. Secrets never appear in it. Rows are never changed or deleted.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    -- operator, key:<api key id>, or system (the platform acting for the account).
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    before     TEXT,
    after      TEXT,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX audit_events_by_account ON audit_events(account_id, id);
CREATE TRIGGER audit_events_are_immutable BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;
CREATE TRIGGER audit_events_are_never_deleted BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;
