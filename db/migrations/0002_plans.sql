-- Plans of measures (планы мероприятий, дорожные карты): sections, items, target schools and
-- responsible people or bodies. Dates are ISO text (YYYY-MM-DD); the deadline is kept exactly as
-- typed in deadline_text and, beside it, as understood by app/deadlines.py.

CREATE TABLE bodies (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE CHECK (trim(name) <> '')   -- «Отдел образования», «МОЦ», «ОО»
);

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL CHECK (trim(title) <> ''),
    kind            TEXT NOT NULL DEFAULT 'plan' CHECK (kind IN ('plan', 'roadmap', 'complex', 'program')),
    academic_year   INTEGER REFERENCES academic_years(start_year),
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
    -- The columns the plan shows, in order, with their titles: JSON [{"role": "...", "title": "..."}].
    columns         TEXT NOT NULL DEFAULT '[]',
    source          TEXT NOT NULL DEFAULT '',     -- the file it was imported from
    source_position INTEGER NOT NULL DEFAULT 0,   -- its place among the plans of that document
    rolled_from_id  INTEGER REFERENCES plans(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    CHECK (period_start <= period_end)
);
CREATE INDEX plans_year ON plans(academic_year);

CREATE TABLE plan_sections (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_sections_plan ON plan_sections(plan_id, position);

CREATE TABLE plan_items (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    section_id      INTEGER REFERENCES plan_sections(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,             -- order inside the plan, across sections
    number          TEXT NOT NULL DEFAULT '',     -- '' = numbered automatically
    measure         TEXT NOT NULL DEFAULT '',     -- paragraphs and «– » list lines kept
    deadline_text   TEXT NOT NULL DEFAULT '',
    deadline_kind   TEXT NOT NULL DEFAULT 'undated'
                         CHECK (deadline_kind IN ('period', 'until', 'from', 'whole', 'recurring', 'undated')),
    deadline_start  TEXT,
    deadline_end    TEXT,
    deadline_understood INTEGER NOT NULL DEFAULT 1,
    responsible     TEXT NOT NULL DEFAULT '',
    result          TEXT NOT NULL DEFAULT '',
    schools_text    TEXT NOT NULL DEFAULT '',     -- the «ОО» column as written, when a plan has one
    extra           TEXT NOT NULL DEFAULT '{}',   -- JSON: other columns of the source, by title
    status          TEXT NOT NULL DEFAULT 'planned'
                         CHECK (status IN ('planned', 'in_progress', 'done', 'not_done', 'cancelled')),
    completed_on    TEXT,
    evidence        TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
);
CREATE INDEX plan_items_plan ON plan_items(plan_id, position);
CREATE INDEX plan_items_section ON plan_items(section_id);
CREATE INDEX plan_items_due ON plan_items(status, deadline_end);

CREATE TABLE plan_item_schools (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES plan_items(id) ON DELETE CASCADE,
    school_id       INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    UNIQUE (item_id, school_id)
);
CREATE INDEX plan_item_schools_school ON plan_item_schools(school_id);

-- Responsible executors linked to a person or a body (the text in plan_items stays as printed).
CREATE TABLE plan_item_responsibles (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES plan_items(id) ON DELETE CASCADE,
    person_id       INTEGER REFERENCES people(id) ON DELETE CASCADE,
    body_id         INTEGER REFERENCES bodies(id) ON DELETE CASCADE,
    CHECK ((person_id IS NULL) <> (body_id IS NULL))
);
CREATE INDEX plan_item_responsibles_item ON plan_item_responsibles(item_id);
