#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-config.sh CONFIG FRAGMENT...
#
# Fail when an option a config fragment asks for did not make it into the
# final .config: merge_config.sh and olddefconfig drop an option whose
# dependencies are not met without failing, so a fragment can silently
# promise what the kernel does not have. "CONFIG_X=v" must appear as is;
# "# CONFIG_X is not set" must not be set to anything. As in
# merge_config.sh, a later fragment overrides an earlier one: only the
# last fragment naming an option is held to it.
set -eu

# overridden OPT FRAGMENT...: does a fragment after this one name OPT?
overridden() {
	opt=$1
	shift
	for later in "$@"; do
		grep -qE "^$opt=|^# $opt is not set" "$later" && return 0
	done
	return 1
}

config=$1
shift
missing=0
for frag in "$@"; do
	shift
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$config" && continue
			opt=${line%%=*}
			overridden "$opt" "$@" && continue
			got=$(grep -E "^$opt=|^# $opt is not set" "$config" || true)
			echo "check-config: $(basename "$frag") asks for $line," \
				"the .config has ${got:-nothing}" >&2
			missing=$((missing + 1)) ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			overridden "$opt" "$@" && continue
			got=$(grep -E "^$opt=" "$config" || true)
			[ -z "$got" ] && continue
			echo "check-config: $(basename "$frag") asks for '$line'," \
				"the .config has $got" >&2
			missing=$((missing + 1)) ;;
		esac
	done < "$frag"
done
if [ "$missing" -ne 0 ]; then
	echo "check-config: $missing option(s) missing from $config;" \
		"fix the fragment or the dependency it lacks" >&2
	exit 1
fi
