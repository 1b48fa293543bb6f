#!/bin/sh
# The staging contract's COPY column lists (lib/staging/stage.h) against
# the schema that sql/ makes: every column vqr-load names exists, in a
# table that takes COPY, and every column that must be given (NOT NULL,
# no default) is named.  The rejects header is the reject COPY list
# without the file_id vqr-load appends.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

# What a macro of stage.h expands to, by the C preprocessor.
macro() {
	printf '#include "lib/staging/stage.h"\n%s\n' "$1" | ${CC:-cc} -E -P -I"$TOP" - | tail -n 1 |
		grep -o '"[^"]*"' | tr -d '"\n'
}
ind=$(macro STAGE_INDICATOR_COPY_COLUMNS)
rej=$(macro STAGE_REJECT_COPY_COLUMNS)
like "$ind" "school_code, period, indicator_code,*, batch_id, file_id" "the indicator COPY list is read from stage.h: $ind"
like "$rej" "line, column_no, *, file_id" "the reject COPY list: $rej"

test_db vqr_sql_stage_columns
make_config c "$TEST_DB"
vqr -c "$WORK/c.yaml" init >/dev/null 2>&1; ok $? "vqr init"
for t in "vqr.indicator_value:$ind" "vqr.reject:$rej"; do
	table=${t%%:*}; cols=${t#*:}
	out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -c "COPY $table ($cols) TO STDOUT" 2>&1); rc=$?
	is "$rc" 0 "$table takes COPY with the listed columns"
	[ $rc -eq 0 ] || diag "$out"
	need=$(sql "select string_agg(attname, ' ' order by attnum) from pg_attribute
	            where attrelid = '$table'::regclass and attnum > 0 and not attisdropped and attnotnull
	              and not atthasdef and attidentity = '' and attgenerated = ''")
	miss=""
	for c in $need; do
		case ", $cols," in *", $c,"*) ;; *) miss="$miss $c" ;; esac
	done
	is "$miss" "" "$table: every column that must be given is listed"
done
# The rejects header (stage.c) is the reject list without file_id.
hdr=$(grep -A2 'stage_reject_header\[STAGE_REJECT_NCOLS\] = {' "$TOP/lib/staging/stage.c" | tail -n +2 |
	grep -o '"[^"]*"' | tr -d '"' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
is "$hdr, file_id" "$rej" "the rejects header is the reject COPY list without file_id"
done_testing
