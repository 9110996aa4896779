-- 0011: price lists (issue 6, seed 004 "Destinations"): the default list and a list per
-- account, every rule with the period it is in effect, and prices in thousandths of a
-- minor unit so that sub-cent prices (0.0035 EUR = 350) are exact. The rules of 0001's
-- `prices` move to the default list, in effect since ever, and that table goes.
CREATE TABLE price_rules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL: the default list; else the account whose own list it is.
    account_id        TEXT REFERENCES accounts(id),
    currency          TEXT NOT NULL,
    -- '*', a two-letter country, or the leading digits of E.164 numbers.
    scope             TEXT NOT NULL,
    per_segment_milli INTEGER NOT NULL CHECK (per_segment_milli >= 0),
    -- In effect from (inclusive) until (exclusive; NULL: for good), UTC RFC 3339 with ms.
    effective_from    TEXT NOT NULL,
    effective_to      TEXT CHECK (effective_to IS NULL OR effective_to > effective_from),
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- One rule per list, currency, scope and start: setting it again replaces its price.
CREATE UNIQUE INDEX price_rules_unique ON price_rules (coalesce(account_id, ''), currency, scope, effective_from);
CREATE INDEX price_rules_by_account ON price_rules (account_id, currency);
INSERT INTO price_rules (account_id, currency, scope, per_segment_milli, effective_from, created_at)
    SELECT NULL, currency, scope, per_segment_minor * 1000, '1970-01-01T00:00:00.000Z', updated_at FROM prices;
DROP TABLE prices;
