-- SQLite: the payers and reasons of the cited fee rules (see 0005). A province's ban on charging
-- in-school students says who may not be charged, not who pays (payer not_charged); the exams a
-- school funds are its pilot students' (pilot_exam_covered), not "the first exam".
--
-- SQLite cannot change a CHECK constraint, so the table is rebuilt the documented way (ALTER
-- TABLE, "other kinds of table schema changes"): foreign keys off, one transaction, copy, drop,
-- rename, indexes, foreign keys on. foreign_keys cannot change inside a transaction, and sqlx runs
-- every SQLite migration in one, so this one ends sqlx's transaction, does the rebuild in its own
-- and opens a new one for sqlx to record the migration in. Run again after a crash before that
-- record, it rebuilds the already rebuilt table the same way.
COMMIT;
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE registrations_rebuilt (
    id TEXT NOT NULL PRIMARY KEY,
    student_no TEXT NOT NULL REFERENCES students (student_no),
    client_id TEXT NOT NULL,
    plan_id TEXT NOT NULL REFERENCES exam_plans (id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    ticket_no TEXT NOT NULL UNIQUE,
    fee_fen BIGINT NOT NULL CHECK (fee_fen >= 0),
    student_pays_fen BIGINT NOT NULL CHECK (student_pays_fen >= 0 AND student_pays_fen <= fee_fen),
    payer TEXT NOT NULL CHECK (payer IN ('student', 'school', 'waived', 'not_charged')),
    fee_reason TEXT NOT NULL CHECK (fee_reason IN ('standard', 'hardship_waiver', 'in_school_free',
        'pilot_exam_covered', 'pilot_coverage_used', 'not_pilot_student')),
    created_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    fee_policy TEXT,
    UNIQUE (student_no, client_id)
);
INSERT INTO registrations_rebuilt (id, student_no, client_id, plan_id, status, ticket_no, fee_fen,
    student_pays_fen, payer, fee_reason, created_at, cancelled_at, fee_policy)
SELECT id, student_no, client_id, plan_id, status, ticket_no, fee_fen, student_pays_fen,
    CASE WHEN fee_reason = 'in_school_free' THEN 'not_charged' ELSE payer END,
    CASE WHEN fee_reason = 'school_paid_first_exam' THEN 'pilot_exam_covered' ELSE fee_reason END,
    created_at, cancelled_at, fee_policy
FROM registrations;
DROP TABLE registrations;
ALTER TABLE registrations_rebuilt RENAME TO registrations;
CREATE INDEX registrations_student ON registrations (student_no);
CREATE INDEX registrations_plan ON registrations (plan_id);
COMMIT;
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
