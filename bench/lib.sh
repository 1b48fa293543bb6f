# lib.sh - shared by the bench scripts (sourced; POSIX sh).
#
#   . "$TOP/bench/lib.sh"
#   repeat_fixture ROWS OUT   the header of the fixture graduate register,
#                             then its 1466 rows repeated to ROWS rows, into OUT

repeat_fixture() {
	_fix="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
	{
		sed -n 2p "$_fix"
		_n=0
		while [ "$_n" -lt "$1" ]; do
			tail -n +3 "$_fix"
			_n=$((_n + 1466))
		done
	} | head -n $(($1 + 1)) > "$2"
}
