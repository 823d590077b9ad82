-- Courses each student passed, from the school's records (the credit bank's exemptions and its
-- "course already passed" rule): a JSON array of course codes, sorted and without duplicates, so a
-- re-import of the same codes in another order is unchanged. Portable like 0001 and 0002.
--
-- Admission-ticket check codes need no column: they are computed on read from the ticket and the
-- secret in meta `ticket_secret`, which the first server to start creates.
ALTER TABLE students ADD COLUMN passed_courses TEXT NOT NULL DEFAULT '[]';
