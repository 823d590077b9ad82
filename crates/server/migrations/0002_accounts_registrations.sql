-- Accounts, sessions, registrations, results and versioned rule documents.
--
-- Portable like 0001: TEXT and BIGINT only, times as BIGINT epoch seconds, flags as 0/1, ids chosen
-- by the server or the importer. Runs unchanged on SQLite and PostgreSQL.

-- A plan's number in ticket numbers (准考证号), and how many tickets it has issued: the per-plan
-- sequence that never goes back, so a cancelled registration's ticket number is never reused.
ALTER TABLE exam_plans ADD COLUMN plan_no BIGINT;
ALTER TABLE exam_plans ADD COLUMN tickets_issued BIGINT NOT NULL DEFAULT 0;
UPDATE exam_plans SET plan_no = (SELECT COUNT(*) FROM exam_plans AS p WHERE p.id <= exam_plans.id);
CREATE UNIQUE INDEX exam_plans_plan_no ON exam_plans (plan_no);

-- Students. password_hash is an argon2 PHC string. registration_rev is bumped as the first write of
-- every registration change of the student, which serializes one student's registrations (a row
-- lock on PostgreSQL; SQLite has a single writer anyway).
CREATE TABLE students (
    student_no TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    school TEXT NOT NULL,
    school_level TEXT NOT NULL CHECK (school_level IN ('secondary', 'higher', 'undergraduate', 'social')),
    major TEXT,
    province TEXT NOT NULL,
    hardship BIGINT NOT NULL DEFAULT 0 CHECK (hardship IN (0, 1)),
    password_hash TEXT NOT NULL,
    registration_rev BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Student sessions. Only the SHA-256 (hex) of the bearer token is stored. origin is `password` or
-- `embed:<portal iss>`.
CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    student_no TEXT NOT NULL REFERENCES students (student_no) ON DELETE CASCADE,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX sessions_student ON sessions (student_no);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Administrator tokens, made by `kaozheng-server admin-token create`; hashed like sessions.
CREATE TABLE admin_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX admin_tokens_name ON admin_tokens (name);

-- Fixed-window counters for login rate limits (`account:<student_no>`, `address:<ip>`), shared by
-- every server on the database.
CREATE TABLE rate_limits (
    key TEXT NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);

-- Portal assertion ids already exchanged: each (issuer, jti) is accepted once, on any server.
CREATE TABLE embed_assertions (
    issuer TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, jti)
);

CREATE INDEX embed_assertions_expires_at ON embed_assertions (expires_at);

-- Registrations (报名). Certificate, level and exam times are read from the plan. client_id is the
-- app's idempotency key: unique per student, so a retried request finds the stored registration.
CREATE TABLE registrations (
    id TEXT NOT NULL PRIMARY KEY,
    student_no TEXT NOT NULL REFERENCES students (student_no),
    client_id TEXT NOT NULL,
    plan_id TEXT NOT NULL REFERENCES exam_plans (id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    ticket_no TEXT NOT NULL UNIQUE,
    fee_fen BIGINT NOT NULL CHECK (fee_fen >= 0),
    student_pays_fen BIGINT NOT NULL CHECK (student_pays_fen >= 0 AND student_pays_fen <= fee_fen),
    payer TEXT NOT NULL CHECK (payer IN ('student', 'school', 'waived')),
    fee_reason TEXT NOT NULL CHECK (fee_reason IN ('standard', 'hardship_waiver', 'in_school_free', 'school_paid_first_exam')),
    created_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    UNIQUE (student_no, client_id)
);

CREATE INDEX registrations_student ON registrations (student_no);
CREATE INDEX registrations_plan ON registrations (plan_id);

-- Results (成绩), one per registration. modules is the JSON array of core ModuleResult; passed is
-- derived from it on import and kept for the "already certified" rule.
CREATE TABLE results (
    registration_id TEXT NOT NULL PRIMARY KEY REFERENCES registrations (id),
    modules TEXT NOT NULL,
    passed BIGINT NOT NULL CHECK (passed IN (0, 1)),
    certificate_no TEXT UNIQUE,
    issued_on TEXT,
    imported_at BIGINT NOT NULL
);

-- Versioned rule documents (kind = fees, …): each validated document as JSON text. The version in
-- use per kind is meta `rules.<kind>`; origin `embedded` may be replaced by a newer binary's.
CREATE TABLE rule_sets (
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    origin TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (kind, version)
);
