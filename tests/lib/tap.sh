# tap.sh - Test Anything Protocol helpers for vqr's shell tests (sourced).
#
#   . tests/lib/tap.sh
#   ok "$cond_status" "name"     # 0 = pass
#   is "$got" "$want" "name"
#   like "$text" "glob pattern" "name"
#   done_testing                 # prints the plan, exits 1 if any failed
_tap_n=0
_tap_failed=0

ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -40
		return 1
	fi
}

like() {
	case "$1" in
	$2) ok 0 "$3" ;;
	*) ok 1 "$3"; printf '#   text: %s\n#   does not match: %s\n' "$1" "$2" | head -40; return 1 ;;
	esac
}

# diag TEXT: print TEXT as TAP comment lines (e.g. a failing command's output).
diag() {
	printf '%s\n' "$*" | sed 's/^/# /' | head -40
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}
