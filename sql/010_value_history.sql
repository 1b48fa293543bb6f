-- 010_value_history.sql - what a replaced slice contained.  When a corrected
-- re-export replaces a slice (school, source, period), the values it
-- replaces move here in the same transaction, so every batch stays in the
-- history with what it loaded.
CREATE TABLE vqr.indicator_value_history (
  LIKE vqr.indicator_value,
  superseded_by bigint NOT NULL REFERENCES vqr.batch,
  superseded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX indicator_value_history_batch ON vqr.indicator_value_history (batch_id);
CREATE INDEX indicator_value_history_slice ON vqr.indicator_value_history (school_code, source_code, period);
COMMENT ON TABLE vqr.indicator_value_history IS '指标值历史 / values replaced by a later load of the same slice, with the batch that replaced them';
COMMENT ON COLUMN vqr.indicator_value_history.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.indicator_value_history.period IS '统计期 / period';
COMMENT ON COLUMN vqr.indicator_value_history.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.indicator_value_history.breakdown IS '分组 / breakdown, {} for the school total';
COMMENT ON COLUMN vqr.indicator_value_history.value_type IS '取值类型 / computed or reported';
COMMENT ON COLUMN vqr.indicator_value_history.source_code IS '数据来源 / source (the slice key)';
COMMENT ON COLUMN vqr.indicator_value_history.numerator IS '分子 / numerator';
COMMENT ON COLUMN vqr.indicator_value_history.denominator IS '分母 / denominator';
COMMENT ON COLUMN vqr.indicator_value_history.value IS '值 / value';
COMMENT ON COLUMN vqr.indicator_value_history.batch_id IS '批次号 / batch that loaded the value';
COMMENT ON COLUMN vqr.indicator_value_history.file_id IS '文件号 / file it was computed from';
COMMENT ON COLUMN vqr.indicator_value_history.superseded_by IS '替换批次 / batch that replaced it';
COMMENT ON COLUMN vqr.indicator_value_history.superseded_at IS '替换时间 / when it was replaced';
