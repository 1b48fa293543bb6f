#!/bin/sh
# A hostile or careless inbox, and what vqr lets out of personal data and
# passwords, against a real PostgreSQL:
#  - a symlink (to a secret, or to an export outside the inbox), a FIFO and
#    a directory in the inbox are quarantined by name, never read: the
#    secret shows nowhere (stderr, .reason, --log, --summary-json, the
#    staging files, the database); vqr-extract refuses them too;
#  - a password of the database (conninfo or URI) shows in no message,
#    log, summary or child's argv;
#  - the value of a personal (pii) field that fails its check is "***" in
#    the rejects, the database and stderr; a file without a header quotes
#    none of its cells;
#  - what vqr creates is private: directories 0700, files 0600.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db hostile
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
H=$WORK/h
# id_number typed integer, so that a bad ID is rejected by its type check.
sed 's/id_number:      {header: 身份证号, synonyms: \[身份证号(脱敏), 身份证号码\], type: text, pii: drop}/id_number:      {header: 身份证号, synonyms: [身份证号(脱敏), 身份证号码], type: integer, pii: drop}/' \
	"$TOP/config/sources/graduate_destination.yaml" > "$WORK/src.yaml"
grep -q "type: integer, pii: drop" "$WORK/src.yaml"; ok $? "test source types the personal id_number as integer"
make_config h "$TEST_DB password=sekret"
sed -i "s|$TOP/config/sources/graduate_destination.yaml|$WORK/src.yaml|" "$WORK/h.yaml"
CFG=$WORK/h.yaml
chmod 700 "$H" "$H/inbox"
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init with a password in the conninfo (trust: ignored)"

# Stage programs wrapped, to record their arguments as ps shows them, and
# the jobs a run gives them (lib/util/serve.h: on their stdin).
mkdir -p "$WORK/wrap"
for p in vqr-extract vqr-transform vqr-load; do
	cat > "$WORK/wrap/$p" <<SH
#!/bin/sh
tr '\\0' ' ' < /proc/\$\$/cmdline >> "$WORK/argv.log"; echo >> "$WORK/argv.log"
tee -a "$WORK/jobs.log" | "$BIN/$p" "\$@"
SH
	chmod 755 "$WORK/wrap/$p"
done

SECRET=TOPSECRET-4711-root:x:0
printf '%s\n' "$SECRET" > "$WORK/secret"; chmod 600 "$WORK/secret"
mkdir -p "$WORK/outside"
cp "$FIX" "$WORK/outside/毕业生去向登记表_2022-2023.csv"
ln -s "$WORK/secret" "$H/inbox/毕业生去向登记表_x.csv"
ln -s "$WORK/outside/毕业生去向登记表_2022-2023.csv" "$H/inbox/毕业生去向登记表_outside.csv"
mkfifo -m 600 "$H/inbox/毕业生去向登记表_fifo.csv"
mkdir -m 700 "$H/inbox/毕业生去向登记表_dir.csv"
# A register with one bad personal value (and good ones: digits).
{ sed -n 1,2p "$FIX"; sed -n 3,6p "$FIX" | awk -F, -v OFS=, '{ $4 = 4000 + NR } NR == 2 { $4 = "50011820051234862X" } 1'; } \
	> "$H/inbox/毕业生去向登记表_ids.csv"
# No header: rows of student numbers, names and ID numbers.
printf '2020049999,欧阳春燕,500118200599998888\n2020049998,司马秋,500118200599997777\n' > "$H/inbox/毕业生去向登记表_nohdr.csv"
chmod 644 "$H/inbox/毕业生去向登记表_ids.csv" "$H/inbox/毕业生去向登记表_nohdr.csv"

VQR_LIBEXEC_DIR=$WORK/wrap timeout 120 vqr -c "$CFG" --log "$WORK/vqr.log" --summary-json "$H/summary.json" run \
	>"$WORK/out" 2>"$WORK/err"; rc=$?
