-- Orders (приказы), directives (распоряжения) and outgoing letters with their points and appendices;
-- working groups; office-edited order templates. A signed order keeps its final PDF, the PDF's
-- SHA-256 and a JSON snapshot of everything it printed, so later edits of plans or lists never
-- change what the head signed.

CREATE TABLE working_groups (
    id              INTEGER PRIMARY KEY,
    academic_year   INTEGER REFERENCES academic_years(start_year),
    title           TEXT NOT NULL CHECK (trim(title) <> ''),   -- «Рабочая группа по оказанию методической помощи …»
    source          TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
);

CREATE TABLE working_group_members (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL REFERENCES working_groups(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL DEFAULT 0,
    role            TEXT NOT NULL DEFAULT 'member'
                         CHECK (role IN ('chair', 'deputy', 'secretary', 'member')),
    full_name       TEXT NOT NULL CHECK (trim(full_name) <> ''),
    job_title       TEXT NOT NULL DEFAULT '',
    person_id       INTEGER REFERENCES people(id) ON DELETE SET NULL
);
CREATE INDEX working_group_members_group ON working_group_members(group_id, position);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'order' CHECK (kind IN ('order', 'directive', 'letter')),
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
    number          TEXT NOT NULL DEFAULT '',
    order_date      TEXT,                                 -- ISO date; NULL while a draft has none
    date_style      TEXT NOT NULL DEFAULT 'numeric' CHECK (date_style IN ('numeric', 'words')),
    place           TEXT NOT NULL DEFAULT '',
    letterhead      TEXT NOT NULL DEFAULT '',             -- lines; '' = the office's name at print time
    kind_title      TEXT NOT NULL DEFAULT '',             -- «П Р И К А З»; '' = the kind's usual word
    issuer          TEXT NOT NULL DEFAULT '',             -- genitive for stamps: «комитета образования администрации …»
    addressee       TEXT NOT NULL DEFAULT '',             -- letters: lines
    reply_number    TEXT NOT NULL DEFAULT '',             -- letters: «на № … от …»
    reply_date      TEXT NOT NULL DEFAULT '',             -- as written («23.11.2020 г.»)
    title           TEXT NOT NULL DEFAULT '',
    preamble        TEXT NOT NULL DEFAULT '',             -- paragraphs separated by line breaks
    directive       TEXT NOT NULL DEFAULT '',             -- «ПРИКАЗЫВАЮ:»; '' = none
    control_text    TEXT NOT NULL DEFAULT '',
    signer_position TEXT NOT NULL DEFAULT '',
    signer_name     TEXT NOT NULL DEFAULT '',
    executor        TEXT NOT NULL DEFAULT '',
    distribution    TEXT NOT NULL DEFAULT '',
    attachments_note TEXT NOT NULL DEFAULT '',
    academic_year   INTEGER REFERENCES academic_years(start_year),
    template_key    TEXT NOT NULL DEFAULT '',
    amends_order_id INTEGER REFERENCES orders(id) ON DELETE SET NULL,
    options         TEXT NOT NULL DEFAULT '{}',           -- JSON: font_size, left_margin_mm, qr
    source          TEXT NOT NULL DEFAULT '',             -- the file it was imported from
    signed_at       TEXT,
    pdf             BLOB,                                 -- the signed copy
    pdf_sha256      TEXT NOT NULL DEFAULT '',
    snapshot        TEXT NOT NULL DEFAULT '',             -- JSON of the printed document when signed
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')),
    CHECK (status = 'draft' OR (number <> '' AND order_date IS NOT NULL AND pdf_sha256 <> ''))
);
CREATE INDEX orders_date ON orders(order_date);
CREATE INDEX orders_year ON orders(academic_year);

CREATE TABLE order_points (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    parent_id       INTEGER REFERENCES order_points(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,                     -- reading order across the whole order
    number          TEXT NOT NULL DEFAULT '',             -- as printed; '' = numbered automatically
    addressee       TEXT NOT NULL DEFAULT '',
    text            TEXT NOT NULL DEFAULT '',
    responsible     TEXT NOT NULL DEFAULT '',
    deadline        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_points_order ON order_points(order_id, position);

CREATE TABLE order_appendices (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('plan', 'school_list', 'working_group', 'partnerships',
                                                 'partnership_map', 'monitoring_criteria', 'text')),
    title           TEXT NOT NULL DEFAULT '',             -- '' = the title the data gives
    plan_ids        TEXT NOT NULL DEFAULT '[]',           -- JSON list: one appendix may hold several plans
    academic_year   INTEGER,
    category        TEXT NOT NULL DEFAULT '',             -- school_list: low_results / unfavourable / nonobjective
    working_group_id INTEGER REFERENCES working_groups(id) ON DELETE SET NULL,
    template_id     INTEGER REFERENCES monitoring_templates(id) ON DELETE SET NULL,
    body            TEXT NOT NULL DEFAULT '',             -- text appendices: paragraphs
    landscape       INTEGER,                              -- NULL = decided by the content
    stamp           TEXT NOT NULL DEFAULT ''              -- '' = composed from the order's requisites
);
CREATE INDEX order_appendices_order ON order_appendices(order_id, position);

CREATE TABLE order_templates (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,                 -- bundled key, or 'office-N' for the office's own
    data            TEXT NOT NULL,                        -- JSON, the same shape as resources/orders/*.json
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))
);
