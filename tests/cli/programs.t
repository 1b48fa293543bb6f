#!/bin/sh
# CLI tests of every program: --help, --version, bad options, missing
# files, bad configurations (the message names file:line:col).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

for p in vqr vqr-extract vqr-transform vqr-load; do
	out=$($p --help 2>&1); rc=$?
	is "$rc" 0 "$p --help exits 0"
	like "$out" "Usage: $p*" "$p --help starts with a usage line"
	like "$out" "*Exit status:*2  input data rejected*4  another run holds the lock*" "$p --help documents the exit codes"
	out=$($p --version 2>&1); rc=$?
	is "$rc" 0 "$p --version exits 0"
	like "$out" "$p (vqr) [0-9]*" "$p --version prints the version"
	out=$($p --no-such-option 2>&1); rc=$?
	is "$rc" 1 "$p with a bad option exits 1"
	like "$out" "*unrecognized option*try \"$p --help\"*" "$p with a bad option says what to try"
	out=$($p --help 2>&1 >/dev/full); rc=$?
	is "$rc" 5 "$p --help into a full device fails (truncated output is an error)"
done

make_config good
out=$(vqr-extract -c "$WORK/good.yaml" -o "$WORK/x" "$WORK/none.csv" 2>&1); rc=$?
is "$rc" 1 "vqr-extract on a missing file exits 1"
like "$out" "*$WORK/none.csv*" "the message names the missing file"
out=$(vqr-extract -c "$WORK/nope.yaml" -o "$WORK/x" "$WORK/none.csv" 2>&1); rc=$?
is "$rc" 1 "a missing configuration exits 1"
like "$out" "*error: $WORK/nope.yaml: cannot open*" "the message names the missing configuration"
out=$(vqr 2>&1); rc=$?
is "$rc" 1 "vqr without a command exits 1"
out=$(vqr -c "$WORK/good.yaml" frobnicate 2>&1); rc=$?
is "$rc" 1 "vqr with an unknown command exits 1"
like "$out" "*unknown command \"frobnicate\"*" "and names it"
out=$(vqr-transform -c "$WORK/good.yaml" "$WORK/nodir" 2>&1); rc=$?
is "$rc" 1 "vqr-transform on a directory without a manifest exits 1"
like "$out" "*$WORK/nodir/manifest.yaml*" "and names the manifest it looked for"

# Bad configurations: each error names file:line:col.
badcfg() { # name, yaml text
	printf '%s\n' "$2" > "$WORK/$1.yaml"
	out=$(vqr-extract -c "$WORK/$1.yaml" -o "$WORK/x" /dev/null 2>&1); rc=$?
}
sed 's/^  name: 重庆市工业高级技工学校$/  name: 重庆市工业高级技工学校\n  nmae: typo/' "$WORK/good.yaml" > "$WORK/typo.yaml"
out=$(vqr -c "$WORK/typo.yaml" show 2>&1); rc=$?
is "$rc" 1 "an unknown key in the configuration exits 1"
like "$out" "*error: $WORK/typo.yaml:4:3: unknown key \"nmae\" in school*" "an unknown key is reported at file:line:col"

badcfg syntax 'school: {code: X, name: Y
paths: ['
is "$rc" 1 "a YAML syntax error exits 1"
like "$out" "*error: $WORK/syntax.yaml:[0-9]*:[0-9]*: *" "a YAML syntax error names file:line:col"

cat > "$WORK/ind.yaml" <<YAML
school: {code: X, name: Y}
include: [$TOP/config/sources/graduate_destination.yaml]
indicators:
  - code: t.bad
    name_zh: 坏
    name_en: bad
    unit: 人
    kind: count
    source: graduate_destination
    count: "*"
    where: "destination = 'x' and salry > 3"
YAML
out=$(vqr-extract -c "$WORK/ind.yaml" -o "$WORK/x" /dev/null 2>&1); rc=$?
is "$rc" 1 "an unknown field in a filter exits 1"
like "$out" "*error: $WORK/ind.yaml:11:35: in filter*salry*" "an unknown field in a filter is reported at its column"

sed -i 's/salry > 3/destination > 3/' "$WORK/ind.yaml"
out=$(vqr-extract -c "$WORK/ind.yaml" -o "$WORK/x" /dev/null 2>&1); rc=$?
like "$out" "*error: $WORK/ind.yaml:11:*: in filter*" "comparing text with a number is refused at start-up"

cat > "$WORK/ratio.yaml" <<YAML
school: {code: X, name: Y}
include: [$TOP/config/sources/graduate_destination.yaml]
indicators:
  - code: t.ratio
    name_zh: 率
    name_en: rate
    unit: "%"
    kind: rate
    source: graduate_destination
    ratio:
      numerator: {count: "*"}
YAML
out=$(vqr-extract -c "$WORK/ratio.yaml" -o "$WORK/x" /dev/null 2>&1); rc=$?
is "$rc" 1 "a ratio without a denominator exits 1"
like "$out" "*error: $WORK/ratio.yaml:11:7: a ratio needs a denominator*" "and says so at file:line:col"

cat > "$WORK/type.yaml" <<YAML
school: {code: X, name: Y}
sources:
  s:
    files: ["*"]
    period: {type: academic_year, year: y}
    fields:
      y: {header: 年, type: integer}
      z: {header: 值, type: number}
YAML
out=$(vqr-extract -c "$WORK/type.yaml" -o "$WORK/x" /dev/null 2>&1); rc=$?
like "$out" "*error: $WORK/type.yaml:8:28: unknown type \"number\"*" "an unknown field type is reported at file:line:col"

done_testing
