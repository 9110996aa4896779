-- 0026: the operator's staff (issue 18). A staff member is a user (the same sign-in,
-- sessions, throttling and two-factor as the portal's) marked here as staff, with the name
-- the console and the history show. Permission groups say allow or deny per area of the
-- operator API (domain::identity::staff); a staff member is in zero or more groups. Changes
-- to staff and groups are kept in staff_events, as an account's changes are in audit_events.
CREATE TABLE staff (
    user_id     TEXT PRIMARY KEY REFERENCES users(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    disabled_at TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- Who made them: `operator` (the admin token) or `staff:<user id>`.
    created_by  TEXT NOT NULL
);
CREATE TABLE staff_groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 100),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- An area a group says nothing about has no row. Areas are checked in Rust (a name this
-- build does not know is ignored when read, never granted).
CREATE TABLE staff_group_permissions (
    group_id   TEXT NOT NULL REFERENCES staff_groups(id),
    area       TEXT NOT NULL,
    permission TEXT NOT NULL CHECK (permission IN ('allow', 'deny')),
    PRIMARY KEY (group_id, area)
);
CREATE TABLE staff_group_members (
    group_id TEXT NOT NULL REFERENCES staff_groups(id),
    user_id  TEXT NOT NULL REFERENCES staff(user_id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX staff_group_members_by_user ON staff_group_members(user_id, group_id);
CREATE TABLE staff_events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT,
    after  TEXT,
    at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TRIGGER staff_events_are_immutable BEFORE UPDATE ON staff_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;
CREATE TRIGGER staff_events_are_never_deleted BEFORE DELETE ON staff_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;
