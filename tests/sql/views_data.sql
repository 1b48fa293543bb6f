-- views_data.sql - known data for the analyst views (tests/sql/views.t,
-- tests/sql/roles.t).  Seven schools: A, B and C in region R1, D in R2,
-- E, F and G in R3 (below);
-- three academic years; a rate, a count, a mean and an indicator without
-- a regional rule.  The figures are chosen so that an average of the
-- schools' percentages differs from the ratio of sums:
--
--   t.rate 2022-2023, R1   A 1/2 = 50%   B 99/100 = 99%   C reported 80% only
--                          ratio of sums (computed only) 100/102 = 98.04%,
--                          average of percentages (50 + 99) / 2 = 74.5%
--   t.rate 2021-2022, R1   A 3/10 = 30%  B 45/50 = 90%    -> 48/60 = 80%
--   t.rate 2020-2021, R1   A 2/5 = 40%   C 1/4 = 25%      -> 3/9 = 33.33%
--   t.rate 2021-2022, R2   D 3/4 = 75%
--   t.rate by major 数控    A 1/1 = 100%  B 9/10 = 90%     -> 10/11 = 90.91%
--   A also reported 51% for 2022-2023 beside its computed 50%.
--   t.count 2022-2023      A 10  B 20  C 5                 -> 35
--   t.mean  2022-2023      A 3000/1  B 8000/2              -> 11000/3 = 3666.67 (not 3500)
--   t.none  2022-2023      A 7  B 9                        -> NULL
--
-- Region R3 (schools E, F, G) changes coverage between the years, so its
-- raw regional change is not a change of any school:
--
--   t.count 2021-2022      E 100                           -> 100  (1 school)
--   t.count 2022-2023      E 120  F 2780                   -> 2900 (2 schools)
--                          raw change +2800, like-for-like (E only) +20
--   t.rate  2021-2022      E 1/4 = 25%   F 9/10 = 90%      -> 10/14 = 71.43%
--   t.rate  2022-2023      E 3/4 = 75%   F 2/5 = 40%   G 50/50 = 100%
--                          all three 55/59 = 93.22% (raw change +21.79),
--                          E and F only 5/9 = 55.56% (like-for-like -15.87;
--                          the average of their percentages moves 0)
--   G has a computed t.rate of 2021-2022 without a value (no numerator,
--   denominator or value, as for a school without graduates): it enters
--   neither prev_schools nor the like-for-like set, so 2→3 schools, 2 common.
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO vqr.school (school_code, name, region) VALUES
  ('A', '甲技工学校', 'R1'), ('B', '乙技工学校', 'R1'), ('C', '丙技工学校', 'R1'), ('D', '丁技工学校', 'R2'),
  ('E', '戊技工学校', 'R3'), ('F', '己技工学校', 'R3'), ('G', '庚技工学校', 'R3');
INSERT INTO vqr.period (period, period_type, start_date, end_date) VALUES
  ('2020-2021', 'academic_year', '2020-09-01', '2021-08-31'),
  ('2021-2022', 'academic_year', '2021-09-01', '2022-08-31'),
  ('2022-2023', 'academic_year', '2022-09-01', '2023-08-31');
INSERT INTO vqr.source (source_code, name_zh, name_en) VALUES ('t', '测试', 'test');
INSERT INTO vqr.indicator (indicator_code, name_zh, name_en, unit, kind, aggregate, source_code, scale) VALUES
  ('t.rate', '测试比例', 'Test rate', '%', 'rate', 'ratio_of_sums', 't', 100),
  ('t.count', '测试人数', 'Test count', '人', 'count', 'sum', 't', 1),
  ('t.mean', '测试均值', 'Test mean', '元/月', 'mean', 'weighted_mean', 't', 1),
  ('t.none', '测试无汇总', 'Test without a regional rule', '人', 'count', 'none', 't', 1);
INSERT INTO vqr.batch (school_code, label, status, vqr_version, started_at, finished_at) VALUES
  ('A', 'A1', 'loaded', 'test', '2023-09-01 02:00', '2023-09-01 02:00:05'),
  ('B', 'B1', 'loaded', 'test', '2023-09-02 02:00', '2023-09-02 02:00:03'),
  ('C', 'C1', 'loaded', 'test', '2023-09-03 02:00', '2023-09-03 02:00:01'),
  ('E', 'E1', 'loaded', 'test', '2023-09-03 03:00', '2023-09-03 03:00:01'),
  ('F', 'F1', 'loaded', 'test', '2023-09-03 04:00', '2023-09-03 04:00:01'),
  ('G', 'G1', 'loaded', 'test', '2023-09-03 05:00', '2023-09-03 05:00:01'),
  ('D', 'D1', 'loaded', 'test', '2023-09-04 02:00', '2023-09-04 02:00:02');
INSERT INTO vqr.source_file (batch_id, school_code, source_code, file_name, sha256, size_bytes, encoding,
  header_line, rows_read, rows_loaded, rows_rejected, rows_skipped, periods, extract_ms, transform_ms)
