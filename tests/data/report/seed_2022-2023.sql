-- seed_2022-2023.sql - the figures of the 2023 quality report of
-- 重庆市工业高级技工学校 that `vqr report` prints (表1-1, 表1-2, 1.6,
-- 表2-1, 表2-2, 表2-3, 5.1, 5.5), typed in from the report
-- (../shared/seed/000_2c1990fdb9de3d51.txt) as a load would store them:
-- computed values with the decimals a computation gives, and the
-- reported figures of the school's summary sheet where the report is
-- inconsistent (752 against 737, 71 against 14 + 28 + 30, 26.31% against
-- 1589.19 / 6042.72).  Staff figures are snapshots and funding is a fiscal
-- year, each beside values of other periods that the report must not pick.
-- Used by tests/e2e/report.t on a database made by `vqr init`.
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO vqr.school VALUES ('CQGYGJ', '重庆市工业高级技工学校', '重庆市') ON CONFLICT DO NOTHING;
INSERT INTO vqr.source (source_code, name_zh, name_en) VALUES ('report_test', '测试', 'typed in for report.t')
  ON CONFLICT DO NOTHING;
INSERT INTO vqr.period VALUES
  ('2021-2022', 'academic_year', '2021-09-01', '2022-08-31'),
  ('2022-2023', 'academic_year', '2022-09-01', '2023-08-31'),
  ('2022-2023-1', 'semester', '2022-09-01', '2023-02-28'),
  ('2022-2023-2', 'semester', '2023-03-01', '2023-08-31'),
  ('2022', 'fiscal_year', '2022-01-01', '2022-12-31'),
  ('2023', 'fiscal_year', '2023-01-01', '2023-12-31'),
  ('2022-08-31', 'snapshot', '2022-08-31', '2022-08-31'),
  ('2023-06-30', 'snapshot', '2023-06-30', '2023-06-30'),
  ('2023-08-31', 'snapshot', '2023-08-31', '2023-08-31'),
  ('2023-09-30', 'snapshot', '2023-09-30', '2023-09-30')
ON CONFLICT DO NOTHING;
INSERT INTO vqr.batch (school_code, label, status, vqr_version) VALUES ('CQGYGJ', 'report-test', 'loaded', 'test');

