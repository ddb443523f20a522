// The exec floor with the hook's confinement: a static-pie program (linked as the hook is) that
// installs the hook's own seccomp filter for the stage named in argv[1], as enter_sandbox() does
// (no_new_privs, then the build's precomputed BPF with this process's pid filled in), reads its
// stdin to EOF and exits. Every hook process pays at least this before any work of its own, so it
// is the floor next to the per-process targets of the skip and refused paths.
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "sandbox_bpf.inc"  // generated::kSandboxPrograms, the programs sandbox.cpp loads

int main(int argc, char** argv) {
  bool poststop = argc > 1 && std::strcmp(argv[1], "poststop") == 0;
  const ocinetns::SandboxProgram& p = ocinetns::generated::kSandboxPrograms[poststop ? 1 : 0][0];
  // The filter is at most a few hundred instructions: a stack copy, as the hook's is a heap copy.
  sock_filter program[1024];
  if (p.size > sizeof program / sizeof program[0]) return 3;
  std::memcpy(program, p.insns, p.size * sizeof(sock_filter));
  for (std::size_t i = 0; i < p.pid_slot_count; ++i) {
    program[p.pid_slots[i]].k = static_cast<unsigned>(::getpid());
  }
  sock_fprog fprog{static_cast<unsigned short>(p.size), program};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    return 4;
  }
  char buf[4096];
  while (::read(STDIN_FILENO, buf, sizeof buf) > 0) {
  }
  return 0;
}
