// Sysctl planning: which writes a container gets, and which annotations are refused and why.
#include "common/model/sysctl_plan.hpp"

#include <fmt/format.h>

#include "common/base/errors.hpp"

namespace ocinetns {

bool SysctlPlan::needs(SysctlNamespace ns) const {
  for (const auto& w : writes) {
    if (w.key.ns == ns) return true;
  }
  return false;
}

SysctlPlan plan_sysctls(const std::vector<SysctlSetting>& config,
                        const std::vector<SysctlPattern>& allowlist,
                        const std::map<std::string, std::string>& annotations) {
  SysctlPlan plan;
  std::vector<SysctlWrite> from_annotations;
  std::map<std::string, std::string> annotated;  // normalised path -> annotation key
  for (const auto& [name, value] : annotations) {
    if (!name.starts_with(kSysctlAnnotationPrefix)) continue;
    std::string_view key = std::string_view(name).substr(kSysctlAnnotationPrefix.size());
    try {
      SysctlKey k = normalize_sysctl_key(key);
      validate_sysctl_value(key, value);
      if (!sysctl_allowed(allowlist, k)) {
        throw InputError(fmt::format("sysctl {}: not allowed by annotation_sysctls", k.display));
      }
      if (auto [it, inserted] = annotated.emplace(k.path, name); !inserted) {
        throw InputError(fmt::format("sysctl {}: same key as annotation {}", k.display,
                                     printable_sysctl_key(it->second)));
      }
      from_annotations.push_back({std::move(k), value, SysctlSource::kAnnotation});
    } catch (const InputError& e) {
      plan.refused.push_back({printable_sysctl_key(name), e.what()});
    }
  }
  for (const auto& setting : config) {
    if (annotated.contains(setting.key.path)) continue;  // the container's value replaces it
    plan.writes.push_back({setting.key, setting.value, SysctlSource::kConfig});
  }
  for (auto& w : from_annotations) plan.writes.push_back(std::move(w));
  return plan;
}

}  // namespace ocinetns