CREATE TEMP TABLE seed (code text, period text, breakdown jsonb, value_type text, value numeric);
INSERT INTO seed VALUES
  -- 表1-1 (rates as a computation leaves them; 91.195 rounds half up to 91.20)
  ('satisfaction.current_students', '2022-2023', '{}', 'computed', 94.8231),
  ('satisfaction.current_students.classroom', '2022-2023', '{}', 'computed', 93.8071),
  ('satisfaction.current_students.extracurricular', '2022-2023', '{}', 'computed', 96.4188),
  ('satisfaction.current_students.classroom.ideology', '2022-2023', '{}', 'computed', 92.48),
  ('satisfaction.current_students.classroom.general', '2022-2023', '{}', 'computed', 92.1249),
  ('satisfaction.current_students.classroom.vocational', '2022-2023', '{}', 'computed', 96.8150),
  ('satisfaction.graduates', '2022-2023', '{}', 'computed', 90.5050),
  ('satisfaction.graduates.current_cohort', '2022-2023', '{}', 'computed', 91.52),
  ('satisfaction.graduates.within_3y', '2022-2023', '{}', 'computed', 89.4900),
  ('satisfaction.staff', '2022-2023', '{}', 'computed', 91.5789),
  ('satisfaction.employers', '2022-2023', '{}', 'computed', 90.2500),
  ('satisfaction.parents', '2022-2023', '{}', 'computed', 91.195),
  -- 表1-2: the register counts 737 (1.4); the table prints 752
  ('employment.dest.enterprise', '2022-2023', '{}', 'computed', 737),
  ('employment.dest.enterprise', '2022-2023', '{}', 'reported', 752),
  ('employment.dest.enterprise.rate', '2022-2023', '{}', 'computed', 50.2728512960437),
  ('employment.dest.enterprise.rate', '2022-2023', '{}', 'reported', 50.27),
  ('employment.dest.further_study', '2022-2023', '{}', 'computed', 709),
  ('employment.dest.further_study.rate', '2022-2023', '{}', 'computed', 48.3628922237381),
  ('employment.dest.self_directed', '2022-2023', '{}', 'computed', 15),
  ('employment.dest.self_directed.rate', '2022-2023', '{}', 'computed', 1.0231923601637),
  ('employment.dest.enterprise', '2021-2022', '{}', 'computed', 690),
  -- 1.6: 71 teaching achievements printed, 14 + 28 + 30 = 72 in the register
  ('awards.teacher.skills.total', '2022-2023', '{}', 'computed', 13),
  ('awards.teacher.skills.national.second', '2022-2023', '{}', 'computed', 2),
  ('awards.teacher.skills.national.third', '2022-2023', '{}', 'computed', 1),
  ('awards.teacher.skills.municipal.first', '2022-2023', '{}', 'computed', 4),
  ('awards.teacher.skills.municipal.second', '2022-2023', '{}', 'computed', 4),
  ('awards.teacher.skills.municipal.third', '2022-2023', '{}', 'computed', 2),
  ('awards.teacher.teaching_achievement.total', '2022-2023', '{}', 'computed', 72),
  ('awards.teacher.teaching_achievement.total', '2022-2023', '{}', 'reported', 71),
  ('awards.teacher.teaching_achievement.first', '2022-2023', '{}', 'computed', 14),
  ('awards.teacher.teaching_achievement.second', '2022-2023', '{}', 'computed', 28),
  ('awards.teacher.teaching_achievement.third', '2022-2023', '{}', 'computed', 30),
  ('awards.student.skills.total', '2022-2023', '{}', 'computed', 70),
  ('awards.student.skills.national.second', '2022-2023', '{}', 'computed', 2),
  ('awards.student.skills.national.third', '2022-2023', '{}', 'computed', 3),
  ('awards.student.skills.national.merit', '2022-2023', '{}', 'computed', 7),
  ('awards.student.skills.municipal.first', '2022-2023', '{}', 'computed', 8),
  ('awards.student.skills.municipal.second', '2022-2023', '{}', 'computed', 20),
  ('awards.student.skills.municipal.third', '2022-2023', '{}', 'computed', 16),
  ('awards.student.skills.municipal.merit', '2022-2023', '{}', 'computed', 10),
  ('awards.student.skills.district.first', '2022-2023', '{}', 'computed', 1),
  ('awards.student.skills.district.second', '2022-2023', '{}', 'computed', 2),
  ('awards.student.skills.district.merit', '2022-2023', '{}', 'computed', 1),
  -- 表2-2 and 表2-3: the roster as of 2023-08-31; 19 专业带头人 only on the summary sheet
  ('staff.total', '2023-08-31', '{}', 'computed', 440),
  ('staff.total', '2023-06-30', '{}', 'computed', 438),
  ('staff.total', '2022-08-31', '{}', 'computed', 431),
  ('staff.total', '2023-09-30', '{}', 'computed', 450),
  ('teachers.total', '2023-08-31', '{}', 'computed', 395),
  ('teachers.full_time', '2023-08-31', '{}', 'computed', 265),
  ('teachers.part_time', '2023-08-31', '{}', 'computed', 130),
  ('teachers.dual_qualified', '2023-08-31', '{}', 'computed', 181),
  ('teachers.program_leaders.municipal_plus', '2023-08-31', '{}', 'reported', 19),
  ('teachers.by_subject.general', '2023-08-31', '{}', 'computed', 74),
  ('teachers.by_subject.vocational', '2023-08-31', '{}', 'computed', 321),
  ('teachers.by_subject.ideology', '2023-08-31', '{}', 'computed', 10),
  ('teachers.by_voc_qual.senior_technician', '2023-08-31', '{}', 'computed', 43),
  ('teachers.by_voc_qual.technician', '2023-08-31', '{}', 'computed', 86),
  ('teachers.by_voc_qual.senior_worker', '2023-08-31', '{}', 'computed', 168),
  ('teachers.by_title.junior', '2023-08-31', '{}', 'computed', 181),
  ('teachers.by_title.intermediate', '2023-08-31', '{}', 'computed', 103),
  ('teachers.by_title.senior', '2023-08-31', '{}', 'computed', 53),
  -- 5.1
  ('students.enrolled', '2022-2023', '{}', 'computed', 5337),
  ('aid.national_scholarship.recipients', '2022-2023', '{}', 'computed', 7),
  ('aid.tuition_waiver.students', '2022-2023', '{"term": "秋季学期"}', 'computed', 3685),
  ('aid.tuition_waiver.students', '2022-2023', '{"term": "春季学期"}', 'computed', 3394),
  ('aid.tuition_waiver.students', '2022-2023', '{}', 'computed', 7079),
  ('aid.accommodation_waiver.students', '2022-2023', '{"term": "秋季学期"}', 'computed', 1448),
  ('aid.accommodation_waiver.students', '2022-2023', '{"term": "春季学期"}', 'computed', 909),
  ('aid.textbook_waiver.students', '2022-2023', '{"term": "秋季学期"}', 'computed', 691),
  ('aid.textbook_waiver.students', '2022-2023', '{"term": "春季学期"}', 'computed', 423),
  ('aid.grant_tier2.person_months', '2022-2023', '{"term": "秋季学期"}', 'computed', 7933),
  ('aid.grant_tier2.person_months', '2022-2023', '{"term": "春季学期"}', 'computed', 7233),
  ('aid.grant_tier1.person_months', '2022-2023', '{"term": "秋季学期"}', 'computed', 1903),
  ('aid.grant_tier1.person_months', '2022-2023', '{"term": "春季学期"}', 'computed', 1714),
  -- 5.5: fiscal 2022; 26.31% printed, 1589.19 / 6042.72 = 26.30%
  ('finance.revenue.total', '2022', '{}', 'computed', 6042.72),
  ('finance.revenue.total', '2022', '{}', 'reported', 6042.72),
  ('finance.revenue.total', '2023', '{}', 'computed', 6500.00),
  ('finance.revenue.fiscal_appropriation', '2022', '{}', 'computed', 3176.33),
  ('finance.revenue.fiscal_appropriation.share', '2022', '{}', 'computed', 52.5645735695184),
  ('finance.revenue.fiscal_appropriation.share', '2022', '{}', 'reported', 52.56),
  ('finance.revenue.operating', '2022', '{}', 'computed', 1589.19),
  ('finance.revenue.operating.share', '2022', '{}', 'computed', 26.2992493446660),
  ('finance.revenue.operating.share', '2022', '{}', 'reported', 26.31),
  ('finance.revenue.non_peer_fiscal', '2022', '{}', 'computed', 100),
  ('finance.revenue.non_peer_fiscal.share', '2022', '{}', 'computed', 1.65488389334604),
  ('finance.revenue.other', '2022', '{}', 'computed', 1177.2),
  ('finance.revenue.other.share', '2022', '{}', 'computed', 19.4812931924696),
  ('finance.revenue.other.share', '2022', '{}', 'reported', 19.48);

