#!/bin/sh
# The hardening of the built executables (a ctest test, label unit; registered only in static,
# non-sanitizer builds): each one is a static PIE (ELF type DYN, no interpreter, no shared
# libraries), so the kernel loads it at a random address; has GNU_RELRO and BIND_NOW (-z relro
# -z now); has GNU_EH_FRAME (--eh-frame-hdr: the unwinder's lookup table); a non-executable
# stack; no text relocations; stack canaries in the project's functions
# (-fstack-protector-strong: they call __stack_chk_fail); and checked string and memory calls
# in C++ code (_FORTIFY_SOURCE: calls to __*_chk). Needs binutils (readelf, objdump).
# Usage: tests/check_hardening.sh EXECUTABLE...
set -eu
[ $# -gt 0 ] || { echo "usage: $0 EXECUTABLE..." >&2; exit 2; }
failed=0
fail() {
  echo "check_hardening: $1: $2" >&2
  failed=1
}
for bin in "$@"; do
  [ -f "$bin" ] || { fail "$bin" "missing"; continue; }
  header=$(readelf -hW "$bin")
  segments=$(readelf -lW "$bin")
  dynamic=$(readelf -dW "$bin")
  echo "$header" | grep -q 'Type: *DYN' || fail "$bin" "not position independent (ELF type is not DYN)"
  echo "$segments" | grep -q ' INTERP ' && fail "$bin" "has a program interpreter: not static"
  echo "$dynamic" | grep -q '(NEEDED)' && fail "$bin" "needs shared libraries: not static"
  echo "$dynamic" | grep -q 'Flags:.*PIE' || fail "$bin" "no DF_1_PIE flag"
  echo "$segments" | grep -q ' GNU_RELRO ' || fail "$bin" "no GNU_RELRO segment (-z relro)"
  echo "$dynamic" | grep -Eq '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW' ||
    fail "$bin" "no BIND_NOW (-z now)"
  echo "$segments" | grep -q ' GNU_EH_FRAME ' || fail "$bin" "no GNU_EH_FRAME (--eh-frame-hdr)"
  echo "$segments" | grep ' GNU_STACK ' | grep -q 'RWE' && fail "$bin" "executable stack"
  echo "$dynamic" | grep -q 'TEXTREL' && fail "$bin" "text relocations"
  # One pass over the disassembly: the function each call is in, for the two compile flags.
  calls=$(objdump -d --no-show-raw-insn "$bin" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2 }
    /\tcall .*<__stack_chk_fail>/ && fn ~ /ocinetns/ { ssp[fn] = 1 }
    /\tcall .*<__[a-z0-9]+_chk>/ && fn ~ /^<_Z/ { chk[fn] = 1 }
    END { n = 0; for (f in ssp) n++; m = 0; for (f in chk) m++; print n, m }')
  ssp=${calls% *}
  fortify=${calls#* }
  [ "$ssp" -gt 0 ] || fail "$bin" "no ocinetns function calls __stack_chk_fail (-fstack-protector-strong)"
  [ "$fortify" -gt 0 ] || fail "$bin" "no C++ function calls a __*_chk function (_FORTIFY_SOURCE)"
  [ $failed = 0 ] && echo "check_hardening: $bin: static-pie, relro, now, eh-frame-hdr;" \
    "$ssp ocinetns functions with canaries, $fortify C++ functions with fortified calls"
done
exit $failed