is "$rc" 2 "the run exits 2 (quarantined files), not stuck on the FIFO (124)"
Q=$H/quarantine
test -L "$Q/毕业生去向登记表_x.csv"; ok $? "the symlink to a secret is quarantined as a link"
like "$(cat "$Q/毕业生去向登记表_x.csv.reason")" "*毕业生去向登记表_x.csv: not a regular file (a symbolic link)*" "its reason says it is not a regular file"
test -L "$Q/毕业生去向登记表_outside.csv"; ok $? "a symlink to an export outside the inbox is quarantined"
is "$(sql "select count(*) from vqr.source_file where file_name like '%outside%' or file_name like '%2022-2023%'")" 0 "and its target is not loaded"
test -f "$WORK/outside/毕业生去向登记表_2022-2023.csv" && ! test -L "$WORK/outside/毕业生去向登记表_2022-2023.csv"; ok $? "the target stays where it was"
test -p "$Q/毕业生去向登记表_fifo.csv"; ok $? "a FIFO is quarantined"
like "$(cat "$Q/毕业生去向登记表_fifo.csv.reason")" "*not a regular file (a FIFO)*" "with its reason"
test -d "$Q/毕业生去向登记表_dir.csv"; ok $? "a directory is quarantined"
is "$(cat "$WORK/secret")" "$SECRET" "the secret is untouched"
where=$(grep -rl "TOPSECRET" "$WORK/err" "$WORK/out" "$WORK/vqr.log" "$H" 2>/dev/null)
is "$where" "" "the secret's content is in no output, log, summary, .reason or staged file"
is "$(sql "select count(*) from (select row_to_json(r)::text t from vqr.reject r union all
	select row_to_json(f)::text from vqr.source_file f union all select row_to_json(b)::text from vqr.batch b) x
	where t like '%TOPSECRET%'")" 0 "nor in the database"

# Personal values.
is "$(sql "select count(*) from vqr.source_file where file_name = '毕业生去向登记表_ids.csv'")" 1 "the register with a bad ID loads"
is "$(sql "select field || ' ' || line || ' ' || value || ' ' || rule from vqr.reject r join vqr.source_file f using (file_id)
	where f.file_name = '毕业生去向登记表_ids.csv'")" "id_number 4 *** integer" "its reject keeps field, line and rule, the value is ***"
like "$(sql "select message from vqr.reject where field = 'id_number'")" '*"***"*' "and the message shows *** too"
where=$(grep -rl "50011820051234862X" "$WORK/err" "$WORK/out" "$WORK/vqr.log" "$H" 2>/dev/null)
is "$where" "$H/archive/毕业生去向登记表_ids.csv" "the bad ID is in no output, log or staged file (rejects.tsv), only in the archived export"
like "$(cat "$H"/staging/*/rejects.tsv)" "*id_number	***	integer*" "rejects.tsv has *** for it"
like "$(cat "$WORK/err")" "*毕业生去向登记表_ids.csv:4:4: 身份证号(脱敏): \"***\"*" "stderr names file, line and column, not the value"
is "$(sql "select count(*) from (select row_to_json(r)::text t from vqr.reject r) x where t like '%50011820051234862X%'")" 0 \
	"the bad ID is nowhere in vqr.reject"
like "$(cat "$Q/毕业生去向登记表_nohdr.csv.reason")" "*no header row*expected columns:*the first 2 rows have 3, 3 columns*" \
	"a file without a header is quarantined, saying what was expected and how wide its rows are"
where=$(grep -rlE "欧阳春燕|2020049999|500118200599998888|司马秋" "$WORK/err" "$WORK/out" "$WORK/vqr.log" "$H" 2>/dev/null)
is "$where" "$Q/毕业生去向登记表_nohdr.csv" "none of its cells is in stderr, .reason, log or summary (only in the file itself)"