-- 表2-1: one programme (major x level) per row, as the report lists them
INSERT INTO seed
SELECT 'majors.programme_levels', '2022-2023',
       jsonb_build_object('seq', m.seq::text, 'major_code', m.code, 'major', m.major, 'direction', m.direction, 'level', m.level),
       'computed', 1
FROM (SELECT v.*, row_number() OVER () AS seq FROM (VALUES
  ('0106-2', '数控加工', '数控车工', '预备技师'), ('0106-3', '数控加工', '数控车工', '高级工'),
  ('0106-4', '数控加工', '数控车工', '中级工'), ('0209-3', '电子技术应用', NULL, '高级工'),
  ('0209-4', '电子技术应用', NULL, '中级工'), ('0127-2', '机电一体化技术', NULL, '预备技师'),
  ('0127-3', '机电一体化技术', NULL, '高级工'), ('0127-4', '机电一体化技术', NULL, '中级工'),
  ('0208-2', '工业机器人应用与维护', NULL, '预备技师'), ('0208-3', '工业机器人应用与维护', NULL, '高级工'),
  ('0313-3', '物联网应用技术', NULL, '高级工'), ('0603-3', '电子商务', NULL, '高级工'),
  ('0603-4', '电子商务', NULL, '中级工'), ('0303-4', '计算机应用与维修', NULL, '中级工'),
  ('0301-2', '计算机网络应用', NULL, '预备技师'), ('0301-4', '计算机网络应用', NULL, '中级工'),
  ('0136-3', '数字化设计与制造', NULL, '高级工'), ('0307-3', '计算机广告制作', NULL, '高级工'),
  ('0306-3', '计算机动画制作', NULL, '高级工'), ('0314-3', '网络与信息安全', NULL, '高级工'),
  ('0218-3', '工业互联网与大数据应用', NULL, '高级工'), ('0403-3', '汽车维修', NULL, '高级工'),
  ('0403-4', '汽车维修', NULL, '中级工'), ('0435-3', '新能源汽车检测与维修', NULL, '高级工'),
  ('0435-4', '新能源汽车检测与维修', NULL, '中级工'), ('0444-3', '智能网联汽车技术应用', NULL, '高级工'),
  ('0504-4', '饭店（酒店）服务', NULL, '中级工'), ('1501-3', '幼儿教育', NULL, '高级工'),
  ('0431-3', '城市轨道交通运输与管理', NULL, '高级工'), ('0319-3', '数字媒体技术应用', NULL, '高级工'),
  ('0522-3', '健康服务与管理', NULL, '高级工'), ('0430-4', '铁路客运服务', '高铁乘务方向', '中级工'),
  ('0508-3', '美容美发与造型', '美容', '高级工')
) AS v(code, major, direction, level)) AS m
UNION ALL VALUES
  ('majors.programme_levels', '2022-2023', '{}'::jsonb, 'computed', 33),
  ('majors.programme_levels', '2022-2023', '{"level": "高级工"}', 'computed', 19),
  ('majors.programme_levels', '2022-2023', '{"major_code": "0106-2"}', 'computed', 1);

-- The catalog of these indicators, with the period type of each.
INSERT INTO vqr.indicator (indicator_code, name_zh, name_en, unit, kind, aggregate, period_type)
SELECT DISTINCT code, code, code,
       CASE WHEN code ~ '(rate|share)$' OR code LIKE 'satisfaction.%' THEN '%' ELSE '人' END,
       CASE WHEN code ~ '(rate|share)$' OR code LIKE 'satisfaction.%' THEN 'rate' ELSE 'count' END,
       CASE WHEN code ~ '(rate|share)$' OR code LIKE 'satisfaction.%' THEN 'ratio_of_sums' ELSE 'sum' END,
       CASE WHEN code LIKE 'finance.%' THEN 'fiscal_year'
            WHEN code LIKE 'staff.%' OR code LIKE 'teachers.%' THEN 'snapshot'
            ELSE 'academic_year' END
FROM seed
ON CONFLICT (indicator_code) DO UPDATE SET period_type = excluded.period_type;

INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code, value, batch_id)
SELECT 'CQGYGJ', period, code, breakdown, value_type, 'report_test', value,
       (SELECT batch_id FROM vqr.batch WHERE label = 'report-test')
FROM seed;
COMMIT;
