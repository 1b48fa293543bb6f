#!/bin/sh
# One bad file never holds the night, on a real PostgreSQL:
#  - a text value longer than its field's max_length (default 200
#    characters) is a reject, not a load failure;
#  - a file whose load fails, or whose move to the quarantine fails,
#    stays where it is with its reason, and the files after it in name
#    order load; the run's exit code and summary say what failed;
#  - a file written to while it was loaded is not archived as loaded: it
#    stays in the inbox, with a line saying so, and the next run loads
#    the new version.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_isolate
make_config c "$TEST_DB"
CFG=$WORK/c.yaml
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
INBOX=$WORK/c/inbox

# Random text: a long value that does not compress (as a broken export's).
long=$(head -c 3000 /dev/urandom | base64 -w 0 | tr -d '+/=' | head -c 1000)

# A register whose first graduate has a 1000-character major.
one_year 2020 "$INBOX/毕业生去向登记表_a_2019-2020.csv"
awk -F, -v long="$long" 'BEGIN { OFS = "," } { sub(/\r$/, "") }
	NR == 2 { for (i = 1; i <= NF; i++) if ($i == "专业名称") c = i }
	NR == 3 { $c = long } { print }' "$INBOX/毕业生去向登记表_a_2019-2020.csv" > "$WORK/t" &&
	mv "$WORK/t" "$INBOX/毕业生去向登记表_a_2019-2020.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a register with a 1000-character major exits 2 (a rejected row)" || diag "$out"
like "$out" "*毕业生去向登记表_a_2019-2020.csv:3:*: 专业名称: 1000 characters, more than max_length 200*" \
	"the reject names file, line, column and the limit"
case "$out" in *"$long"*) ok 1 "  without quoting the value";; *) ok 0 "  without quoting the value";; esac
is "$(sql "select rule from vqr.reject")" max_length "vqr.reject records the rule"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2019-2020' and breakdown = '{}'")" \
	1465 "the other 1465 graduates load"

# A catalog that allows long majors makes the load itself fail (the
# database's index cannot take such a breakdown): that file stays in the
# inbox with its reason; the files after it in name order load.
own_source c
sed -i 's/major:          {header: 专业名称, synonyms: \[专业\], type: text,/&  max_length: 5000,/' "$WORK/src.yaml"
grep -q 'max_length: 5000' "$WORK/src.yaml"; ok $? "(a catalog with max_length: 5000 for the major)"
one_year 2021 "$INBOX/毕业生去向登记表_b_2020-2021.csv"
long3=$(head -c 9000 /dev/urandom | base64 -w 0 | tr -d '+/=' | head -c 3000)
awk -F, -v long="$long3" 'BEGIN { OFS = "," } { sub(/\r$/, "") }
	NR == 2 { for (i = 1; i <= NF; i++) if ($i == "专业名称") c = i }
	NR == 3 { $c = long } { print }' "$INBOX/毕业生去向登记表_b_2020-2021.csv" > "$WORK/t" &&
	mv "$WORK/t" "$INBOX/毕业生去向登记表_b_2020-2021.csv"
one_year 2022 "$INBOX/毕业生去向登记表_c_2021-2022.csv"
out=$(vqr -c "$CFG" run --summary-json "$WORK/s.json" 2>&1); rc=$?
is "$rc" 3 "a run in which one file's load failed exits 3"
like "$out" "*毕业生去向登记表_b_2020-2021.csv: vqr-load failed; the database is unchanged and the file stays in the inbox*" \
	"  and says which file and why"
like "$out" "*1 file loaded (*), 0 already loaded, 0 quarantined, 1 failed (exit 3*" "  the summary counts the loaded and the failed file"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2021-2022' and breakdown = '{}'")" \
	1466 "the file after it in name order loads"
test -f "$INBOX/毕业生去向登记表_b_2020-2021.csv"; ok $? "the failed file stays in the inbox"
like "$(cat "$WORK/s.json")" '*"failed": 1,*"status": "failed"*' "--summary-json counts and names it"
rm "$INBOX/毕业生去向登记表_b_2020-2021.csv"

# A quarantine that cannot be written: the unknown file first in name
# order stays in the inbox; the register after it loads.
echo 'a,b' > "$INBOX/000_unknown.csv"
rmdir "$WORK/c/quarantine" 2>/dev/null; rm -rf "$WORK/c/quarantine"
echo 'not a directory' > "$WORK/c/quarantine"
one_year 2024 "$INBOX/毕业生去向登记表_d_2023-2024.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 5 "a run whose quarantine cannot be written exits 5"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2023-2024' and breakdown = '{}'")" \
	1466 "  but the register after the unknown file loads"
test -f "$INBOX/000_unknown.csv"; ok $? "  and the unknown file stays in the inbox"
rm -f "$WORK/c/quarantine" "$INBOX/000_unknown.csv"

# A file written to while it is loaded: a vqr-load that appends to the
# export once it has loaded it (the server's reply to its job, a line
# starting with RS (serve.h), is passed on after the append).
mkdir -p "$WORK/libexec"
ln -s "$BIN/vqr-extract" "$WORK/libexec/vqr-extract"
ln -s "$BIN/vqr-transform" "$WORK/libexec/vqr-transform"
cat > "$WORK/libexec/vqr-load" <<EOF
#!/bin/sh
"$BIN/vqr-load" "\$@" | while IFS= read -r line; do
	case \$line in
	\$(printf '\036')*) [ -n "\${GROW:-}" ] && printf '%s\n' "\$GROW_LINE" >> "\$GROW" ;;
	esac
	printf '%s\n' "\$line"
done
EOF
chmod +x "$WORK/libexec/vqr-load"
one_year 2025 "$INBOX/毕业生去向登记表_e_2024-2025.csv"
GROW_LINE=$(tail -1 "$INBOX/毕业生去向登记表_e_2024-2025.csv")
out=$(GROW="$INBOX/毕业生去向登记表_e_2024-2025.csv" GROW_LINE="$GROW_LINE" VQR_LIBEXEC_DIR="$WORK/libexec" \
	vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a file that grew while it was loaded: the run exits 0"
like "$out" "*毕业生去向登记表_e_2024-2025.csv: changed while it was loaded*stays in the inbox*" "  and says so"
test -f "$INBOX/毕业生去向登记表_e_2024-2025.csv"; ok $? "  the file stays in the inbox"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2024-2025' and breakdown = '{}'")" \
	1466 "  the version read is loaded (1466)"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "the next run loads the new version" || diag "$out"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2024-2025' and breakdown = '{}'")" \
	1467 "  with the row written meanwhile (1467)"
test -f "$WORK/c/archive/毕业生去向登记表_e_2024-2025.csv"; ok $? "  and archives it"

done_testing
