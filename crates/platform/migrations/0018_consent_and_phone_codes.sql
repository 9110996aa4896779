-- 0017: after the security review (F1, F3, F6).
--
-- Access given by an account admin is an invitation until the person accepts it (signed in
-- as themselves, or by choosing their first password): until then the membership is
-- pending, grants nothing and shows no one's name. Every membership made before this was
-- given at once, so it counts as accepted when it was made.
ALTER TABLE memberships ADD COLUMN accepted_at TEXT;
UPDATE memberships SET accepted_at = created_at;

-- The account an invitation token is for: accepting one invitation accepts that account
-- only (NULL for tokens of other purposes, and invitations issued before this).
ALTER TABLE one_time_tokens ADD COLUMN account_id TEXT REFERENCES accounts(id);

-- Every phone confirmation code sent, by the platform for a user: the operator's count
-- (GET /v1/admin/phone-codes). The message itself (recipient, price, status) is the
-- paying account's like any other; this says which of its messages were codes, which a
-- customer's own client_reference cannot fake.
CREATE TABLE phone_code_sends (
    message_id TEXT PRIMARY KEY REFERENCES messages(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX phone_code_sends_by_time ON phone_code_sends(created_at);

-- E-mails handed to the e-mail API kept their whole text, single-use links included;
-- from now on only the development outbox keeps those (platform::email). Links already
-- kept are taken out of e-mails that left.
UPDATE emails SET body = '[single-use link: sent, not kept]' WHERE status <> 'outbox' AND instr(body, 'token=') > 0;
