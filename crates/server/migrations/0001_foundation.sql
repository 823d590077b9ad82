-- Kaozheng foundation schema.
--
-- Portable on purpose: the same file runs on SQLite and PostgreSQL through sqlx's Any driver, so it
-- uses only TEXT and BIGINT columns, times as BIGINT seconds since the Unix epoch, no AUTOINCREMENT or
-- SERIAL (ids are strings chosen by the importer), and no database-specific functions.

-- Small facts about the whole database: catalog_version, catalog_source, seeded_at, ...
CREATE TABLE meta (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- Evaluation organisations (培训评价组织). sort_order keeps the catalog document's order.
CREATE TABLE orgs (
    id TEXT NOT NULL PRIMARY KEY,
    sort_order BIGINT NOT NULL,
    name TEXT NOT NULL,
    pinyin TEXT NOT NULL
);

CREATE TABLE org_aliases (
    org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    sort_order BIGINT NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (org_id, sort_order)
);

-- Certificates (职业技能等级证书). batch is the pilot batch 1–4 where known.
CREATE TABLE certificates (
    id TEXT NOT NULL PRIMARY KEY,
    sort_order BIGINT NOT NULL,
    name TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    batch BIGINT CHECK (batch BETWEEN 1 AND 4),
    field TEXT,
    pinyin TEXT NOT NULL,
    description TEXT
);

CREATE INDEX certificates_org ON certificates (org_id);

-- One row per level a certificate offers. level is the platform code: 1 初级, 2 中级, 3 高级.
-- suitable_for is NULL when unpublished, else a comma-separated list of school levels
-- (secondary, higher, undergraduate, social); the empty string is a published empty list.
-- updated_on is an ISO date (YYYY-MM-DD).
CREATE TABLE certificate_levels (
    certificate_id TEXT NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    platform_id TEXT,
    hours BIGINT CHECK (hours >= 0),
    suitable_for TEXT,
    updated_on TEXT,
    PRIMARY KEY (certificate_id, level)
);

-- Exam sites (考点).
CREATE TABLE sites (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    address TEXT NOT NULL
);

-- Exam plans (考核计划). seats_taken is the server's count of confirmed registrations; taking a seat
-- is one statement that cannot overbook:
--   UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = $1 AND seats_taken < capacity
-- and the CHECK constraints refuse any write that would.
CREATE TABLE exam_plans (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    province TEXT NOT NULL,
    site_id TEXT NOT NULL REFERENCES sites (id),
    phase TEXT NOT NULL CHECK (phase IN ('draft', 'published', 'scoring', 'publicized', 'ended')),
    window_opens_at BIGINT NOT NULL,
    window_closes_at BIGINT NOT NULL,
    exam_starts_at BIGINT NOT NULL,
    exam_ends_at BIGINT NOT NULL,
    capacity BIGINT NOT NULL CHECK (capacity >= 0),
    seats_taken BIGINT NOT NULL DEFAULT 0 CHECK (seats_taken >= 0 AND seats_taken <= capacity),
    fee_fen BIGINT NOT NULL CHECK (fee_fen >= 0),
    CHECK (window_opens_at < window_closes_at),
    CHECK (window_closes_at <= exam_starts_at),
    CHECK (exam_starts_at < exam_ends_at)
);

CREATE INDEX exam_plans_certificate_level ON exam_plans (certificate_id, level);
CREATE INDEX exam_plans_province ON exam_plans (province);
CREATE INDEX exam_plans_exam_starts_at ON exam_plans (exam_starts_at);
