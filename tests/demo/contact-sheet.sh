#!/bin/sh
# SPDX-License-Identifier: MIT
#
# contact-sheet.sh STREAM.h264 SHEET.png [N [EXPECTED]]
#
# Decodes an H.264 elementary stream with ffmpeg, prints how many frames it
# has at which sizes, and tiles N (default 12) frames spread evenly over
# the stream, each scaled to 480x270, into a PNG contact sheet (4 columns).
# Frames of different sizes (a mode change mid-stream) are scaled alike.
# Exit status 1 (with the reason) when the stream does not decode, or does
# not have EXPECTED frames (the encoder's count) when that is given.
set -eu

in=$1
sheet=$2
n=${3:-12}
expected=${4:-}
cols=4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmscap-sheet.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for tool in ffmpeg ffprobe; do
	command -v $tool >/dev/null || { echo "contact-sheet: $tool not found (apt-get install ffmpeg)" >&2; exit 1; }
done
[ -s "$in" ] || { echo "contact-sheet: $in is missing or empty" >&2; exit 1; }

# Every decoded frame's size, one line each.
if ! ffprobe -v error -f h264 -select_streams v:0 -show_entries frame=width,height \
	-of csv=p=0 "$in" >"$tmp/sizes" 2>"$tmp/probe.err"; then
	echo "contact-sheet: ffprobe could not decode $in:" >&2
	cat "$tmp/probe.err" >&2
	exit 1
fi
total=$(wc -l <"$tmp/sizes")
[ "$total" -gt 0 ] || { echo "contact-sheet: $in has no decodable frame" >&2; exit 1; }
echo "contact-sheet: $in: $total frames decoded: $(sort "$tmp/sizes" | uniq -c |
	awk '{ gsub(",", "x", $2); printf "%s%d at %s", sep, $1, $2; sep = ", " }')"
if [ -n "$expected" ] && [ "$total" -ne "$expected" ]; then
	echo "contact-sheet: $in: $total frames decode, the encoder reported $expected" >&2
	exit 1
fi
[ -s "$tmp/probe.err" ] && { echo "contact-sheet: decoder messages:"; sed 's/^/  /' "$tmp/probe.err"; }

# Every frame as a small PNG (the scaler is re-made at a size change).
ffmpeg -v error -f h264 -i "$in" -vf scale=480:270,setsar=1 -fps_mode passthrough \
	"$tmp/f%05d.png"
got=$(ls "$tmp" | grep -c '^f.*png$' || true)
[ "$got" -eq "$total" ] || { echo "contact-sheet: ffmpeg wrote $got frames, ffprobe saw $total" >&2; exit 1; }

# N frames spread evenly, first and last included.
[ "$n" -le "$total" ] || n=$total
i=0
while [ $i -lt "$n" ]; do
	if [ "$n" -gt 1 ]; then k=$(( 1 + i * (total - 1) / (n - 1) )); else k=1; fi
	cp "$tmp/$(printf 'f%05d.png' $k)" "$tmp/$(printf 's%03d.png' $i)"
	i=$((i + 1))
done
rows=$(( (n + cols - 1) / cols ))
[ "$n" -ge $cols ] || cols=$n
ffmpeg -v error -y -framerate 1 -i "$tmp/s%03d.png" \
	-vf "tile=${cols}x${rows}:padding=4:margin=4" -frames:v 1 "$sheet"
echo "contact-sheet: wrote $sheet ($n of $total frames, ${cols}x$rows)"
