-- 0013: SMS and voice credits (seed 002) and packages (seed 003). Credits are kept like
-- money: an immutable ledger of their own whose trigger moves the account's counts, so
-- a count is always the sum of its entries and can never go below zero. A send pays with
-- SMS credits (one per segment) when the account has enough for the whole message, else
-- with money as before; the send's own triggers decide, under the write lock.
ALTER TABLE accounts ADD COLUMN sms_credits INTEGER NOT NULL DEFAULT 0 CHECK (sms_credits >= 0);
ALTER TABLE accounts ADD COLUMN voice_credits INTEGER NOT NULL DEFAULT 0 CHECK (voice_credits >= 0);

CREATE TABLE credit_entries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    unit          TEXT NOT NULL CHECK (unit IN ('sms', 'voice')),
    amount        INTEGER NOT NULL CHECK (amount <> 0),
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    kind          TEXT NOT NULL CHECK (kind IN ('spend', 'refund', 'package_purchase', 'subscription_renewal', 'correction')),
    -- The message, purchase or renewal it is for.
    reference     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX credit_entries_by_account ON credit_entries(account_id, id);
CREATE INDEX credit_entries_by_reference ON credit_entries(reference);
-- A message's credits come back at most once, whoever tries.
CREATE UNIQUE INDEX credit_one_refund_per_reference ON credit_entries(reference, unit) WHERE kind = 'refund';

CREATE TRIGGER credit_entry_is_covered BEFORE INSERT ON credit_entries
BEGIN
    SELECT RAISE(ABORT, 'InsufficientCredits') FROM accounts WHERE id = NEW.account_id
        AND (CASE NEW.unit WHEN 'sms' THEN sms_credits ELSE voice_credits END) + NEW.amount < 0;
    SELECT RAISE(ABORT, 'a credit entry''s balance_after is the balance before it plus its amount') FROM accounts
        WHERE id = NEW.account_id AND (CASE NEW.unit WHEN 'sms' THEN sms_credits ELSE voice_credits END) + NEW.amount <> NEW.balance_after;
END;
CREATE TRIGGER credit_entry_moves_credits AFTER INSERT ON credit_entries
BEGIN
    UPDATE accounts SET sms_credits = sms_credits + NEW.amount WHERE id = NEW.account_id AND NEW.unit = 'sms';
    UPDATE accounts SET voice_credits = voice_credits + NEW.amount WHERE id = NEW.account_id AND NEW.unit = 'voice';
END;
CREATE TRIGGER credit_entries_are_immutable BEFORE UPDATE ON credit_entries
BEGIN
    SELECT RAISE(ABORT, 'credit entries are immutable; add a correction instead');
END;
CREATE TRIGGER credit_entries_are_never_deleted BEFORE DELETE ON credit_entries
BEGIN
    SELECT RAISE(ABORT, 'credit entries are immutable; add a correction instead');
END;

-- SMS credits a message was paid with (then its price_minor is 0: no money moved).
ALTER TABLE messages ADD COLUMN credits INTEGER NOT NULL DEFAULT 0;

-- The send: credits first, when the account has enough for the whole message (and the
-- message costs money at all), else money within the credit limit as before.
DROP TRIGGER message_is_paid_for;
CREATE TRIGGER message_is_paid_for BEFORE INSERT ON messages
BEGIN
    SELECT RAISE(ABORT, 'InsufficientFunds')
    FROM accounts WHERE id = NEW.account_id
        AND NOT (NEW.price_minor > 0 AND sms_credits >= NEW.segments)
        AND balance_minor - NEW.price_minor < -credit_limit_minor;
