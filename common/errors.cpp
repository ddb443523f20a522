// Error helpers shared by every component.
#include "common/errors.hpp"

namespace ocinetns {

void throw_errno(int err, const std::string& context) {
  throw std::system_error(err, std::generic_category(), context);
}

std::string describe(const std::exception& e) { return e.what(); }

}  // namespace ocinetns
