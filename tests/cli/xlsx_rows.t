#!/bin/sh
# A sheet row ends at its last non-empty cell, so a register whose last
# column is empty in some rows gives shorter records for them: extract
# takes the missing cells as empty (NULL), not as a ragged row.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

make_config x
out=$(vqr-extract -c "$WORK/x.yaml" -o "$WORK/s" "$TOP/tests/data/xlsx/毕业生去向登记表_sparse.xlsx" 2>&1); rc=$?
is "$rc" 0 "extract exits 0"
like "$(cat "$WORK/s/manifest.yaml")" "*rows_loaded: 3*" "all three rows are loaded"
is "$(grep -c . "$WORK/s/rejects.tsv")" 1 "no rejects (the column line only)"
col=$(cat "$WORK/s/rows.tsv" | head -1 | tr '\t' '\n' | grep -n '^employer$' | cut -d: -f1)
is "$(cat "$WORK/s/rows.tsv" | cut -f"$col" | tr '\n' ' ')" 'employer 重庆某机械有限公司 \N \N ' \
	"the missing last cells are NULL"
is "$(cat "$WORK/s/rows.tsv" | cut -f1 | tr '\n' ' ')" '_line 2 3 4 ' "sheet row numbers are kept"
done_testing
