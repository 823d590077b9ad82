-- How, where and by when a plan's fee is paid, as the plan data gives it (all optional: a plan
-- without them says so), and when the school recorded a student's payment (its payments import).
ALTER TABLE exam_plans ADD COLUMN pay_method TEXT
    CHECK (pay_method IS NULL OR pay_method IN ('school_collects', 'online', 'at_site'));
ALTER TABLE exam_plans ADD COLUMN pay_place TEXT;
ALTER TABLE exam_plans ADD COLUMN pay_due_at BIGINT;
ALTER TABLE registrations ADD COLUMN fee_paid_at BIGINT;
