-- The foundation: the office, academic years, the school registry, categories per year, people.
-- Enumerations are stored as short English codes; app/domain.py holds their Russian labels.

CREATE TABLE office (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    name            TEXT NOT NULL DEFAULT '',      -- letterhead, several lines
    short_name      TEXT NOT NULL DEFAULT '',      -- «Комитет образования»
    district        TEXT NOT NULL DEFAULT '',      -- «Кировский муниципальный район»
    head_position   TEXT NOT NULL DEFAULT '',
    head_name       TEXT NOT NULL DEFAULT '',      -- «Е.А. Краснова»
    address         TEXT NOT NULL DEFAULT '',
    place           TEXT NOT NULL DEFAULT '',      -- «г. Кировск», printed under the date
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    website         TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
);

CREATE TABLE academic_years (
    start_year      INTEGER PRIMARY KEY CHECK (start_year BETWEEN 1990 AND 2200)  -- 2020 = 2020/2021
);

CREATE TABLE settings (
    key             TEXT PRIMARY KEY,
    value           TEXT NOT NULL
);

CREATE TABLE schools (
    id              INTEGER PRIMARY KEY,
    full_name       TEXT NOT NULL CHECK (trim(full_name) <> ''),
    short_name      TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'sosh', 'oosh', 'nosh', 'gymnasium',
                                                          'lyceum', 'boarding', 'other')),
    parent_id       INTEGER REFERENCES schools(id) ON DELETE RESTRICT,
    locality        TEXT NOT NULL DEFAULT '' CHECK (locality IN ('', 'urban', 'rural')),
    settlement      TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    latitude        REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
    longitude       REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
    director        TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    students        INTEGER CHECK (students IS NULL OR students >= 0),
    inn             TEXT NOT NULL DEFAULT '',
    fis_login       TEXT NOT NULL DEFAULT '',
    archived_at     TEXT,
    archive_reason  TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX schools_parent ON schools(parent_id);
CREATE INDEX schools_inn ON schools(inn) WHERE inn <> '';
CREATE INDEX schools_fis_login ON schools(fis_login) WHERE fis_login <> '';

CREATE TABLE school_categories (
    id              INTEGER PRIMARY KEY,
    school_id       INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    academic_year   INTEGER NOT NULL REFERENCES academic_years(start_year),
    category        TEXT NOT NULL CHECK (category IN ('low_results', 'unfavourable', 'nonobjective')),
    reason          TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT 'manual'
                         CHECK (source IN ('regional', 'order', 'computed', 'manual')),
    document_ref    TEXT NOT NULL DEFAULT '',     -- «приказ № 338-ОД от 08.05.2020»
    UNIQUE (school_id, academic_year, category)
);
CREATE INDEX school_categories_year ON school_categories(academic_year, category);

CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    full_name       TEXT NOT NULL CHECK (trim(full_name) <> ''),
    position        TEXT NOT NULL DEFAULT '',
    organisation    TEXT NOT NULL DEFAULT '',
    school_id       INTEGER REFERENCES schools(id) ON DELETE SET NULL,
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT ''
);
