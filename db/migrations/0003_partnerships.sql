-- Network partnerships (сетевое партнёрство): groups of schools for an academic year, each member
-- with its role, the agreement, joint activities as text or as linked plan items; and the
-- positions of schools dragged into place on the schematic map (when coordinates are unknown).

CREATE TABLE partnership_groups (
    id              INTEGER PRIMARY KEY,
    academic_year   INTEGER NOT NULL REFERENCES academic_years(start_year),
    name            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL DEFAULT 'pair'
                         CHECK (kind IN ('pair', 'group', 'base_site', 'mentoring')),
    agreement_number TEXT NOT NULL DEFAULT '',
    agreement_date  TEXT,
    activities      TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'active'
                         CHECK (status IN ('planned', 'active', 'finished', 'cancelled')),
    source          TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
);
CREATE INDEX partnership_groups_year ON partnership_groups(academic_year);

CREATE TABLE partnership_members (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL REFERENCES partnership_groups(id) ON DELETE CASCADE,
    school_id       INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    role            TEXT NOT NULL DEFAULT 'partner'
                         CHECK (role IN ('target', 'partner', 'base_site', 'mentor')),
    position        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, school_id)
);
CREATE INDEX partnership_members_school ON partnership_members(school_id);

CREATE TABLE partnership_plan_items (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL REFERENCES partnership_groups(id) ON DELETE CASCADE,
    item_id         INTEGER NOT NULL REFERENCES plan_items(id) ON DELETE CASCADE,
    UNIQUE (group_id, item_id)
);

CREATE TABLE school_map_positions (
    id              INTEGER PRIMARY KEY,
    school_id       INTEGER NOT NULL UNIQUE REFERENCES schools(id) ON DELETE CASCADE,
    x               REAL NOT NULL,   -- schematic layout, in the map's own units (0..1000)
    y               REAL NOT NULL
);
