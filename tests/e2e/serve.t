#!/bin/sh
# The stage programs as servers (lib/util/serve.h), on a real PostgreSQL:
#  - vqr-extract --serve runs its jobs in order, each replying with the
#    exit status it would have had alone, and its staging files are
#    byte for byte those of the program run alone; a bad job's usage
#    error does not end the server; a malformed request does (exit 5);
#  - `vqr run` over an inbox of several files starts each stage program
#    once (counted through VQR_LIBEXEC_DIR wrappers) and loads the same
#    values as the programs run one file at a time;
#  - vqr-load --serve's kept connection: its backend terminated between
#    two jobs, the next file still loads;
#  - a server killed in a job (VQR_TEST_SERVE_DIE) fails that file as a
#    killed program would: it stays in the inbox, the files after it load
#    through a new server, and the next run loads it.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db serve
make_config s "$TEST_DB"
CFG=$WORK/s.yaml
M=$(printf '\036')

# Three years of the graduate register.
for y in 2021 2022 2023; do
	one_year $y "$WORK/毕业生去向登记表_$((y - 1))-$y.csv"
done
F1=$WORK/毕业生去向登记表_2020-2021.csv
F2=$WORK/毕业生去向登记表_2021-2022.csv

# ---- vqr-extract --serve, fed by hand ------------------------------------
vqr-extract -c "$CFG" -o "$WORK/alone" "$F1" >/dev/null 2>&1; ok $? "vqr-extract alone"
{
	printf 'file=a \0vqr-extract\0-c\0%s\0-o\0%s\0%s\0\0' "$CFG" "$WORK/j1" "$F1"
	printf '\0vqr-extract\0--no-such-option\0\0'
	printf '\0vqr-extract\0-c\0%s\0-o\0%s\0%s\0\0' "$CFG" "$WORK/j2" "$F2"
	printf '\0vqr-extract\0--version\0\0'
} | vqr-extract --serve -c "$CFG" >"$WORK/replies" 2>"$WORK/serve.err"
is "$?" 0 "a server ends with exit 0 at the end of its input"
is "$(grep -c "^$M" "$WORK/replies")" 4 "one reply a job"
is "$(grep "^$M" "$WORK/replies" | tr -d "$M" | tr '\n' ' ')" "0 1 0 0 " "each with the job's exit status"
like "$(cat "$WORK/replies")" "*vqr-extract (vqr) [0-9]*" "a job's stdout comes before its reply"
like "$(cat "$WORK/serve.err")" "*unrecognized option*" "the bad job says why on stderr"
cmp -s "$WORK/alone/rows.tsv" "$WORK/j1/rows.tsv"; ok $? "the server's rows are byte for byte the program's alone"
cmp -s "$WORK/alone/rejects.tsv" "$WORK/j1/rejects.tsv"; ok $? "and its rejects"
is "$(grep -c . "$WORK/j2/rows.tsv")" "$(grep -c . "$WORK/j1/rows.tsv")" "the third job (after a failed one) extracted its file too"
printf 'ctx\0vqr-extract\0-c' | vqr-extract --serve >/dev/null 2>"$WORK/bad.err"
is "$?" 5 "a request cut short ends the server with exit 5"
like "$(cat "$WORK/bad.err")" "*a request ended before its end*" "and says so"
vqr-extract --serve --verbose </dev/null >/dev/null 2>"$WORK/bad.err"
is "$?" 1 "--serve with another option is a usage error"

# ---- vqr run: one server a stage ------------------------------------------
# Wrappers that count the starts of each program, then run it.
mkdir "$WORK/libexec"
for p in vqr-extract vqr-transform vqr-load; do
	printf '#!/bin/sh\necho "$*" >> "%s/starts.%s"\nexec "%s/%s" "$@"\n' "$WORK" "$p" "$BIN" "$p" \
		> "$WORK/libexec/$p"
	chmod +x "$WORK/libexec/$p"
