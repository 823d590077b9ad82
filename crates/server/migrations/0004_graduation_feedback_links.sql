-- Graduation dates, certificate quality feedback and study-resource links. Portable like 0001–0003:
-- TEXT and BIGINT only, times as BIGINT epoch seconds, dates as YYYY-MM-DD text.
--
-- Certificate check codes (the QR on a result page, GET /api/v1/certificates/verify) need no column:
-- like ticket checks they are computed on read from the certificate number and meta `ticket_secret`.

-- The student's expected graduation day, from the school's roster; NULL when not given.
ALTER TABLE students ADD COLUMN graduation_on TEXT;

-- Links a catalog may carry (https only, checked by core's Catalog::validate); NULL when unknown.
ALTER TABLE orgs ADD COLUMN url TEXT;
ALTER TABLE certificate_levels ADD COLUMN standard_url TEXT;

-- One feedback per student per certificate level (level is the platform code 1–3); a new one
-- replaces it. client_id is the idempotency key of the request that wrote the current row.
CREATE TABLE feedback (
    student_no TEXT NOT NULL REFERENCES students (student_no),
    certificate_id TEXT NOT NULL,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    content_quality BIGINT NOT NULL CHECK (content_quality BETWEEN 1 AND 5),
    job_usefulness BIGINT NOT NULL CHECK (job_usefulness BETWEEN 1 AND 5),
    exam_organisation BIGINT NOT NULL CHECK (exam_organisation BETWEEN 1 AND 5),
    comment TEXT,
    client_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (student_no, certificate_id, level),
    UNIQUE (student_no, client_id)
);

CREATE INDEX feedback_certificate_level ON feedback (certificate_id, level);

-- Every feedback request applied, by its client_id: a request sent again (a lost answer, a second
-- tab) is recognised even after a later edit replaced the row above, so an old request can never
-- overwrite a newer one, and a reused client_id with another body is refused.
CREATE TABLE feedback_requests (
    student_no TEXT NOT NULL REFERENCES students (student_no),
    client_id TEXT NOT NULL,
    certificate_id TEXT NOT NULL,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    content_quality BIGINT NOT NULL,
    job_usefulness BIGINT NOT NULL,
    exam_organisation BIGINT NOT NULL,
    comment TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (student_no, client_id)
);