END;
DROP TRIGGER message_created;
CREATE TRIGGER message_created AFTER INSERT ON messages
BEGIN
    INSERT INTO credit_entries (account_id, unit, amount, balance_after, kind, reference, reason)
    SELECT id, 'sms', -NEW.segments, sms_credits - NEW.segments, 'spend', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id AND NEW.price_minor > 0 AND sms_credits >= NEW.segments;
    UPDATE messages SET credits = NEW.segments, price_minor = 0
    WHERE id = NEW.id AND EXISTS (SELECT 1 FROM credit_entries WHERE reference = NEW.id AND kind = 'spend');
    INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description)
    SELECT id, -NEW.price_minor, balance_minor - NEW.price_minor, 'debit', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id
        AND NOT EXISTS (SELECT 1 FROM credit_entries WHERE reference = NEW.id AND kind = 'spend');
    INSERT INTO message_events (message_id, status, at, source, detail) VALUES
        (NEW.id, 101, NEW.status_at, 'api', NULL),
        (NEW.id, 103, NEW.status_at, 'billing', NULL);
    INSERT INTO message_events (message_id, status, at, source, detail)
    SELECT NEW.id, NEW.status, NEW.status_at, NEW.status_source, NEW.status_detail WHERE NEW.status <> 103;
END;

-- The operator's catalogue. cost_minor in the package's currency; numbers > 0 makes it a
-- number subscription (that many secondary reception numbers while it is active).
CREATE TABLE packages (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    currency      TEXT NOT NULL,
    cost_minor    INTEGER NOT NULL CHECK (cost_minor >= 0),
    sms_credits   INTEGER NOT NULL DEFAULT 0 CHECK (sms_credits >= 0),
    voice_credits INTEGER NOT NULL DEFAULT 0 CHECK (voice_credits >= 0),
    numbers       INTEGER NOT NULL DEFAULT 0 CHECK (numbers >= 0),
    frequency     TEXT NOT NULL CHECK (frequency IN ('once', 'daily', 'weekly', 'monthly')),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX packages_by_currency ON packages(currency, active);

-- A recurring package bought: its terms as they were bought (a later change to the package
-- applies to new purchases), and the current period [current_period_start, next_renewal_at).
-- Periods are counted from anchor_at (period_index 0 is the one bought) so months do not drift.
CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts(id),
    package_id           TEXT NOT NULL REFERENCES packages(id),
    name                 TEXT NOT NULL,
    currency             TEXT NOT NULL,
    cost_minor           INTEGER NOT NULL,
    sms_credits          INTEGER NOT NULL,
    voice_credits        INTEGER NOT NULL,
    numbers              INTEGER NOT NULL,
    frequency            TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    -- active (paid for the current period), canceled (ended at a period's end as asked),
    -- past_due (a renewal the balance could not pay: lapsed, never retried).
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'canceled', 'past_due')),
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
    anchor_at            TEXT NOT NULL,
    period_index         INTEGER NOT NULL DEFAULT 0,
    current_period_start TEXT NOT NULL,
    next_renewal_at      TEXT NOT NULL,
    canceled_at          TEXT,
    ended_at             TEXT,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX subscriptions_by_account ON subscriptions(account_id, created_at);
CREATE INDEX subscriptions_due ON subscriptions(next_renewal_at) WHERE status = 'active';

-- Every purchase: the money (ledger reference = id) and the credits it granted.
CREATE TABLE package_purchases (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    package_id      TEXT NOT NULL REFERENCES packages(id),
    subscription_id TEXT REFERENCES subscriptions(id),
    cost_minor      INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX package_purchases_by_account ON package_purchases(account_id, created_at);

-- What happened at each period boundary of a subscription: renewed (paid, credits granted;
-- ledger reference = id), past_due (could not be paid) or ended (cancelled). At most one
-- per subscription and period (period_index: the period that would start), whatever runs
-- the renewal how often.
CREATE TABLE subscription_renewals (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    period_index    INTEGER NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('renewed', 'past_due', 'ended')),
    cost_minor      INTEGER NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (subscription_id, period_index)
);
CREATE TRIGGER subscription_renewals_are_immutable BEFORE UPDATE ON subscription_renewals
BEGIN
    SELECT RAISE(ABORT, 'renewals are immutable');
END;
CREATE TRIGGER subscription_renewals_are_never_deleted BEFORE DELETE ON subscription_renewals
BEGIN
    SELECT RAISE(ABORT, 'renewals are immutable');
END;
