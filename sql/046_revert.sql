-- 046_revert.sql - undoing a batch.  `vqr revert BATCH` restores the
-- slices (school, source, period) that a batch loaded as they were before
-- it, in one transaction, with a batch of its own: the values the batch
-- replaced come back from vqr.indicator_value_history, the files that made
-- up each slice from vqr.slice_file_history, and the values of the batch
-- move to the history, superseded by the revert.  A batch whose slices a
-- later batch loaded again is reverted after that one.

ALTER TABLE vqr.slice_file ADD COLUMN added_by bigint REFERENCES vqr.batch;
COMMENT ON COLUMN vqr.slice_file.added_by IS
  '加入批次 / batch that made the file part of the slice (NULL: loaded before this was recorded)';

CREATE TABLE vqr.slice_file_history (
  LIKE vqr.slice_file,
  superseded_by bigint NOT NULL REFERENCES vqr.batch,
  superseded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (school_code, source_code, period, file_id, superseded_by)
);
CREATE INDEX slice_file_history_batch ON vqr.slice_file_history (superseded_by);
COMMENT ON TABLE vqr.slice_file_history IS
  '切片文件历史 / the files a slice was made of before a replacing load (or a revert) took them out of it';
COMMENT ON COLUMN vqr.slice_file_history.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.slice_file_history.source_code IS '数据来源 / source';
COMMENT ON COLUMN vqr.slice_file_history.period IS '统计期 / period';
COMMENT ON COLUMN vqr.slice_file_history.file_id IS '文件号 / a file the slice was made of (vqr.source_file)';
COMMENT ON COLUMN vqr.slice_file_history.added_by IS '加入批次 / batch that had made it part of the slice';
COMMENT ON COLUMN vqr.slice_file_history.superseded_by IS '替换批次 / batch that took it out of the slice';
COMMENT ON COLUMN vqr.slice_file_history.superseded_at IS '替换时间 / when';

ALTER TABLE vqr.batch ADD COLUMN reverts bigint REFERENCES vqr.batch;
COMMENT ON COLUMN vqr.batch.reverts IS
  '撤销批次 / for a revert (vqr revert): the batch whose slices it restored to what they were before it';
ALTER TABLE vqr.batch DROP CONSTRAINT IF EXISTS batch_status_check;
ALTER TABLE vqr.batch ADD CONSTRAINT batch_status_check
  CHECK (status IN ('loading', 'loaded', 'blocked', 'reverted'));
COMMENT ON COLUMN vqr.batch.status IS
  '状态 / loaded; blocked: an error-level check with block: true failed, or a replacing file would shrink its slice by more than max_shrink (check_code slice_shrink), nothing of the file was loaded (see vqr.finding); reverted: undone by the batch whose reverts names it';


