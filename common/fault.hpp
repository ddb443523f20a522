// Fault-injection points for crash tests. Compiled in only with OCI_NETNS_TEST_BUILD: when the
// environment variable OCI_NETNS_FAULT names the point, the process SIGKILLs itself there.
#pragma once

namespace ocinetns {

#ifdef OCI_NETNS_TEST_BUILD
void fault_point(const char* name);
#define OCI_NETNS_FAULT_POINT(name) ::ocinetns::fault_point(name)
#else
#define OCI_NETNS_FAULT_POINT(name) ((void)0)
#endif

}  // namespace ocinetns
