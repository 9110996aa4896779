-- 0009: an account's profile (seed 004) — company information, contact details, date
-- format and a note, as domain::account checks them — and SMPP credentials for a separate
-- SMPP front end (no SMPP server here). NULL is "not given" for every profile field.

ALTER TABLE accounts ADD COLUMN company_name TEXT;
ALTER TABLE accounts ADD COLUMN organisation_number TEXT;
-- Capitals without separators (domain::account::VatNumber).
ALTER TABLE accounts ADD COLUMN vat_number TEXT;
ALTER TABLE accounts ADD COLUMN address_line1 TEXT;
ALTER TABLE accounts ADD COLUMN address_line2 TEXT;
ALTER TABLE accounts ADD COLUMN postal_code TEXT;
ALTER TABLE accounts ADD COLUMN city TEXT;
-- ISO 3166-1 alpha-2, capitals.
ALTER TABLE accounts ADD COLUMN country TEXT;
ALTER TABLE accounts ADD COLUMN contact_name TEXT;
ALTER TABLE accounts ADD COLUMN contact_email TEXT;
-- E.164.
ALTER TABLE accounts ADD COLUMN contact_phone TEXT;
ALTER TABLE accounts ADD COLUMN invoice_email TEXT;
-- domain::account::DateFormat's strings.
ALTER TABLE accounts ADD COLUMN date_format TEXT NOT NULL DEFAULT 'YYYY-MM-DD' CHECK (date_format IN ('YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY'));
-- The operator's (and the account's own) free-text note; the account list searches it.
ALTER TABLE accounts ADD COLUMN note TEXT;

-- An SMPP front end binds with system_id and password (SMPP 3.4: at most 15 and 8
-- characters). system_id is unique over every account, whatever the case, revoked ones
-- included, so a bind can never reach a second account. Only the password's argon2id PHC
-- string is kept. allowed_ips: as api_keys.allowed_ips (domain::access::IpAllowlist's
-- stored form: CIDR blocks, space-separated; empty is any address).
CREATE TABLE smpp_credentials (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    system_id     TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(system_id) BETWEEN 1 AND 15),
    password_hash TEXT NOT NULL,
    allowed_ips   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at    TEXT
);
CREATE INDEX smpp_credentials_by_account ON smpp_credentials(account_id, created_at);
