-- The audit log (журнал изменений): one line per change set, written in the same transaction as
-- the change itself (db/changes.py, Database.atomic), so a change never goes without its line and
-- a rolled-back change leaves none. Lines are never edited or removed by the program.

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,                -- local time, ISO with seconds: 2024-03-01T14:05:09
    os_user         TEXT NOT NULL DEFAULT '',     -- the operating-system user who made the change
    computer        TEXT NOT NULL DEFAULT '',     -- the computer's network name
    action          TEXT NOT NULL DEFAULT '',     -- «Изменение школы …», «Отмена: …», «Повтор: …»
    tables          TEXT NOT NULL DEFAULT '',     -- what was touched, with counts: «schools +1 ~2 -0; …»
    details         TEXT NOT NULL DEFAULT '{}'    -- compact JSON: rows and fields before → after, or counts
);
CREATE INDEX audit_log_at ON audit_log(at);
