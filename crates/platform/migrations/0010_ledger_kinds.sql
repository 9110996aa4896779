-- 0010: the ledger takes every kind of money movement billing has (issue 6): manual
-- payments, credit notes, package purchases and subscription renewals beside debits,
-- refunds, top-ups and corrections. SQLite cannot change a CHECK in place, so the table is
-- rebuilt (its rows copied as they are) with its indexes and triggers. legacy_alter_table
-- keeps the rename from rewriting the triggers of other tables that insert into the ledger
-- by name; they find the new table under the same name.
PRAGMA legacy_alter_table = ON;
CREATE TABLE ledger_entries_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          TEXT NOT NULL REFERENCES accounts(id),
    amount_minor        INTEGER NOT NULL,
    balance_after_minor INTEGER NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('debit', 'refund', 'topup', 'correction', 'payment',
                                                      'credit_note', 'package_purchase', 'subscription_renewal')),
    reference           TEXT NOT NULL,
    description         TEXT NOT NULL,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO ledger_entries_new (id, account_id, amount_minor, balance_after_minor, kind, reference, description, created_at)
    SELECT id, account_id, amount_minor, balance_after_minor, kind, reference, description, created_at FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;
PRAGMA legacy_alter_table = OFF;
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