SELECT b.batch_id, b.school_code, 't', b.label || '.csv', encode(sha256(convert_to(b.label, 'UTF8')), 'hex'),
       1000, 'utf-8', 1, x.r, x.l, x.j, x.s, '{2020-2021,2021-2022,2022-2023}', 10, 5
FROM vqr.batch b
JOIN (VALUES ('A1', 100, 96, 4, 0), ('B1', 50, 50, 0, 1), ('C1', 20, 19, 1, 0), ('D1', 10, 10, 0, 0),
             ('E1', 10, 10, 0, 0), ('F1', 10, 10, 0, 0), ('G1', 10, 10, 0, 0))
  AS x(label, r, l, j, s) USING (label);
INSERT INTO vqr.reject (file_id, line, column_no, column_name, field, value, rule, message)
SELECT f.file_id, x.line, x.col, '起薪(元/月)', 'salary', x.value, x.rule, x.message
FROM vqr.source_file f
JOIN (VALUES ('A1.csv', 4, 8, 'abc', 'type', '"abc" is not a number'),
             ('A1.csv', 7, 8, 'x', 'type', '"x" is not a number'),
             ('A1.csv', 9, 8, 'y', 'type', '"y" is not a number'),
             ('A1.csv', 12, 3, '', 'not_null', 'a value is required'),
             ('C1.csv', 5, 8, 'z', 'type', '"z" is not a number'))
  AS x(file_name, line, col, value, rule, message) USING (file_name);
INSERT INTO vqr.finding (batch_id, file_id, school_code, period, source_code, check_code, severity,
  left_value, right_value, message)
SELECT f.batch_id, f.file_id, f.school_code, '2022-2023', 't', x.code, x.sev, x.l, x.r, x.code
FROM vqr.source_file f
JOIN (VALUES ('A1.csv', 'dest_sum', 'error', 10, 11), ('A1.csv', 'rate_check', 'error', 50, 51),
             ('A1.csv', 'reported', 'warning', 50, 51))
  AS x(file_name, code, sev, l, r) USING (file_name);

INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code,
  numerator, denominator, value, batch_id, file_id)
SELECT x.school, x.period, x.code, x.bd::jsonb, x.vt, 't', x.num, x.den, x.val, f.batch_id, f.file_id
FROM (VALUES
  ('A', '2020-2021', 't.rate', '{}', 'computed', 2, 5, 40),
  ('A', '2021-2022', 't.rate', '{}', 'computed', 3, 10, 30),
  ('A', '2022-2023', 't.rate', '{}', 'computed', 1, 2, 50),
  ('A', '2022-2023', 't.rate', '{}', 'reported', NULL, NULL, 51),
  ('A', '2022-2023', 't.rate', '{"major": "数控"}', 'computed', 1, 1, 100),
  ('A', '2022-2023', 't.count', '{}', 'computed', NULL, NULL, 10),
  ('A', '2022-2023', 't.mean', '{}', 'computed', 3000, 1, 3000),
  ('A', '2022-2023', 't.none', '{}', 'computed', NULL, NULL, 7),
  ('B', '2021-2022', 't.rate', '{}', 'computed', 45, 50, 90),
  ('B', '2022-2023', 't.rate', '{}', 'computed', 99, 100, 99),
  ('B', '2022-2023', 't.rate', '{"major": "数控"}', 'computed', 9, 10, 90),
  ('B', '2022-2023', 't.count', '{}', 'computed', NULL, NULL, 20),
  ('B', '2022-2023', 't.mean', '{}', 'computed', 8000, 2, 4000),
  ('B', '2022-2023', 't.none', '{}', 'computed', NULL, NULL, 9),
  ('C', '2020-2021', 't.rate', '{}', 'computed', 1, 4, 25),
  ('C', '2022-2023', 't.rate', '{}', 'reported', NULL, NULL, 80),
  ('C', '2022-2023', 't.count', '{}', 'computed', NULL, NULL, 5),
  ('D', '2021-2022', 't.rate', '{}', 'computed', 3, 4, 75),
  ('E', '2021-2022', 't.count', '{}', 'computed', NULL, NULL, 100),
  ('E', '2022-2023', 't.count', '{}', 'computed', NULL, NULL, 120),
  ('F', '2022-2023', 't.count', '{}', 'computed', NULL, NULL, 2780),
  ('G', '2021-2022', 't.rate', '{}', 'computed', NULL, NULL, NULL),
  ('E', '2021-2022', 't.rate', '{}', 'computed', 1, 4, 25),
  ('E', '2022-2023', 't.rate', '{}', 'computed', 3, 4, 75),
  ('F', '2021-2022', 't.rate', '{}', 'computed', 9, 10, 90),
  ('F', '2022-2023', 't.rate', '{}', 'computed', 2, 5, 40),
  ('G', '2022-2023', 't.rate', '{}', 'computed', 50, 50, 100))
  AS x(school, period, code, bd, vt, num, den, val)
JOIN vqr.source_file f ON f.school_code = x.school;
COMMIT;
