// Resolving exec's TARGET against the records (pure logic).
#include "common/model/exec_target.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <map>

namespace ocinetns {
namespace {

constexpr std::size_t kMaxListed = 10;

std::string describe(const ExecCandidate& c) {
  std::string out = c.reference + " (container " + c.id.substr(0, 12);
  if (!c.container_name.empty()) out += ", " + c.container_name;
  return out + ")";
}

}  // namespace

ExecTargetMatch match_exec_target(std::string_view target,
                                  const std::vector<ExecCandidate>& candidates) {
  ExecTargetMatch out;
  using Rule = std::function<bool(const ExecCandidate&)>;
  const std::pair<const char*, Rule> rules[] = {
      {"reference name", [&](const ExecCandidate& c) { return c.reference == target; }},
      {"container name",
       [&](const ExecCandidate& c) {
         return !c.container_name.empty() && c.container_name == target;
       }},
      {"container id", [&](const ExecCandidate& c) { return c.id == target; }},
      {"id prefix",
       [&](const ExecCandidate& c) {
         return target.size() >= kMinIdPrefix && c.id.starts_with(target);
       }},
  };
  for (const auto& [what, rule] : rules) {
    std::map<std::string, std::size_t> by_reference;  // sorted, one per reference
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (rule(candidates[i])) by_reference.emplace(candidates[i].reference, i);
    }
    if (by_reference.empty()) continue;
    if (by_reference.size() == 1) {
      out.index = static_cast<long>(by_reference.begin()->second);
      return out;
    }
    std::vector<std::string> listed;
    for (const auto& [ref, i] : by_reference) {
      if (listed.size() == kMaxListed) {
        listed.push_back(fmt::format("and {} more", by_reference.size() - kMaxListed));
        break;
      }
      listed.push_back(describe(candidates[i]));
    }
    out.problem = fmt::format("exec: `{}` is ambiguous: it is the {} of {}", target, what,
                              fmt::join(listed, ", "));
    return out;
  }
  if (target.size() < kMinIdPrefix) {
    out.problem = fmt::format(
        "exec: `{}` names no reference, container name or id (an id prefix needs at least {} "
        "characters)",
        target, kMinIdPrefix);
  } else {
    std::vector<std::string> names;
    for (const auto& c : candidates) names.push_back(c.reference);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.size() > kMaxListed) names.resize(kMaxListed);
    out.problem =
        fmt::format("exec: `{}` names no reference, container name or id; known: {}", target,
                    names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
  }
  return out;
}

}  // namespace ocinetns
