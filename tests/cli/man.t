#!/bin/sh
# The man pages in man/ (mdoc(7)): mandoc's lint finds nothing at warning
# level, each page renders, and each program's page cannot drift from the
# program: every option of its --help (long form, and its short form on
# the same line), every command of vqr --help and every exit status of
# --help must be in the page.  The option, command and exit-status checks
# read the page source, so they run without mandoc.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

MAN=$TOP/man
PROGS="vqr vqr-extract vqr-transform vqr-load"
PAGES="vqr.1 vqr-extract.1 vqr-transform.1 vqr-load.1 vqr.yaml.5 vqr-catalog.5"

skip() { # reason: one skipped test
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1"
}

for pg in $PAGES; do
	test -s "$MAN/$pg"; ok $? "man/$pg exists"
done

# The standard sections, in every page.
for pg in $PAGES; do
	case $pg in
	*.1) want="NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES EXIT_STATUS EXAMPLES SEE_ALSO" ;;
	*) want="NAME SYNOPSIS DESCRIPTION FILES EXAMPLES SEE_ALSO" ;;
	esac
	missing=""
	for s in $want; do
		grep -qx ".Sh $(echo "$s" | tr _ ' ')" "$MAN/$pg" || missing="$missing $s"
	done
	is "$missing" "" "man/$pg has the sections $want"
done

# mandoc -T lint: nothing at warning level or above.
if command -v mandoc >/dev/null 2>&1; then
	for pg in $PAGES; do
		out=$(mandoc -T lint -W warning "$MAN/$pg" 2>&1); rc=$?
		is "$rc:$out" "0:" "mandoc -T lint -W warning man/$pg reports nothing"
	done
else
	skip "mandoc not installed (sh scripts/deps.sh installs it): lint of man/*"
fi

# Each page renders: with mandoc -T ascii, and with man -l (groff) when
# man-db is there.  The rendered NAME line names the page.
render_check() { # how, page, command...
	_how=$1 _pg=$2
	shift 2
	"$@" >"$WORK/render.out" 2>"$WORK/render.err"; _rc=$?
	# without the overstrike of bold and underlined text
	_out=$(sed "s/.$(printf '\010')//g" "$WORK/render.out")
	# (mandoc's note that the system's mandoc.db is out of date is no error)
	_err=$(grep -v 'outdated mandoc.db' "$WORK/render.err")
	_name=${_pg%.[15]}
	case $_rc:$_err:$_out in
	0::*NAME*"$_name "*) ok 0 "$_how renders man/$_pg" ;;
	*) ok 1 "$_how renders man/$_pg"; diag "rc $_rc: $_err" ;;
	esac
}
if command -v mandoc >/dev/null 2>&1; then
	for pg in $PAGES; do
		render_check "mandoc -T ascii" "$pg" mandoc -T ascii "$MAN/$pg"
	done
else
	skip "mandoc not installed: mandoc -T ascii rendering"
fi
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	for pg in $PAGES; do
		render_check "man -l" "$pg" env MANWIDTH=80 MAN_KEEP_FORMATTING= man -P cat -l "$MAN/$pg"
	done
else
	skip "man or groff not installed: man -l rendering"
fi

# has_cmd PAGE WORD...: a line `.It Cm WORD1 ...` of PAGE has every
# further WORD as a word.
has_cmd() {
	_page=$1
	shift
	awk -v words="$*" '
		BEGIN { n = split(words, w, " ") }
		$1 == ".It" && $2 == "Cm" && $3 == w[1] {
			found = 1
			for (i = 2; i <= n; i++) {
				hit = 0
				for (f = 4; f <= NF; f++)
					if ($f == w[i]) hit = 1
				if (!hit) found = 0
			}
			if (found) { ok = 1; exit }
		}
		END { exit ok ? 0 : 1 }' "$_page"
}

# has_opt PAGE FLAG...: one .It line of PAGE has `Fl FLAG` for every FLAG.
has_opt() {
	_page=$1
	shift
	awk -v flags="$*" '
		BEGIN { n = split(flags, w, " ") }
		$1 == ".It" {
			found = 1
			for (i = 1; i <= n; i++) {
				hit = 0
				for (f = 2; f < NF; f++)
					if ($f == "Fl" && $(f + 1) == w[i]) hit = 1
				if (!hit) found = 0
			}
			if (found) { ok = 1; exit }
		}
		END { exit ok ? 0 : 1 }' "$_page"
}

# Every option of each program's --help: `-x, --long` or `--long`, each
# documented on one .It line as `Fl x` and `Fl -long`.
for p in $PROGS; do
	help=$($p --help 2>&1)
	opts=$(printf '%s\n' "$help" | sed -n 's/^ \{1,6\}\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\1\2/p' |
		sed 's/, / /')
	n=$(printf '%s\n' "$opts" | grep -c -- '--')
	test "$n" -ge 6; ok $? "$p --help lists its options ($n found)"
	missing=""
	while read -r a b; do
		[ -n "$a" ] || continue
		# in mdoc, `Fl c` and `Fl -config` print -c and --config
		if [ -n "$b" ]; then
			has_opt "$MAN/$p.1" "${a#-}" "${b#-}" || missing="$missing $a,$b"
		else
			has_opt "$MAN/$p.1" "${a#-}" || missing="$missing $a"
		fi
	done <<EOF
