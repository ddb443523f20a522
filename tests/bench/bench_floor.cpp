// The exec floor for tests/bench: a trivial static program that reads its stdin to EOF and exits,
// so one run costs what any hook costs before it does anything (fork, exec, static start-up).
#include <unistd.h>

int main() {
  char buf[4096];
  while (::read(STDIN_FILENO, buf, sizeof buf) > 0) {
  }
  return 0;
}
