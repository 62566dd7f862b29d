# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Sourced by install-test.sh (after tap.sh): check_manpages ROOT checks the
# man pages make install put under ROOT/usr (PREFIX=/usr):
#   - kmscapctl(1), kmscap-stream(1) and libkmscap(3) are there;
#   - groff renders each without a warning (-ww: every warning enabled);
#   - every option the installed tool's --help prints (and every kmscapctl
#     command) is in its page, and every KMSCAP_API function of the
#     installed libkmscap.h is in libkmscap(3)'s synopsis.

# The page's text as written, with roff's \- as - and font changes dropped.
man_text() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' "$1"
}

# Options in a --help text: -x or --name at the start of a word.
help_options() {
	grep -oE -- '(^|[[:space:],(\[])--?[a-zA-Z][a-zA-Z0-9-]*' |
		sed -E 's/^[[:space:],(\[]//' | sort -u
}

# Words of $2 (one per line) missing from page $1, each matched whole.
man_missing() {
	local page=$1 w text
	text=$(man_text "$page")
	while read -r w; do
		[ -n "$w" ] || continue
		grep -qE -e "(^|[^a-zA-Z0-9_-])${w}([^a-zA-Z0-9_-]|\$)" <<<"$text" ||
			printf '%s ' "$w"
	done <<<"$2"
}

# kmscapctl's commands (its --help's "commands:" list) not in bold in page $2.
kmscapctl_commands() {
	local c text
	text=$(man_text "$2")
	for c in $("$1" --help | sed -n '/^commands:/,/^$/{/^  /s/^  \([a-z-]*\).*/\1/p}'); do
		grep -qE -e "^\.B[IR]?[[:space:]]+${c}([[:space:]]|\$)" <<<"$text" ||
			printf '%s ' "$c"
	done
}

check_manpages() {
	local root=$1 man=$1/usr/share/man page missing warn opts
	local -A tool=([man1/kmscapctl.1]=usr/bin/kmscapctl
		[man1/kmscap-stream.1]=usr/bin/kmscap-stream)

	missing=()
	for page in man1/kmscapctl.1 man1/kmscap-stream.1 man3/libkmscap.3; do
		[ -f "$man/$page" ] || missing+=("$page")
	done
	if [ ${#missing[@]} -ne 0 ]; then
		notok "make install installs the man pages" "missing in $man: ${missing[*]}"
		return
	fi
	ok "make install installs kmscapctl(1), kmscap-stream(1) and libkmscap(3)"

	if ! command -v groff >/dev/null; then
		skip "the man pages render without warnings" "groff not installed (make deps)"
	else
		for page in man1/kmscapctl.1 man1/kmscap-stream.1 man3/libkmscap.3; do
			warn=$(groff -man -Tutf8 -ww -z "$man/$page" 2>&1)
			if [ -z "$warn" ]; then
				ok "groff -man -ww renders $page without a warning"
			else
				notok "groff -man -ww renders $page without a warning" "$warn"
			fi
		done
	fi

	for page in "${!tool[@]}"; do
		opts=$(LD_LIBRARY_PATH=$root/usr/lib "$root/${tool[$page]}" --help 2>&1 |
			help_options)
		if [ -z "$opts" ]; then
			notok "every option of ${tool[$page]##*/} --help is in $page" \
				"no option found in its --help"
			continue
		fi
		missing=$(man_missing "$man/$page" "$opts")
		if [ "$page" = man1/kmscapctl.1 ]; then
			# commands: each one in bold at the start of a line
			missing+=$(kmscapctl_commands "$root/${tool[$page]}" "$man/$page")
		fi
		if [ -z "$missing" ]; then
			ok "every option of ${tool[$page]##*/} --help is in $page ($(echo $opts | wc -w) words)"
		else
			notok "every option of ${tool[$page]##*/} --help is in $page" \
				"undocumented: $missing"
		fi
	done

	opts=$(sed -n 's/^KMSCAP_API[^(]*[ *]\(kmscap_[a-z0-9_]*\)(.*/\1/p' \
		"$root/usr/include/libkmscap.h" | sort -u)
	page=$(man_text "$man/man3/libkmscap.3")
	missing=$(for f in $opts; do
		grep -qF -e "$f(" <<<"$page" || printf '%s ' "$f"
	done)
	if [ -z "$opts" ]; then
		notok "every function of libkmscap.h is in libkmscap(3)" \
			"no KMSCAP_API function in $root/usr/include/libkmscap.h"
	elif [ -z "$missing" ]; then
		ok "every function of libkmscap.h is in libkmscap(3)'s synopsis ($(echo $opts | wc -w))"
	else
		notok "every function of libkmscap.h is in libkmscap(3)'s synopsis" \
			"undocumented: $missing"
	fi
}
