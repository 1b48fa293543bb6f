#!/bin/sh
# vqr run --summary-json against its schema (docs/summary.schema.json):
# real summaries of a night with loaded, copied, quarantined and
# unmapped-header files, of an empty inbox, of a dry run, of a
# configuration error (exit 1) and of an unreachable database (exit 3)
# all validate, and carry each file's source and timings.  The validator
# is python3-jsonschema (scripts/deps.sh); it must also refuse a summary
# that breaks the schema, so the check can fail.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

SCHEMA="$TOP/docs/summary.schema.json"
validate() { # file -> status 0 when valid; the validator's complaint on stdout
	python3 - "$SCHEMA" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)
for e in errors:
    print("%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message))
sys.exit(1 if errors else 0)
PY
}
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "1..0 # SKIP python3-jsonschema is not installed (sh scripts/deps.sh installs it)"
	exit 0
fi
check() { # file name
	out=$(validate "$1" 2>&1); ok $? "$2: the summary validates against the schema"
	[ -z "$out" ] || diag "$out"
}

test_db vqr_e2e_summary
make_config s "$TEST_DB"
CFG="$WORK/s.yaml"
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"

# A night: a good file, its copy, an empty file, the export again from
# another vendor with a renamed column (loaded after, by name order).
cp "$FIX" "$WORK/s/inbox/毕业生去向登记表_2022-2023.csv"
cp "$FIX" "$WORK/s/inbox/毕业生去向登记表_copy.csv"
: > "$WORK/s/inbox/毕业生去向登记表_empty.csv"
sed '2s/是否专业对口/对口情况/' "$FIX" > "$WORK/s/inbox/毕业生去向登记表_vendor.csv"
vqr -c "$CFG" --summary-json "$WORK/night.json" --log "$WORK/night.log" run >/dev/null 2>&1; rc=$?
is "$rc" 2 "the night exits 2 (a file quarantined)"
check "$WORK/night.json" "a night with loaded, copied, quarantined and unmapped files"
j() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
is "$(j "$WORK/night.json" "sorted(f['status'] for f in d['files'])")" \
	"['already_loaded', 'loaded', 'loaded', 'quarantined']" "every file is listed with its status"
is "$(j "$WORK/night.json" "all(f['ms'] >= 0 for f in d['files']) and all('extract_ms' in f and 'transform_ms' in f for f in d['files'] if f['status'] == 'loaded')")" \
	True "each file has its time, a loaded one its extract and transform times"
is "$(j "$WORK/night.json" "sorted(set(f.get('source', '') for f in d['files'] if f['status'] == 'loaded'))")" \
	"['graduate_destination']" "a loaded file its source"
like "$(j "$WORK/night.json" "[f['unmapped'] for f in d['files'] if f['file'].endswith('vendor.csv')]")" \
	"*对口情况*" "the renamed column is among the file's unmapped headers"

# The log: every line has its time, pid, level, and the batch and file it
# is about when it is about one; the stages' lines too; info lines as well.
bad=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \[[0-9]+\] (batch=[^ ]+ )?(file=[^ ]+ )?vqr(-extract|-transform|-load)?: (error|warning|detail|hint|info): ' "$WORK/night.log")
is "$bad" "" "every log line: time, pid, [batch, file,] program, level"
like "$(cat "$WORK/night.log")" "*batch=*graduate_destination* file=毕业生去向登记表_vendor.csv vqr: warning: *unmapped*" \
	"a file's warning names its batch and file"
like "$(cat "$WORK/night.log")" "*file=毕业生去向登记表_empty.csv vqr-extract: error: *the file is empty*" \
	"a stage's message names the file too"
like "$(cat "$WORK/night.log")" "*batch=*file=毕业生去向登记表_2022-2023.csv vqr: info: *loaded (batch*" \
	"info messages reach the log without -v"

# An empty inbox, a dry run.
vqr -c "$CFG" --summary-json "$WORK/empty.json" run >/dev/null 2>&1; is "$?" 0 "an empty inbox exits 0"
check "$WORK/empty.json" "an empty inbox"
sed 's/2023-12-28/2024-01-03/' "$FIX" > "$WORK/s/inbox/毕业生去向登记表_v2.csv"
vqr -c "$CFG" --summary-json "$WORK/dry.json" --dry-run run >/dev/null 2>&1; is "$?" 0 "a dry run exits 0"
check "$WORK/dry.json" "a dry run"
is "$(j "$WORK/dry.json" "[d['dry_run'], [f['status'] for f in d['files']]]")" "[True, ['would_load']]" "  which says so"

# A configuration error; a database that cannot be reached.
printf 'school: [\n' > "$WORK/broken.yaml"
vqr -c "$WORK/broken.yaml" --summary-json "$WORK/broken.json" run >/dev/null 2>&1; is "$?" 1 "a broken configuration exits 1"
check "$WORK/broken.json" "a configuration error"
vqr -c "$CFG" -d "host=/nonexistent dbname=x connect_timeout=2" --summary-json "$WORK/nodb.json" run >/dev/null 2>&1
is "$?" 3 "an unreachable database exits 3"
check "$WORK/nodb.json" "an unreachable database"

# The check can fail: a summary that breaks the schema is refused.
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['files'][0]['status']='lost'; del d['seconds']; json.dump(d, open(sys.argv[2],'w'))" \
	"$WORK/night.json" "$WORK/bad.json"
out=$(validate "$WORK/bad.json" 2>&1); rc=$?
ok $((rc == 0)) "a summary with an unknown status and no seconds is refused"
like "$out" "*'seconds' is a required property*" "  and the validator says why"
done_testing
