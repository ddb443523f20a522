// Fault-injection implementation (test builds only).
#include "common/fault.hpp"

#ifdef OCI_NETNS_TEST_BUILD
#include <signal.h>

#include <cstdlib>
#include <cstring>

namespace ocinetns {

void fault_point(const char* name) {
  const char* wanted = std::getenv("OCI_NETNS_FAULT");
  if (wanted != nullptr && std::strcmp(wanted, name) == 0) ::raise(SIGKILL);
}

}  // namespace ocinetns
#endif
