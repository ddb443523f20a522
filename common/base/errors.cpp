// Error helpers shared by every component.
#include "common/base/errors.hpp"

namespace ocinetns {

void throw_errno(int err, const std::string& context) {
  throw std::system_error(err, std::generic_category(), context);
}

}  // namespace ocinetns
