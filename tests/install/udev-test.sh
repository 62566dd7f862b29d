#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# udev-test.sh SCRATCH TAP: kmscap's udev rules, checked on this host.
#   1. 72-kmscap-seat.rules sorts after systemd's 71-seat.rules and before
#      73-seat-late.rules, and removes the uaccess, seat and master-of-seat
#      tags from kmscap cards only, putting them on seat "kmscap";
#   2. systemd's rules still do what that file counts on (71 tags DRM cards
#      for the seat, 73 runs the uaccess builtin on uaccess-tagged devices);
#   3. udevadm test on a fake kmscap card (and a fake card of another
#      driver) in a private mount namespace: with kmscap's rules the kmscap
#      card has none of the three as current tags (the sticky ones stay:
#      systemd 247's semantics), its ID_SEAT is "kmscap", which no logind
#      seat can be, and its node gets mode 0660; the other card keeps its
#      tags and seat; without kmscap's rules the kmscap card has them (so
#      the check can fail).  Needs root, unshare and udevadm; nothing
#      outside the namespace is touched (/dev, /run and the platform
#      devices are tmpfs there).
set -uo pipefail

scratch=${1:?usage: udev-test.sh SCRATCH TAP}
tap=${2:?usage: udev-test.sh SCRATCH TAP}
top=$(cd "$(dirname "$0")/../.." && pwd)
tap_what=udev
# shellcheck source=tests/install/tap.sh
. "$(dirname "$0")/tap.sh"

rm -rf "$scratch"
mkdir -p "$scratch"
seat=$top/udev/72-kmscap-seat.rules
perm=$top/udev/60-kmscap.rules
tags='uaccess seat master-of-seat'

# 1. order and content
first=$(printf '%s\n' 71-seat.rules 73-seat-late.rules "${seat##*/}" | LC_ALL=C sort |
	sed -n 2p)
if [ "$first" = "${seat##*/}" ]; then
	ok "${seat##*/} runs between 71-seat.rules and 73-seat-late.rules"
else
	notok "${seat##*/} sorts between 71-seat.rules and 73-seat-late.rules"
fi
line=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$seat" | grep -v '^#' | grep 'TAG-=')
missing=
for t in $tags; do
	case $line in *"TAG-=\"$t\""*) ;; *) missing="$missing $t" ;; esac
done
if [ -z "$missing" ] && [ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] &&
   printf '%s' "$line" | grep -q 'ENV{ID_SEAT}="kmscap"' &&
   printf '%s' "$line" | grep -q 'SUBSYSTEM=="drm"' &&
   printf '%s' "$line" | grep -q 'KERNELS=="kmscap\.\*"' &&
   printf '%s' "$line" | grep -q 'SUBSYSTEMS=="platform"'; then
	ok "${seat##*/} removes $tags from kmscap cards only and sets ID_SEAT=kmscap"
else
	notok "${seat##*/} removes $tags from kmscap cards only and sets ID_SEAT=kmscap" \
		"rule: $line" "tags not removed:${missing:- none}"
fi

# 2. systemd's rules, as the file assumes them
sysrules=
for d in /usr/lib/udev/rules.d /lib/udev/rules.d; do
	if [ -f "$d/71-seat.rules" ]; then
		sysrules=$d
		break
	fi
done
if [ -z "$sysrules" ]; then
	skip "systemd's 71-seat.rules and 73-seat-late.rules" "not installed (apt-get install udev)"
elif grep -q '^SUBSYSTEM=="drm", KERNEL=="card\[0-9\]\*", TAG+="seat", TAG+="master-of-seat"' \
	"$sysrules/71-seat.rules" &&
     grep -q '^TAG=="uaccess", SUBSYSTEM!="sound", TAG+="seat"' "$sysrules/71-seat.rules" &&
     grep -q '^TAG=="uaccess".*RUN{builtin}+="uaccess"' "$sysrules/73-seat-late.rules" &&
     grep -q '^SUBSYSTEM=="drm", KERNEL=="card\*", TAG+="uaccess"' "$sysrules/70-uaccess.rules"; then
	ok "systemd's rules tag DRM cards for the seat in 70/71 and act on uaccess in 73 ($sysrules)"
else
	notok "systemd's 70-uaccess, 71-seat and 73-seat-late rules are as ${seat##*/} assumes" \
		"see $sysrules"
fi

# 3. udevadm test in a private mount namespace
why=
if [ "$(id -u)" != 0 ]; then
	why="needs root"
elif ! command -v udevadm >/dev/null || ! command -v unshare >/dev/null; then
	why="needs udevadm and unshare"
elif [ -z "$sysrules" ]; then
	why="no systemd udev rules"
