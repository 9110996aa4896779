-- 0004: the contact book: contacts, groups, membership, and the account's blocklist.

-- One row per number per account (E.164, as domain::recipient::Recipient writes it).
CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    number      TEXT NOT NULL CHECK (number GLOB '+[1-9]*'),
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    -- Lower-cased "first last", written by the application (Unicode case folding, which
    -- SQLite's lower() does not do), so searches by name match whatever the case.
    search_name TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, number)
);
-- Ids are time-ordered, so (account_id, id) is both the listing order and the cursor.
CREATE INDEX contacts_by_account ON contacts(account_id, id);

-- "groups" is an SQL keyword (window frames), hence contact_groups. name_key is the
-- name case-folded by the application: one group per name per account, whatever the case.
CREATE TABLE contact_groups (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL CHECK (name <> ''),
    name_key   TEXT NOT NULL CHECK (name_key <> ''),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, name_key)
);
CREATE INDEX contact_groups_by_account ON contact_groups(account_id, id);

-- Membership; a contact is in a group at most once. Rows go with their contact or group
-- (triggers below), so no membership outlives either.
CREATE TABLE group_members (
    group_id   TEXT NOT NULL REFERENCES contact_groups(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    added_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (group_id, contact_id)
);
CREATE INDEX group_members_by_contact ON group_members(contact_id);

CREATE TRIGGER contact_deleted_leaves_groups AFTER DELETE ON contacts
BEGIN
    DELETE FROM group_members WHERE contact_id = OLD.id;
END;
CREATE TRIGGER group_deleted_drops_members AFTER DELETE ON contact_groups
BEGIN
    DELETE FROM group_members WHERE group_id = OLD.id;
END;
-- A membership joins a contact and a group of the same account, whoever inserts it.
CREATE TRIGGER group_member_same_account BEFORE INSERT ON group_members
BEGIN
    SELECT RAISE(ABORT, 'a group member must be a contact of the same account')
    WHERE (SELECT account_id FROM contacts WHERE id = NEW.contact_id)
          IS NOT (SELECT account_id FROM contact_groups WHERE id = NEW.group_id)
       OR NOT EXISTS (SELECT 1 FROM contacts WHERE id = NEW.contact_id);
END;

-- The account's blocklist, with its history: a number is blocked while it has an entry
-- with removed_at NULL (at most one: the partial unique index). Unblocking stamps
-- removed_at/removed_by instead of deleting, so who blocked and unblocked a number, why
-- and when, stays readable. source/removed_by say who: 'api' (the account, by API key),
-- or what the inbound side wrote (a keyword, an unsubscribe link, …).
CREATE TABLE blocklist (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    number     TEXT NOT NULL CHECK (number GLOB '+[1-9]*'),
    reason     TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    removed_at TEXT,
    removed_by TEXT,
    CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
CREATE UNIQUE INDEX blocklist_active ON blocklist(account_id, number) WHERE removed_at IS NULL;
CREATE INDEX blocklist_by_account ON blocklist(account_id, id);
CREATE INDEX blocklist_by_number ON blocklist(account_id, number, id);
-- History is kept: entries are never deleted, and only their removal may be written, once.
CREATE TRIGGER blocklist_entries_are_never_deleted BEFORE DELETE ON blocklist
BEGIN
    SELECT RAISE(ABORT, 'blocklist entries are kept; unblock by setting removed_at');
END;
CREATE TRIGGER blocklist_entries_change_only_by_removal BEFORE UPDATE ON blocklist
BEGIN
    SELECT RAISE(ABORT, 'a blocklist entry changes only by its removal, once')
    WHERE OLD.removed_at IS NOT NULL
       OR NEW.id IS NOT OLD.id OR NEW.account_id IS NOT OLD.account_id OR NEW.number IS NOT OLD.number
       OR NEW.reason IS NOT OLD.reason OR NEW.source IS NOT OLD.source OR NEW.created_at IS NOT OLD.created_at;
END;