done
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
cp "$WORK"/毕业生去向登记表_*.csv "$WORK/s/inbox/"
out=$(VQR_LIBEXEC_DIR=$WORK/libexec vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run of three files exits 0"
like "$out" "*3 files loaded*" "and loads them"
for p in vqr-extract vqr-transform vqr-load; do
	is "$(grep -c . "$WORK/starts.$p")" 1 "$p was started once for the three files"
	like "$(cat "$WORK/starts.$p")" "--serve -c $CFG" "as a server of the run's configuration"
done
served=$(values_digest "$TEST_DB")

# The same files, each through the three programs run alone.
ALONE=$(pg_temp_createdb serve_alone)
make_config a "$ALONE"
vqr -c "$WORK/a.yaml" init >/dev/null 2>&1
n=0
for f in "$WORK"/毕业生去向登记表_*.csv; do
	n=$((n + 1))
	vqr-extract -c "$WORK/a.yaml" -o "$WORK/a$n" "$f" >/dev/null 2>&1 &&
		vqr-transform -c "$WORK/a.yaml" "$WORK/a$n" >/dev/null 2>&1 &&
		vqr-load -c "$WORK/a.yaml" -d "$ALONE" "$WORK/a$n" >/dev/null 2>&1 || ok 1 "file $n through the programs alone"
done
is "$(values_digest "$ALONE")" "$served" "the values are those of the programs run one file at a time"

# ---- the kept connection: its backend ends between two jobs ---------------
KEPT=$(pg_temp_createdb serve_kept)
make_config k "$KEPT"
vqr -c "$WORK/k.yaml" init >/dev/null 2>&1
vqr-transform -c "$CFG" "$WORK/j1" >/dev/null 2>&1 && vqr-transform -c "$CFG" "$WORK/j2" >/dev/null 2>&1
ok $? "the two extracted files transformed"
mkfifo "$WORK/req"
vqr-load --serve <"$WORK/req" >"$WORK/lreplies" 2>"$WORK/lserve.err" &
lpid=$!
exec 3>"$WORK/req"
printf '\0vqr-load\0-c\0%s\0-d\0%s\0%s\0\0' "$CFG" "$KEPT" "$WORK/j1" >&3
i=0
until [ "$(grep -c "^$M" "$WORK/lreplies")" = 1 ] || [ $i -ge 300 ]; do i=$((i + 1)); sleep 0.1; done
is "$(grep "^$M" "$WORK/lreplies" | tr -d "$M")" 0 "vqr-load --serve loads the first file"
is "$(psql -X -A -t -d "$KEPT" -c "select count(pg_terminate_backend(pid)) from pg_stat_activity
	where application_name = 'vqr-load' and datname = current_database()")" 1 "its kept connection's backend is terminated"
printf '\0vqr-load\0-c\0%s\0-d\0%s\0%s\0\0' "$CFG" "$KEPT" "$WORK/j2" >&3
exec 3>&-
wait $lpid
is "$?" 0 "the server ends with exit 0"
is "$(grep "^$M" "$WORK/lreplies" | tr -d "$M" | tr '\n' ' ')" "0 0 " "the second file loads through a new connection"
is "$(psql -X -A -t -d "$KEPT" -c "select count(*) from vqr.source_file")" 2 "both files are loaded"

# ---- a server killed in a job ----------------------------------------------
one_year 2017 "$WORK/s/inbox/毕业生去向登记表_2016-2017.csv"
one_year 2016 "$WORK/s/inbox/毕业生去向登记表_2015-2016.csv"
rm -f "$WORK/starts.vqr-extract"
cat > "$WORK/libexec/vqr-extract" <<EOF
#!/bin/sh
echo "\$*" >> "$WORK/starts.vqr-extract"
exec "$BIN/vqr-extract" "\$@"
EOF
out=$(VQR_LIBEXEC_DIR=$WORK/libexec VQR_TEST_SERVE_DIE=vqr-extract:2015-2016 vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 5 "a server killed in a job: the run exits 5"
like "$out" "*vqr-extract was killed by signal 9*2015-2016.csv*stays in the inbox*" "naming the signal and the file"
like "$out" "*1 file loaded*" "the other file loads"
is "$(ls "$WORK/s/inbox" | tr '\n' ' ')" "毕业生去向登记表_2015-2016.csv " "the file of the killed job stays in the inbox"
is "$(grep -c . "$WORK/starts.vqr-extract")" 2 "and a new server took the next file"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "the next run exits 0"
is "$(sql "select count(*) from vqr.source_file")" 5 "and loads it: five files, each once"

done_testing
