-- How a send is paid (credits or money, within the credit limit) is decided in Rust
-- (domain::billing::funds) and written on each message (`credits`, `price_minor`); so is
-- whether a package or a renewal can be paid. The database records it — the debit or the
-- credit spend, and the message's first events — and guards the outcome: a spend (a
-- message, a package, a renewal) never takes the balance past the credit limit (the last
-- trigger here), SMS credits never go below zero (credit_entry_is_covered). It no longer
-- decides.
DROP TRIGGER message_is_paid_for;
DROP TRIGGER message_created;

CREATE TRIGGER message_created AFTER INSERT ON messages
BEGIN
    INSERT INTO credit_entries (account_id, unit, amount, balance_after, kind, reference, reason)
    SELECT id, 'sms', -NEW.credits, sms_credits - NEW.credits, 'spend', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id AND NEW.credits > 0;
    INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description)
    SELECT id, -NEW.price_minor, balance_minor - NEW.price_minor, 'debit', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id AND NEW.credits = 0;
    INSERT INTO message_events (message_id, status, at, source, detail) VALUES
        (NEW.id, 101, NEW.status_at, 'api', NULL),
        (NEW.id, 103, NEW.status_at, 'billing', NULL);
    INSERT INTO message_events (message_id, status, at, source, detail)
    SELECT NEW.id, NEW.status, NEW.status_at, NEW.status_source, NEW.status_detail WHERE NEW.status <> 103;
END;

CREATE TRIGGER message_paid_one_way BEFORE INSERT ON messages
WHEN NEW.credits < 0 OR (NEW.credits > 0 AND (NEW.credits <> NEW.segments OR NEW.price_minor <> 0))
BEGIN
    SELECT RAISE(ABORT, 'a message is paid by one credit per segment and no money, or by money alone');
END;

CREATE TRIGGER debit_within_credit_limit BEFORE INSERT ON ledger_entries
WHEN NEW.kind IN ('debit', 'package_purchase', 'subscription_renewal') AND NEW.amount_minor < 0
BEGIN
    SELECT RAISE(ABORT, 'a debit may not take the balance past the credit limit')
    FROM accounts WHERE id = NEW.account_id AND balance_minor + NEW.amount_minor < -credit_limit_minor;
END;
