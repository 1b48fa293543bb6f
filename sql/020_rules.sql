-- 020_rules.sql - what issue 4's rule language needs in the schema:
-- more period types, reported figures beside computed ones, derived
-- indicators, the check catalog, findings that are current or superseded,
-- and batches that a blocking check stopped.

ALTER TABLE vqr.period DROP CONSTRAINT period_period_type_check;
ALTER TABLE vqr.period ADD CONSTRAINT period_period_type_check
  CHECK (period_type IN ('academic_year', 'semester', 'fiscal_year', 'snapshot'));
COMMENT ON COLUMN vqr.period.period_type IS
  '统计期类型 / academic_year (2022-2023: 1 Sep..31 Aug), semester (2022-2023-1 autumn, 2022-2023-2 spring), fiscal_year (2023: calendar year), snapshot (2023-08-31: one day)';

ALTER TABLE vqr.indicator ADD COLUMN period_type text NOT NULL DEFAULT 'academic_year'
  CHECK (period_type IN ('academic_year', 'semester', 'fiscal_year', 'snapshot'));
ALTER TABLE vqr.indicator ADD COLUMN derived boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN vqr.indicator.period_type IS '统计期类型 / the periods the indicator is counted in';
COMMENT ON COLUMN vqr.indicator.derived IS '派生 / computed from other indicators by a formula (rule), after each load';

-- Derived values are stored under this pseudo-source: their slice is
-- (school, derived, period), recomputed after every load of the period.
INSERT INTO vqr.source (source_code, name_zh, name_en)
VALUES ('derived', '派生指标', 'Derived from other indicators')
ON CONFLICT (source_code) DO NOTHING;

ALTER TABLE vqr.batch DROP CONSTRAINT batch_status_check;
ALTER TABLE vqr.batch ADD CONSTRAINT batch_status_check CHECK (status IN ('loading', 'loaded', 'blocked'));
COMMENT ON COLUMN vqr.batch.status IS
  '状态 / loaded, or blocked: an error-level check with block: true failed, nothing of the file was loaded (see vqr.finding)';

CREATE TABLE vqr.check_rule (
  check_code  text PRIMARY KEY,
  name_zh     text,
  name_en     text,
  left_side   text NOT NULL,
  op          text NOT NULL CHECK (op IN ('=', '!=', '<', '<=', '>', '>=')),
  right_side  text NOT NULL,
  tolerance   numeric NOT NULL DEFAULT 0,
  severity    text NOT NULL CHECK (severity IN ('error', 'warning')),
  block       boolean NOT NULL DEFAULT false,
  by_fields   text[] NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE vqr.check_rule IS
  '校验规则 / the validation checks of the catalog (left op right within tolerance), synced from the YAML at each load; reported_vs_computed is built in';
COMMENT ON COLUMN vqr.check_rule.check_code IS '校验代码 / stable code, as in vqr.finding.check_code';
COMMENT ON COLUMN vqr.check_rule.name_zh IS '名称 / what it checks, in Chinese';
COMMENT ON COLUMN vqr.check_rule.name_en IS '名称 / what it checks, in English';
COMMENT ON COLUMN vqr.check_rule.left_side IS '左式 / formula over indicator codes; reported(code), numerator(code), denominator(code)';
COMMENT ON COLUMN vqr.check_rule.op IS '比较 / how left and right compare';
COMMENT ON COLUMN vqr.check_rule.right_side IS '右式 / formula over indicator codes';
COMMENT ON COLUMN vqr.check_rule.tolerance IS '容差 / |left - right| within this counts as equal';
COMMENT ON COLUMN vqr.check_rule.severity IS '严重程度 / error or warning';
COMMENT ON COLUMN vqr.check_rule.block IS '阻断 / a failure blocks the load that triggers it';
COMMENT ON COLUMN vqr.check_rule.by_fields IS '分组 / also checked per value of these breakdown fields';
COMMENT ON COLUMN vqr.check_rule.updated_at IS '更新时间 / when the definition last changed';

ALTER TABLE vqr.finding ADD COLUMN indicator_code text REFERENCES vqr.indicator;
ALTER TABLE vqr.finding ADD COLUMN superseded_by bigint REFERENCES vqr.batch;
COMMENT ON COLUMN vqr.finding.indicator_code IS '指标 / for reported_vs_computed: the indicator whose reported and computed values differ';
COMMENT ON COLUMN vqr.finding.superseded_by IS '已被取代 / the batch whose re-check of this period replaced the finding; NULL while it is current';
CREATE INDEX finding_open ON vqr.finding (school_code, period) WHERE superseded_by IS NULL;

CREATE VIEW vqr.v_finding WITH (security_invoker = true) AS
SELECT f.school_code, s.name AS school_name, f.period, f.check_code,
       coalesce(c.name_zh, CASE WHEN f.check_code = 'reported_vs_computed' THEN '填报值与计算值一致' END) AS check_name_zh,
       f.severity, f.indicator_code,
       CASE WHEN f.breakdown = '{}' THEN '' ELSE
         (SELECT string_agg(key || '=' || value, ', ' ORDER BY key) FROM jsonb_each_text(f.breakdown))
       END AS breakdown_text,
       f.left_value, f.right_value, f.message, b.status = 'blocked' AS blocked_load,
       f.batch_id, f.created_at
FROM vqr.finding f
JOIN vqr.school s USING (school_code)
JOIN vqr.batch b USING (batch_id)
LEFT JOIN vqr.check_rule c USING (check_code)
WHERE f.superseded_by IS NULL;
COMMENT ON VIEW vqr.v_finding IS
  '当前校验发现 / current findings: the latest check of each school and period (older ones are superseded); blocked_load = the load that found it was stopped';
COMMENT ON COLUMN vqr.v_finding.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_finding.school_name IS '学校名称 / school name';
COMMENT ON COLUMN vqr.v_finding.period IS '统计期 / period';
COMMENT ON COLUMN vqr.v_finding.check_code IS '校验代码 / check';
COMMENT ON COLUMN vqr.v_finding.check_name_zh IS '校验名称 / what it checks';
COMMENT ON COLUMN vqr.v_finding.severity IS '严重程度 / error or warning';
COMMENT ON COLUMN vqr.v_finding.indicator_code IS '指标 / for reported_vs_computed';
COMMENT ON COLUMN vqr.v_finding.breakdown_text IS '分组 / breakdown, empty for the school total';
COMMENT ON COLUMN vqr.v_finding.left_value IS '左值 / left side (reported value for reported_vs_computed)';
COMMENT ON COLUMN vqr.v_finding.right_value IS '右值 / right side (computed value for reported_vs_computed)';
COMMENT ON COLUMN vqr.v_finding.message IS '说明 / what is inconsistent';
COMMENT ON COLUMN vqr.v_finding.blocked_load IS '阻断 / the load that found it was blocked';
COMMENT ON COLUMN vqr.v_finding.batch_id IS '批次号 / batch whose check found it';
COMMENT ON COLUMN vqr.v_finding.created_at IS '发现时间 / when';

SELECT vqr.setup_access();

-- The check catalog is shared like the indicator catalog: a school's
-- loader keeps it in step (setup_access grants only tables it knows).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_school_loader') THEN
    GRANT INSERT, UPDATE ON vqr.check_rule TO vqr_school_loader;
  END IF;
END
$$;
