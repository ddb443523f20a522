// Fault-injection implementation (test builds only).
#include "common/base/fault.hpp"

#ifdef OCI_NETNS_TEST_BUILD
#include <signal.h>

#include <cstdlib>
#include <cstring>

namespace ocinetns {

void fault_point(const char* name) {
  const char* wanted = std::getenv("OCI_NETNS_FAULT");
  if (wanted != nullptr && std::strcmp(wanted, name) == 0) ::raise(SIGKILL);
  const char* stop = std::getenv("OCI_NETNS_FAULT_STOP");
  if (stop != nullptr && std::strcmp(stop, name) == 0) ::raise(SIGSTOP);
}

}  // namespace ocinetns
#endif
