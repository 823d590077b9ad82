-- PostgreSQL: the payers and reasons of the cited fee rules (see 0005). A province's ban on
-- charging in-school students says who may not be charged, not who pays (payer not_charged); the
-- exams a school funds are its pilot students' (pilot_exam_covered), not "the first exam".
ALTER TABLE registrations DROP CONSTRAINT IF EXISTS registrations_payer_check;
ALTER TABLE registrations DROP CONSTRAINT IF EXISTS registrations_fee_reason_check;
UPDATE registrations SET payer = 'not_charged' WHERE fee_reason = 'in_school_free';
UPDATE registrations SET fee_reason = 'pilot_exam_covered' WHERE fee_reason = 'school_paid_first_exam';
ALTER TABLE registrations ADD CONSTRAINT registrations_payer_check
    CHECK (payer IN ('student', 'school', 'waived', 'not_charged'));
ALTER TABLE registrations ADD CONSTRAINT registrations_fee_reason_check
    CHECK (fee_reason IN ('standard', 'hardship_waiver', 'in_school_free', 'pilot_exam_covered',
                          'pilot_coverage_used', 'not_pilot_student'));