# Passwords.
like "$(cat "$WORK/argv.log")" "*vqr-load*" "the stage programs ran through the recording wrappers"
where=$(grep -l sekret "$WORK/err" "$WORK/out" "$WORK/vqr.log" "$H/summary.json" "$WORK/argv.log" "$WORK/jobs.log" 2>/dev/null)
is "$where" "" "the password is in no message, log, summary or child's arguments"
: > "$WORK/argv.log"
VQR_LIBEXEC_DIR=$WORK/wrap vqr -c "$CFG" reprocess --all >"$WORK/out" 2>"$WORK/err"; rc=$?
is "$rc" 0 "vqr reprocess --all exits 0 ($(cat "$WORK/err"))"
like "$(cat "$WORK/argv.log")" "*vqr-load --serve*" "vqr reprocess ran vqr-load through the wrappers"
like "$(tr '\0' ' ' < "$WORK/jobs.log")" "*vqr-load * -R *" "with jobs to reprocess"
where=$(grep -l sekret "$WORK/err" "$WORK/out" "$WORK/argv.log" "$WORK/jobs.log" 2>/dev/null)
is "$where" "" "and passed it no password either"
out=$(vqr -c "$CFG" -d "postgresql://vqr:sekret@nohost.invalid:5432/vqr" --log "$WORK/vqr2.log" --summary-json "$WORK/s2.json" run 2>&1); rc=$?
is "$rc" 3 "a URI with an unknown host exits 3"
like "$out" "*cannot connect to postgresql://vqr:***@nohost.invalid:5432/vqr*" "the message shows the URI with its password masked"
where=$(printf '%s' "$out" | grep -c sekret; grep -l sekret "$WORK/vqr2.log" "$WORK/s2.json")
is "$where" 0 "and the password is in none of stderr, --log, --summary-json"
out=$(vqr -c "$CFG" -d "host=$WORK/nosocket dbname=vqr password='se kret' user=x" run 2>&1); rc=$?
is "$rc" 3 "a conninfo that cannot connect exits 3"
like "$out" "*cannot connect to host=$WORK/nosocket dbname=vqr password=*** user=x*" "the conninfo is shown with password=***"
case $out in *kret*) false ;; esac; ok $? "without the password"

# vqr-extract alone refuses what is not a regular file.
ln -s "$WORK/secret" "$WORK/毕业生去向登记表_y.csv"
out=$(vqr-extract -c "$CFG" -o "$WORK/x" "$WORK/毕业生去向登记表_y.csv" 2>&1); rc=$?
is "$rc" 1 "vqr-extract refuses a symlink (exit 1)"
like "$out" "*毕业生去向登记表_y.csv: not a regular file (a symbolic link)*" "saying it is not a regular file"
case $out in *TOPSECRET*) false ;; esac; ok $? "without reading it"
test -e "$WORK/x"; is "$?" 1 "and writes nothing"
mkfifo "$WORK/毕业生去向登记表_f.csv"
out=$(timeout 20 vqr-extract -c "$CFG" -o "$WORK/x" "$WORK/毕业生去向登记表_f.csv" 2>&1); rc=$?
is "$rc" 1 "vqr-extract refuses a FIFO without waiting for a writer"
like "$out" "*not a regular file (a FIFO)*" "saying what it is"

# Permissions: nothing vqr created is for others.
is "$(find "$H" "$WORK/vqr.log" ! -type l -perm /077 | sort)" "" "every directory and file vqr created or keeps is private (0700/0600)"
is "$(stat -c %a "$H/archive/毕业生去向登记表_ids.csv" "$Q/毕业生去向登记表_nohdr.csv" | tr '\n' ' ')" "600 600 " \
	"an export dropped 0644 is 0600 in the archive and the quarantine"
is "$(find "$H" -newer "$WORK/secret" ! -type l | wc -l | tr -d ' ')" "$(find "$H" -newer "$WORK/secret" ! -type l -perm -600 | wc -l | tr -d ' ')" \
	"(and the owner can read them all)"
chmod 755 "$H/archive"
cp "$FIX" "$H/inbox/毕业生去向登记表_again.csv"
out=$(vqr -c "$CFG" run 2>&1)
like "$out" "*warning: $H/archive: others may read or enter this directory (mode 0755)*hint: chmod 700 $H/archive*" \
	"a wider directory of the operator's gets a warning"
is "$(stat -c %a "$H/archive")" 755 "and keeps its mode"

done_testing
