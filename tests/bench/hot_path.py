# gdb script behind tests/bench/hot_path.sh: lays out the hook's hot path (tests/bench/README.md).
#
# record mode (HOT_PATH_MODE=record): runs the program under gdb with a one-shot breakpoint on
# every function symbol and appends the address of each function entered, in first-entry order,
# to $HOT_PATH_ADDRS. The real kernel runs everything (pidfd, mount, the seccomp sandbox), which
# valgrind 3.19 cannot (no pidfd_open).
#
# emit mode (HOT_PATH_MODE=emit): maps those addresses to the input sections of the link map
# $HOT_PATH_MAP (ld -Map) and writes $HOT_PATH_OUT, a GNU ld script that places those sections
# together in .text.hot_path before .text (INSERT keeps the default script). Why: an exec maps
# text on demand, one fault per 64 KiB window touched (fault-around), and the hook's hot code is
# otherwise spread over 1.5 MB of mostly cold code.
import bisect
import os
import re
import subprocess

import gdb


def function_symbols(exe):
    syms = {}
    out = subprocess.run(["nm", exe], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtWwi":
            syms.setdefault(int(parts[0], 16), parts[2])
    return syms


class Once(gdb.Breakpoint):
    """Records the first entry of one function, then disables itself."""

    def __init__(self, addr, entered):
        super().__init__("*%#x" % addr, internal=True)
        self.addr = addr
        self.entered = entered

    def stop(self):
        self.entered.append(self.addr)
        self.enabled = False
        return False


def load_base(exe):
    """Where the kernel mapped a static-pie `exe` (0 for a fixed-address executable): the start
    of its first mapping, which maps file offset 0, in /proc/PID/maps."""
    real = os.path.realpath(exe)
    with open("/proc/%d/maps" % gdb.selected_inferior().pid) as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and fields[5] == real and int(fields[2], 16) == 0:
                return int(fields[0].split("-")[0], 16)
    return 0


def record():
    exe = gdb.current_progspace().filename
    entered = []
    gdb.execute("set pagination off")
    gdb.execute("starti")
    # nm gives link-time addresses; a PIE runs at a base the kernel chose (gdb turns ASLR off,
    # but the base is still not 0). Recorded addresses are link-time ones again.
    base = 0
    if subprocess.run(["readelf", "-h", exe], capture_output=True, text=True,
                      check=True).stdout.find("DYN (") >= 0:
        base = load_base(exe)
    for addr in function_symbols(exe):
        Once(base + addr, entered)
    gdb.execute("continue")
    with open(os.environ["HOT_PATH_ADDRS"], "a") as out:
        for addr in entered:
            out.write("%#x\n" % (addr - base))


# An input section line of a GNU ld map: " .text.name  0xADDR  0xSIZE  file", where a long name
# puts the rest on the next line.
SECTION = re.compile(r"^ (\.text\S*)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*))?$")
REST = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def input_sections(map_path):
    sections = []
    pending = None
    with open(map_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if pending is not None:
                m = REST.match(line)
                if m:
                    sections.append((int(m.group(1), 16), int(m.group(2), 16), pending, m.group(3)))
                pending = None
                continue
            m = SECTION.match(line)
            if not m:
                continue
            if m.group(2) is None:
                pending = m.group(1)
            else:
                sections.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1), m.group(4)))
    return sorted(s for s in sections if s[1] > 0)


def pattern(name, origin, symbol):
    # A function section (-ffunction-sections: our code, header-only libraries, libstdc++) is
    # named after its function and may come from any object (COMDAT): match it by name. Other
    # sections (".text" of a libc.a member) are shared names: match them by archive member.
    if symbol is not None and name.endswith("." + symbol):
        return "*(%s)" % name
    m = re.match(r"^(?:.*/)?([^/()]+)\(([^()]+)\)$", origin)
    if m:
        return "*%s:%s(%s)" % (m.group(1), m.group(2), name)
    return "*%s(%s)" % (os.path.basename(origin), name)


def emit():
    exe = gdb.current_progspace().filename
    syms = function_symbols(exe)
    sections = input_sections(os.environ["HOT_PATH_MAP"])
    starts = [s[0] for s in sections]
    lines = []
    seen = set()
    with open(os.environ["HOT_PATH_ADDRS"]) as f:
        for text in f:
            addr = int(text, 16)
            i = bisect.bisect_right(starts, addr) - 1
            if i < 0 or not (sections[i][0] <= addr < sections[i][0] + sections[i][1]):
                continue  # not from an input .text section (e.g. the PLT)
            start, size, name, origin = sections[i]
            p = pattern(name, origin, syms.get(addr))
            if p not in seen:
                seen.add(p)
                lines.append(p)
    with open(os.environ["HOT_PATH_OUT"], "w") as out:
        out.write("/* Generated by tests/bench/hot_path.sh from a run of createRuntime and poststop;\n"
                  "   do not edit. The input sections the hook's hot path enters, in first-entry\n"
                  "   order, placed together before .text (tests/bench/README.md). A section that\n"
                  "   no longer exists matches nothing; a new one lands in .text as usual. */\n")
        out.write("SECTIONS\n{\n  .text.hot_path :\n  {\n")
        for p in lines:
            out.write("    %s\n" % p)
        out.write("  }\n}\nINSERT BEFORE .text;\n")
    print("hot_path: %d input sections" % len(lines))


if os.environ.get("HOT_PATH_MODE") == "emit":
    emit()
else:
    record()
