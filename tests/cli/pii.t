#!/bin/sh
# Personal data: `pii: drop` never leaves extract; `pii: pseudonymise`
# becomes a keyed hash (HMAC-SHA-256) that links one student across
# exports without the ID, and depends on the key.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
sed 's/student_id:     {header: 学号, type: text, pii: drop}/student_id:     {header: 学号, type: text, pii: pseudonymise}/' \
	"$TOP/config/sources/graduate_destination.yaml" > "$WORK/src.yaml"
grep -q "pii: pseudonymise" "$WORK/src.yaml"; ok $? "test source pseudonymises student_id"
mk() { # name keyfile
	cat > "$WORK/$1.yaml" <<YAML
school: {code: CQGYGJ, name: 重庆市工业高级技工学校}
pii_key_file: $2
include: [$WORK/src.yaml, $TOP/config/indicators/employment.yaml]
YAML
}
head -c 32 /dev/urandom > "$WORK/k1"; chmod 600 "$WORK/k1"
head -c 32 /dev/urandom > "$WORK/k2"; chmod 600 "$WORK/k2"
mk a "$WORK/k1"
mk b "$WORK/k2"
cp "$FIX" "$WORK/另一个_毕业生去向.csv"

vqr-extract -c "$WORK/a.yaml" -o "$WORK/x1" "$FIX"; ok $? "extract with pseudonymisation exits 0"
vqr-extract -c "$WORK/a.yaml" -o "$WORK/x2" "$WORK/另一个_毕业生去向.csv"; ok $? "a second export with the same key"
vqr-extract -c "$WORK/b.yaml" -o "$WORK/x3" "$FIX"; ok $? "the same export with another key"
col() { cat "$1/rows.tsv" | sed -n 2p | cut -f3; }
sid=$(sed -n 3p "$FIX" | cut -d, -f1)
h1=$(col "$WORK/x1"); h2=$(col "$WORK/x2"); h3=$(col "$WORK/x3")
like "$(cat "$WORK/x1/rows.tsv" | head -1 | cut -f3)" "student_id" "student_id has a column"
like "$h1" "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*" "it holds a hex hash"
is "${#h1}" 32 "of 32 hex digits"
is "$h1" "$h2" "the same student gets the same hash in another export"
ok "$([ "$h1" != "$h3" ]; echo $?)" "another key gives another hash"
is "$(cat "$WORK/x1/rows.tsv" | grep -c "$sid")" 0 "the student ID itself is not staged"
is "$(cat "$WORK/x1/rows.tsv" | tail -n +2 | cut -f3 | sort -u | wc -l | tr -d ' ')" \
	"$(tail -n +3 "$FIX" | cut -d, -f1 | sort -u | wc -l | tr -d ' ')" "distinct students stay distinct"

chmod 644 "$WORK/k1"
out=$(vqr-extract -c "$WORK/a.yaml" -o "$WORK/x4" "$FIX" 2>&1); rc=$?
is "$rc" 1 "a key readable by others is refused (configuration error)"
like "$out" "*k1: the pseudonymisation key is readable by others*chmod 600*" "with a hint"
head -c 8 /dev/urandom > "$WORK/k1"; chmod 600 "$WORK/k1"
out=$(vqr-extract -c "$WORK/a.yaml" -o "$WORK/x4" "$FIX" 2>&1)
like "$out" "*k1: the pseudonymisation key has 8 bytes, at least 16*" "a short key is refused"
cat > "$WORK/c.yaml" <<YAML
school: {code: CQGYGJ, name: 重庆市工业高级技工学校}
include: [$WORK/src.yaml]
YAML
out=$(vqr-extract -c "$WORK/c.yaml" -o "$WORK/x4" "$FIX" 2>&1); rc=$?
is "$rc" 1 "pseudonymise without a key file is a configuration error"
like "$out" "*src.yaml:*: field \"student_id\" is to be pseudonymised, but the configuration names no pii_key_file*" "at file:line:col"
done_testing
