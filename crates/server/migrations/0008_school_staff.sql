-- The school's side: staff accounts and sessions, roles on admin tokens, and which school an exam
-- site belongs to. Portable like 0001: TEXT and BIGINT only, times as epoch seconds.
--
-- A role is `province` (every school's data, the catalog and the rules, as admin tokens always
-- had) or `school` (one school's students, plans at its sites and their results). `school` is the
-- school's name exactly as its students' `school` column has it; NULL for the province.

-- The school whose exam site this is (考点所属学校): its staff manage the plans held there. NULL for
-- a site no school runs (an evaluation organisation's own), which the province manages. Set by
-- the sites import's optional `school` column; a file without the column keeps what is stored.
ALTER TABLE sites ADD COLUMN school TEXT;
CREATE INDEX sites_school ON sites (school);

-- Every token made before roles existed keeps its global rights.
ALTER TABLE admin_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'province'
    CHECK (role IN ('province', 'school'));
ALTER TABLE admin_tokens ADD COLUMN school TEXT;

-- Staff accounts (教务人员), made by `kaozheng-server staff add`. password_hash is an argon2 PHC
-- string, as for students. A disabled account cannot sign in and its sessions end.
CREATE TABLE staff (
    username TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('province', 'school')),
    school TEXT,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT,
    CHECK ((role = 'province' AND school IS NULL) OR (role = 'school' AND school IS NOT NULL))
);

-- Staff sessions, keyed by the SHA-256 (hex) of the token like student sessions. origin is `form`
-- (the staff page's cookie) or `api` (a bearer token from POST /api/v1/auth/staff/login).
CREATE TABLE staff_sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff (username) ON DELETE CASCADE,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX staff_sessions_username ON staff_sessions (username);
CREATE INDEX staff_sessions_expires_at ON staff_sessions (expires_at);

-- Import files a staff member checked on the staff page (a dry run that rejected nothing), kept
-- for an hour so "apply" needs no second upload. body is the file as text (a spreadsheet already
-- read into CSV); digest is its SHA-256, shown with the report.
CREATE TABLE staff_uploads (
    id TEXT NOT NULL PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff (username) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    rules_kind TEXT,
    format TEXT NOT NULL CHECK (format IN ('csv', 'json')),
    file_name TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX staff_uploads_created_at ON staff_uploads (created_at);
