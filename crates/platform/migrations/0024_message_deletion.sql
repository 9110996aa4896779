-- A message the customer deleted (Twilio's DELETE Messages/{Sid}): gone from every
-- listing and lookup, its text removed; the row stays, because the ledger, invoices and
-- usage reports name it (what is kept: docs/twilio.md "Deleting and redacting").
ALTER TABLE messages ADD COLUMN deleted_at TEXT;
