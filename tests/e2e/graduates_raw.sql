-- graduates_raw.sql - the graduate destination register's data rows, read
-- raw from psql's standard input into the temporary table raw (every
-- column as text), for the tests that compute vqr's figures a second way
-- (graduates_expected.sql, median.t):  \i graduates_raw.sql
CREATE TEMP TABLE raw (
  sid text, name text, gender text, idn text, dept text, major_code text, major text,
  level text, class text, entry_year text, cohort text, grad_date text, dest text,
  referred text, employer text, credit text, unit_type text, industry text, region text,
  job text, in_field text, salary text, contract_start text, followup text, retained text,
  fschool text, flevel text, froute text, cutoff text);
\copy raw FROM pstdin WITH (FORMAT csv)