$opts
EOF
	is "$missing" "" "man/$p.1 documents every option of $p --help"
done

# Every command of vqr --help: `  init   ...`, `  db start|stop|status  ...`,
# `  region add NAME CONNINFO  ...`: the lower-case words before the
# description, on one .It Cm line of vqr.1.
cmds=$(vqr --help 2>&1 | sed -n '/^Commands:/,/^$/p' | grep '^  [a-z]' | sed 's/^  //; s/  .*//')
n=$(printf '%s\n' "$cmds" | grep -c .)
test "$n" -ge 9; ok $? "vqr --help lists its commands ($n found)"
missing=""
while read -r line; do
	[ -n "$line" ] || continue
	words=""
	for w in $(echo "$line" | tr '|' ' '); do
		case $w in
		[a-z]*) words="$words $w" ;;
		esac
	done
	# shellcheck disable=SC2086
	has_cmd "$MAN/vqr.1" $words || missing="$missing [$line]"
done <<EOF
$cmds
EOF
is "$missing" "" "man/vqr.1 documents every command of vqr --help"

# Every exit status of each program's --help, word for word: `.It N` and
# the meaning on the next line.
for p in $PROGS; do
	codes=$($p --help 2>&1 | sed -n '/^Exit status:/,$p' | sed -n 's/^  \([0-9]\)  /\1 /p')
	n=$(printf '%s\n' "$codes" | grep -c .)
	missing=""
	while read -r code text; do
		[ -n "$code" ] || continue
		awk -v c="$code" -v t="$text" '
			prev == ".It " c && $0 == t { ok = 1; exit }
			{ prev = $0 }
			END { exit ok ? 0 : 1 }' "$MAN/$p.1" || missing="$missing $code"
	done <<EOF
$codes
EOF
	is "$n:$missing" "7:" "man/$p.1 gives exit statuses 0-6 as $p --help does"
done

# The configuration pages against the shipped files: every key of the
# example deployment (config/vqr.yaml, its commented defaults included) is
# an item of vqr.yaml(5); every key that the shipped catalogs use (the
# sources', their periods' and fields' options, the indicators', checks'
# and the report layout's) is named (`Ic KEY`) in vqr-catalog(5).
keys=$(sed -n 's/^[ #]*\([a-z_][a-z_]*\):.*/\1/p' "$TOP/config/vqr.yaml" | sort -u)
n=$(printf '%s\n' "$keys" | grep -c .)
missing=""
for k in $keys; do
	awk -v k="$k" '$1 == ".It" && $2 == "Ic" { for (f = 3; f <= NF; f++) if ($f == k) { ok = 1; exit } }
		END { exit ok ? 0 : 1 }' "$MAN/vqr.yaml.5" || missing="$missing $k"
done
test "$n" -ge 20; ok $? "config/vqr.yaml has its keys ($n found)"
is "$missing" "" "man/vqr.yaml.5 has an item for every key of config/vqr.yaml"

# keys_of FILE: the keys of a YAML catalog file, but not the names that
# are data (source and field names, enum values, a cell's breakdown values,
# the names of a text block's values).
keys_of() {
	sed 's/#.*//; s/breakdown: {[^}]*}/breakdown: X/g' "$1" | awk '
		{ match($0, /^ */); ind = RLENGTH }
		ind == 0 && /^[a-z_]+:/ { top = $1 }
		ind == 4 && /^ *[a-z_]+:/ { sec = $1 }
		/^ *(- )?[a-z_]+:/ && !(ind == 2 && top == "sources:") && !(ind == 6 && sec == "fields:") &&
		    !(ind >= 10 && sec == "fields:") && !(ind == 6 && sec == "values:") {
			k = $0; sub(/^ *(- )?/, "", k); sub(/:.*/, "", k); print k }
		{ line = $0
		  if (sec == "fields:" && ind >= 10) next
		  while (match(line, /[{,] *[a-z_]+:/)) {
			k = substr(line, RSTART + 1, RLENGTH - 2); gsub(/ /, "", k); print k
			line = substr(line, RSTART + RLENGTH) } }' | sort -u
}
keys=$(for f in "$TOP"/config/catalog.yaml "$TOP"/config/sources/*.yaml "$TOP"/config/indicators/*.yaml \
	"$TOP"/config/report/*.yaml; do keys_of "$f"; done | sort -u)
n=$(printf '%s\n' "$keys" | grep -c .)
missing=""
for k in $keys; do
	# `Ic KEY`, or `Ic A , KEY` on one line
	awk -v k="$k" '{ ic = 0
		for (f = 1; f <= NF; f++) {
			if ($f == "Ic" || $f == ".Ic") ic = 1
			else if (ic && $f == k) { ok = 1; exit }
		} }
		END { exit ok ? 0 : 1 }' "$MAN/vqr-catalog.5" || missing="$missing $k"
done
test "$n" -ge 50; ok $? "the shipped catalogs and report layout have their keys ($n found)"
is "$missing" "" "man/vqr-catalog.5 names every key of the shipped catalogs and report layout"

done_testing
