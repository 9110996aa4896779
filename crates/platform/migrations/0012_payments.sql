-- 0012: money in (issue 6, seed 003/004) — the payments log. Every way money comes in or
-- is taken back by a person has a row here beside its ledger entry: Stripe top-ups
-- (pending until Stripe's signed webhook says they are paid), an operator's top-ups,
-- bank-transfer payments, credit notes and corrections. The ledger stays the source of
-- truth for the balance; this table keeps what the ledger has no place for (the state of
-- a card payment, Stripe's ids, what a correction corrects).
CREATE TABLE payments (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    kind            TEXT NOT NULL CHECK (kind IN ('stripe_topup', 'topup', 'payment', 'credit_note', 'correction')),
    -- stripe_topup: pending → paid | failed | mismatch (paid, but not what was asked: not
    -- credited); every other kind is recorded when it is credited.
    status          TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'mismatch', 'recorded')),
    -- Asked for (Stripe) or credited (the rest), in the account's minor units; negative
    -- only for corrections.
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    -- The ledger entry's reference: our top-up id, the bank transfer's reference, the
    -- credit note's number, or for a correction the reference of what it corrects.
    reference       TEXT NOT NULL,
    corrects        TEXT REFERENCES payments(id),
    description     TEXT NOT NULL,
    stripe_mode     TEXT CHECK (stripe_mode IN ('test', 'live')),
    stripe_session  TEXT UNIQUE,
    -- The PaymentIntent: one payment credits once, whichever of its events comes first.
    stripe_payment  TEXT UNIQUE,
    -- What Stripe said was paid (kept on a mismatch for an operator to resolve).
    paid_minor      INTEGER,
    paid_currency   TEXT,
    detail          TEXT,
    ledger_entry_id INTEGER UNIQUE REFERENCES ledger_entries(id),
    actor           TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    settled_at      TEXT
);
CREATE INDEX payments_by_account ON payments(account_id, seq);
CREATE INDEX payments_by_corrected ON payments(corrects) WHERE corrects IS NOT NULL;
-- A bank transfer is recorded once, and a credit note number is used once.
CREATE UNIQUE INDEX payments_one_bank_reference ON payments(reference) WHERE kind = 'payment';
CREATE UNIQUE INDEX payments_one_credit_note_number ON payments(reference) WHERE kind = 'credit_note';
