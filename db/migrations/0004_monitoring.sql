-- Monitoring: criteria templates (trees, versioned), campaigns over schools and a period, and the
-- values each school's checklist holds, with who entered them and when.

CREATE TABLE monitoring_templates (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL,                 -- «final_monitoring»; one key, several versions
    version         INTEGER NOT NULL DEFAULT 1,
    title           TEXT NOT NULL CHECK (trim(title) <> ''),
    source          TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    builtin         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    UNIQUE (key, version)
);

CREATE TABLE monitoring_criteria (
    id              INTEGER PRIMARY KEY,
    template_id     INTEGER NOT NULL REFERENCES monitoring_templates(id) ON DELETE CASCADE,
    parent_id       INTEGER REFERENCES monitoring_criteria(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    number          TEXT NOT NULL DEFAULT '',      -- «6.1», «14.13»
    title           TEXT NOT NULL,
    value_type      TEXT NOT NULL CHECK (value_type IN
                        ('group', 'text', 'number', 'percent', 'yesno', 'date', 'document', 'choice')),
    required        INTEGER NOT NULL DEFAULT 1,
    points          REAL,
    choices         TEXT NOT NULL DEFAULT '[]',    -- JSON list for 'choice'
    hint            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX monitoring_criteria_template ON monitoring_criteria(template_id, position);

CREATE TABLE monitoring_campaigns (
    id              INTEGER PRIMARY KEY,
    template_id     INTEGER NOT NULL REFERENCES monitoring_templates(id),
    title           TEXT NOT NULL CHECK (trim(title) <> ''),
    academic_year   INTEGER REFERENCES academic_years(start_year),
    period_start    TEXT,
    period_end      TEXT,
    due_date        TEXT,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
);

CREATE TABLE monitoring_campaign_schools (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES monitoring_campaigns(id) ON DELETE CASCADE,
    school_id       INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    UNIQUE (campaign_id, school_id)
);

CREATE TABLE monitoring_values (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES monitoring_campaigns(id) ON DELETE CASCADE,
    school_id       INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    criterion_id    INTEGER NOT NULL REFERENCES monitoring_criteria(id) ON DELETE CASCADE,
    value           TEXT NOT NULL DEFAULT '',      -- normalised by type: «12», «45,5», «да», «2021-03-01»
    comment         TEXT NOT NULL DEFAULT '',
    entered_by      TEXT NOT NULL DEFAULT '',      -- «специалист», or the file a school sent back
    entered_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    UNIQUE (campaign_id, school_id, criterion_id)
);
CREATE INDEX monitoring_values_school ON monitoring_values(campaign_id, school_id);
