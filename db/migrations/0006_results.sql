-- Assessment results (ВПР, ОГЭ, ЕГЭ, РКР, НИКО, ВсОШ) per school, year, procedure, subject and grade,
-- with the same figures for the municipality and the region to compare with; the schools'
-- context indicators; and the identification of target schools: each computed list stored with
-- the thresholds it used, each proposal with its rule, figures and the specialist's decision.

CREATE TABLE assessment_results (
    id              INTEGER PRIMARY KEY,
    level           TEXT NOT NULL DEFAULT 'school' CHECK (level IN ('school', 'municipality', 'region')),
    school_id       INTEGER REFERENCES schools(id) ON DELETE CASCADE,   -- NULL above the school level
    area            TEXT NOT NULL DEFAULT '',     -- the municipality or region as the report names it
    academic_year   INTEGER NOT NULL,             -- 2020 = 2020/2021
    procedure       TEXT NOT NULL CHECK (procedure IN ('vpr', 'oge', 'ege', 'rkr', 'niko', 'vsosh')),
    subject         TEXT NOT NULL,                -- «Русский язык», «Математика»
    grade           INTEGER NOT NULL DEFAULT 0,   -- 4–11; 0 when the procedure has none
    participants    INTEGER CHECK (participants IS NULL OR participants >= 0),
    share_2         REAL,                         -- % of marks 2, 3, 4, 5 (0–100)
    share_3         REAL,
    share_4         REAL,
    share_5         REAL,
    average         REAL,                         -- average score (ЕГЭ) or mark
    below_minimum   REAL,                         -- % below the minimum score (ОГЭ, ЕГЭ)
    lowered         REAL,                         -- ВПР vs journal: % who lowered / confirmed / raised
    confirmed       REAL,
    raised          REAL,
    source          TEXT NOT NULL DEFAULT '',
    CHECK ((level = 'school') = (school_id IS NOT NULL))
);
CREATE UNIQUE INDEX assessment_results_key
    ON assessment_results(level, coalesce(school_id, 0), area, academic_year, procedure, subject, grade);
CREATE INDEX assessment_results_school ON assessment_results(school_id, academic_year);

CREATE TABLE school_context (
    id              INTEGER PRIMARY KEY,
    school_id       INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    academic_year   INTEGER NOT NULL,
    indicator       TEXT NOT NULL CHECK (indicator IN ('social_index', 'single_parent', 'prevention_register',
                                                       'continuing_10', 'olympiad_share')),
    value           REAL NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    UNIQUE (school_id, academic_year, indicator)
);

CREATE TABLE identification_runs (
    id              INTEGER PRIMARY KEY,
    academic_year   INTEGER NOT NULL REFERENCES academic_years(start_year),
    rules           TEXT NOT NULL,                -- JSON: every rule and threshold used, to reproduce the list
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    note            TEXT NOT NULL DEFAULT ''
);

CREATE TABLE identification_proposals (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES identification_runs(id) ON DELETE CASCADE,
    school_id       INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    category        TEXT NOT NULL CHECK (category IN ('low_results', 'unfavourable', 'nonobjective')),
    rule            TEXT NOT NULL,                -- the rule's key
    explanation     TEXT NOT NULL,                -- in Russian, with the figures and the threshold
    figures         TEXT NOT NULL DEFAULT '{}',   -- JSON
    thresholds      TEXT NOT NULL DEFAULT '{}',   -- JSON
    weak_evidence   INTEGER NOT NULL DEFAULT 0,   -- samples under 20 participants: shown, not proof
    decision        TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'accepted', 'rejected')),
    decided_at      TEXT
);
CREATE INDEX identification_proposals_run ON identification_proposals(run_id, school_id);
