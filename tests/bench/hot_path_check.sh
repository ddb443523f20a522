#!/bin/sh
# CI check for hook/hot_path.ld (a ctest test, label unit): fails when fewer than 80% of its
# entries matched an input section in the hook's link map, so a toolchain or code change that
# renames the hot sections cannot silently void the layout (regenerate with
# tests/bench/hot_path.sh). GNU ld's map echoes each statement of the script under the output
# section, followed by the input sections it placed: an entry with none below it matched nothing.
# Usage: tests/bench/hot_path_check.sh hook/hot_path.ld build/hook/oci-netns-hook.map [percent]
set -eu
LD=$1
MAP=$2
MIN=${3:-80}
[ -f "$LD" ] || { echo "hot_path_check: no $LD" >&2; exit 1; }
[ -f "$MAP" ] || { echo "hot_path_check: no link map $MAP" >&2; exit 1; }
total=$(grep -c '^ *\*.*(' "$LD" || true)
[ "$total" -gt 0 ] || { echo "hot_path_check: no entries in $LD" >&2; exit 1; }
# In the map: ".text.hot_path" starts the output section (column 0) and the next line in
# column 0 ends it; " *pattern(section)" lines are the script's entries (" *fill*" is padding);
# " .name ..." lines are input sections placed by the entry above them.
awk -v unmatched="${HOT_PATH_UNMATCHED:-/dev/null}" '
  function close_entry() {
    if (entry != "") { if (hit) matched++; else print entry > unmatched }
    entry = ""; hit = 0
  }
  /^\.text\.hot_path([ \t]|$)/ { inside = 1; next }
  inside && /^[^ \t]/ { close_entry(); inside = 0 }
  !inside { next }
  /^ \*fill\*/ { next }
  /^ \*/ { close_entry(); entry = $1; entries++; next }
  /^ \./ && entry != "" { hit = 1 }
  END { close_entry(); printf "%d %d\n", entries, matched }
' "$MAP" >"${TMPDIR:-/tmp}/hot_path_check.$$"
read -r listed matched <"${TMPDIR:-/tmp}/hot_path_check.$$"
rm -f "${TMPDIR:-/tmp}/hot_path_check.$$"
percent=$((matched * 100 / total))
echo "hot_path_check: $matched of $total entries of $LD matched input sections ($percent%);" \
  "the map lists $listed"
if [ "$percent" -lt "$MIN" ]; then
  echo "hot_path_check: below $MIN%: regenerate it with tests/bench/hot_path.sh" >&2
  exit 1
fi