elif [ ! -d /etc/udev/rules.d ] || [ ! -d /sys/devices/platform ]; then
	why="no /etc/udev/rules.d or /sys/devices/platform"
fi
if [ -n "$why" ]; then
	skip "udevadm test of a fake kmscap card" "$why"
	exit 0
fi

mkdir -p "$scratch/rules" "$scratch/none" "$scratch/dev"
cp "$perm" "$seat" "$scratch/rules/"
# udevadm-run.sh RULESDIR SYSPATH OUT: one "udevadm test" in the namespace
cat >"$scratch/udevadm-run.sh" <<'SH'
set -e
rules=$1 syspath=$2 out=$3 scratch=$4
mount -t tmpfs tmpfs "$scratch/dev"
mknod -m 666 "$scratch/dev/null" c 1 3
mount --bind "$scratch/dev" /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /sys/devices/platform
mount --bind "$rules" /etc/udev/rules.d
# a kmscap card, and a card of another platform driver
for dev in kmscap.0:1 vkms:0; do
	p=/sys/devices/platform/${dev%:*}
	minor=${dev#*:}
	mkdir -p "$p/drm/card$minor"
	printf 'DRIVER=%s\nMODALIAS=platform:%s\n' "${dev%%.*}" "${dev%%.*}" >"$p/uevent"
	ln -s ../../../bus/platform "$p/subsystem"
	printf 'MAJOR=226\nMINOR=%s\nDEVNAME=dri/card%s\nDEVTYPE=drm_minor\n' "$minor" \
		"$minor" >"$p/drm/card$minor/uevent"
	ln -s ../../../../../class/drm "$p/drm/card$minor/subsystem"
done
# The fake devices live on tmpfs, not sysfs.
SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action=add "$syspath" >"$out" 2>&1 || true
echo "--- database" >>"$out"
cat /run/udev/data/c226:* >>"$out" 2>/dev/null || true
SH

# udevadm_test NAME RULESDIR SYSPATH: output in $scratch/NAME.log
udevadm_test() {
	unshare -m --propagation private sh "$scratch/udevadm-run.sh" "$2" "$3" \
		"$scratch/$1.log" "$scratch" >"$scratch/$1.unshare.log" 2>&1
}
# current_tags LOG: the current tags the database has ("Q:" lines)
current_tags() {
	sed -n 's/^Q://p' "$1" | sort | tr '\n' ' ' | sed 's/ $//'
}
kcard=/sys/devices/platform/kmscap.0/drm/card1
ocard=/sys/devices/platform/vkms/drm/card0

if ! udevadm_test control "$scratch/none" "$kcard" || ! grep -q '^--- database' "$scratch/control.log"; then
	skip "udevadm test of a fake kmscap card" \
		"cannot run udevadm test in a mount namespace: $(tail -1 "$scratch/control.unshare.log")"
	exit 0
fi
q=$(current_tags "$scratch/control.log")
if [ "$q" = "master-of-seat seat uaccess" ] &&
   grep -q "RUN 'uaccess'" "$scratch/control.log"; then
	ok "without kmscap's rules a kmscap card is a seat device with uaccess (current tags: $q)"
else
	notok "without kmscap's rules a kmscap card is a seat device with uaccess" \
		"current tags '$q'; see $scratch/control.log"
fi

udevadm_test kmscap "$scratch/rules" "$kcard"
q=$(current_tags "$scratch/kmscap.log")
if grep -q '^--- database' "$scratch/kmscap.log" && [ "$q" = "kmscap" ] &&
   grep -q '^E:ID_SEAT=kmscap$' "$scratch/kmscap.log"; then
	ok "with kmscap's rules a kmscap card is on no seat: ID_SEAT=kmscap, current tags: $q"
else
	notok "with kmscap's rules a kmscap card has no seat, master-of-seat or uaccess tag" \
		"current tags '$q', expected 'kmscap'; see $scratch/kmscap.log"
fi
if grep -q '60-kmscap.rules:[0-9]* MODE 0660' "$scratch/kmscap.log"; then
	ok "60-kmscap.rules gives the kmscap card mode 0660"
else
	notok "60-kmscap.rules gives the kmscap card mode 0660" "see $scratch/kmscap.log"
fi

udevadm_test other "$scratch/rules" "$ocard"
q=$(current_tags "$scratch/other.log")
if [ "$q" = "master-of-seat seat uaccess" ] &&
   ! grep -q '^E:ID_SEAT=' "$scratch/other.log" &&
   ! grep -q '60-kmscap.rules:[0-9]* MODE' "$scratch/other.log"; then
	ok "another driver's card keeps its seat tags and mode (current tags: $q)"
else
	notok "another driver's card is left alone by kmscap's rules" \
		"current tags '$q'; see $scratch/other.log"
fi
exit 0