-- The database half of vqr revert: in the caller's transaction, restore
-- the slices of batch p_batch as they were before it, recorded as a new
-- batch (out_batch, status loading: the caller marks it loaded; p_version
-- and p_host describe it).  Refuses, with the reason, a batch that is not
-- loaded, is a revert itself, loaded no slice, or whose slices a later
-- batch loaded again.  Derived indicators and checks over the periods are
-- the caller's to compute again (out_periods).
CREATE FUNCTION vqr.revert_slices(p_batch bigint, p_version text, p_host text, OUT out_batch bigint,
                                  OUT out_periods text[], OUT out_removed bigint, OUT out_restored bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  p_revert bigint;
  v_school text;
  v_status text;
  v_reverts bigint;
  v_other bigint;
  v_cols text;
BEGIN
  SELECT school_code, status, reverts INTO v_school, v_status, v_reverts
    FROM vqr.batch WHERE batch_id = p_batch;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'batch % does not exist', p_batch;
  ELSIF v_status = 'reverted' THEN
    SELECT batch_id INTO v_other FROM vqr.batch WHERE reverts = p_batch;
    RAISE EXCEPTION 'batch % is reverted already (by batch %)', p_batch, v_other;
  ELSIF v_reverts IS NOT NULL THEN
    RAISE EXCEPTION 'batch % is itself a revert (of batch %)', p_batch, v_reverts
      USING HINT = 'load or reprocess the files of batch ' || v_reverts || ' again';
  ELSIF v_status <> 'loaded' THEN
    RAISE EXCEPTION 'batch % is %: it changed no slice', p_batch, v_status;
  END IF;

  CREATE TEMP TABLE vqr_revert_slice ON COMMIT DROP AS
  SELECT DISTINCT source_code, period FROM (
    SELECT source_code, period FROM vqr.indicator_value
     WHERE school_code = v_school AND batch_id = p_batch AND source_code <> 'derived'
    UNION SELECT source_code, period FROM vqr.indicator_value_history
     WHERE school_code = v_school AND superseded_by = p_batch AND source_code <> 'derived'
    UNION SELECT source_code, period FROM vqr.slice_file WHERE school_code = v_school AND added_by = p_batch
    UNION SELECT source_code, period FROM vqr.slice_file_history
     WHERE school_code = v_school AND superseded_by = p_batch
    UNION SELECT f.source_code, p FROM vqr.source_file f, unnest(f.periods) p WHERE f.batch_id = p_batch) x;
  IF NOT EXISTS (SELECT 1 FROM vqr_revert_slice) THEN
    RAISE EXCEPTION 'batch % loaded no slice', p_batch;
  END IF;

  SELECT min(b) INTO v_other FROM (
    SELECT v.batch_id AS b FROM vqr.indicator_value v JOIN vqr_revert_slice s USING (source_code, period)
     WHERE v.school_code = v_school AND v.batch_id > p_batch
    UNION SELECT h.superseded_by FROM vqr.indicator_value_history h JOIN vqr_revert_slice s USING (source_code, period)
     WHERE h.school_code = v_school AND h.superseded_by > p_batch
    UNION SELECT sf.added_by FROM vqr.slice_file sf JOIN vqr_revert_slice s USING (source_code, period)
     WHERE sf.school_code = v_school AND sf.added_by > p_batch) x;
  IF v_other IS NOT NULL THEN
    RAISE EXCEPTION 'the slices of batch % were loaded again by batch %', p_batch, v_other
      USING HINT = 'revert batch ' || v_other || ' first';
  END IF;

  INSERT INTO vqr.batch (school_code, label, vqr_version, host, reverts)
  VALUES (v_school, 'revert-' || p_batch, p_version, p_host, p_batch)
  RETURNING batch_id INTO p_revert;
  out_batch := p_revert;

  -- The batch's values go to the history; the values it replaced come back.
  WITH gone AS (
    DELETE FROM vqr.indicator_value v USING vqr_revert_slice s
     WHERE v.school_code = v_school AND v.source_code = s.source_code AND v.period = s.period
    RETURNING v.*)
  INSERT INTO vqr.indicator_value_history SELECT gone.*, p_revert FROM gone;
  GET DIAGNOSTICS out_removed = ROW_COUNT;
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO v_cols
    FROM pg_attribute WHERE attrelid = 'vqr.indicator_value'::regclass AND attnum > 0 AND NOT attisdropped;
  EXECUTE format('INSERT INTO vqr.indicator_value (%s) SELECT %s FROM vqr.indicator_value_history h '
                 'WHERE h.superseded_by = $1 AND h.school_code = $2 '
                 'AND (h.source_code, h.period) IN (SELECT source_code, period FROM vqr_revert_slice)',
                 v_cols, v_cols) USING p_batch, v_school;
  GET DIAGNOSTICS out_restored = ROW_COUNT;

  -- The files of each slice as they were.
  WITH gone AS (
    DELETE FROM vqr.slice_file WHERE school_code = v_school AND added_by = p_batch RETURNING *)
  INSERT INTO vqr.slice_file_history (school_code, source_code, period, file_id, added_by, superseded_by)
  SELECT school_code, source_code, period, file_id, added_by, p_revert FROM gone;
  INSERT INTO vqr.slice_file (school_code, source_code, period, file_id, added_by)
  SELECT school_code, source_code, period, file_id, added_by FROM vqr.slice_file_history
   WHERE school_code = v_school AND superseded_by = p_batch
  ON CONFLICT DO NOTHING;

  -- The batch's own findings go; the field_missing findings it superseded
  -- are current again (the checks over the periods are run again).
  UPDATE vqr.finding SET superseded_by = p_revert
   WHERE school_code = v_school AND batch_id = p_batch AND superseded_by IS NULL;
  UPDATE vqr.finding f SET superseded_by = NULL FROM vqr_revert_slice s
   WHERE f.school_code = v_school AND f.superseded_by = p_batch AND f.check_code = 'field_missing'
     AND f.source_code = s.source_code AND f.period = s.period;

  UPDATE vqr.batch SET status = 'reverted' WHERE batch_id = p_batch;
  out_periods := ARRAY(SELECT DISTINCT period FROM vqr_revert_slice ORDER BY 1);
END
$fn$;
COMMENT ON FUNCTION vqr.revert_slices(bigint, text, text) IS
  '撤销批次 / vqr revert: restore the slices of a batch as they were before it, recorded as another batch; refuses when a later batch loaded them again';
REVOKE EXECUTE ON FUNCTION vqr.revert_slices(bigint, text, text) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_loader') THEN
    GRANT EXECUTE ON FUNCTION vqr.revert_slices(bigint, text, text) TO vqr_loader;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_school_loader') THEN
    GRANT EXECUTE ON FUNCTION vqr.revert_slices(bigint, text, text) TO vqr_school_loader;
  END IF;
END
$$;

SELECT vqr.setup_access();
