// Name template rendering and validation.
#include "common/model/naming.hpp"

#include <fmt/format.h>
#include <limits.h>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

constexpr std::string_view kAnnotationPrefix = "annotation:";

struct Placeholder {
  std::string_view body;  // between the braces
};

// Calls `on_text` / `on_placeholder` for each segment of the template.
template <typename OnText, typename OnPlaceholder>
void walk_template(std::string_view tmpl, OnText on_text, OnPlaceholder on_placeholder) {
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    std::size_t open = tmpl.find_first_of("{}", pos);
    if (open == std::string_view::npos) {
      on_text(tmpl.substr(pos));
      return;
    }
    if (tmpl[open] == '}') throw InputError("name_template: unmatched '}'");
    on_text(tmpl.substr(pos, open - pos));
    std::size_t close = tmpl.find_first_of("{}", open + 1);
    if (close == std::string_view::npos || tmpl[close] == '{') {
      throw InputError("name_template: unmatched '{'");
    }
    on_placeholder(Placeholder{tmpl.substr(open + 1, close - open - 1)});
    pos = close + 1;
  }
}

std::string short_id(std::string_view id) {
  return std::string(id.substr(0, kShortIdLength));
}

void check_placeholder(const Placeholder& p) {
  if (p.body == "id" || p.body == "short_id" || p.body == "name") return;
  if (p.body.starts_with(kAnnotationPrefix)) {
    std::string_view rest = p.body.substr(kAnnotationPrefix.size());
    std::string_view key = rest.substr(0, rest.find('|'));
    if (key.empty()) throw InputError("name_template: {annotation:KEY} needs a key");
    return;
  }
  throw InputError(fmt::format("name_template: unknown placeholder {{{}}}", p.body));
}

}  // namespace

void validate_name_template(std::string_view tmpl) {
  if (tmpl.empty()) throw InputError("name_template: must not be empty");
  walk_template(
      tmpl, [](std::string_view) {}, check_placeholder);
  // A template made only of literal text would give every container the same name.
  bool has_placeholder = false;
  walk_template(
      tmpl, [](std::string_view) {}, [&](const Placeholder&) { has_placeholder = true; });
  if (!has_placeholder) {
    throw InputError("name_template: must contain a placeholder such as {id}");
  }
}

std::string render_netns_name(std::string_view tmpl, std::string_view id,
                              const std::map<std::string, std::string>& annotations,
                              std::string_view container_name) {
  std::string out;
  out.reserve(id.size() + 16);
  walk_template(
      tmpl, [&](std::string_view text) { out.append(text); },
      [&](const Placeholder& p) {
        check_placeholder(p);
        if (p.body == "id") {
          out.append(id);
        } else if (p.body == "short_id") {
          out.append(short_id(id));
        } else if (p.body == "name") {
          out.append(container_name.empty() ? id : container_name);
        } else {
          std::string_view rest = p.body.substr(kAnnotationPrefix.size());
          std::size_t bar = rest.find('|');
          std::string key(rest.substr(0, bar));
          if (auto it = annotations.find(key); it != annotations.end()) {
            validate_netns_name(it->second, fmt::format("annotation {}", key));
            out.append(it->second);
          } else if (bar == std::string_view::npos || rest.substr(bar + 1) == "id") {
            out.append(id);
          } else if (rest.substr(bar + 1) == "short_id") {
            out.append(short_id(id));
          } else {
            out.append(rest.substr(bar + 1));
          }
        }
      });
  validate_netns_name(out);
  return out;
}

void validate_netns_name(std::string_view name, std::string_view what) {
  if (name.empty()) throw InputError(fmt::format("{}: must not be empty", what));
  if (name.size() > NAME_MAX) {
    throw InputError(fmt::format("{}: longer than {} characters", what, NAME_MAX));
  }
  if (name == "." || name == "..") throw InputError(fmt::format("{}: must not be . or ..", what));
  if (name.find('/') != std::string_view::npos) {
    throw InputError(fmt::format("{}: must not contain '/'", what));
  }
  if (name.front() == '.' || name.front() == '-') {
    throw InputError(fmt::format("{}: must not start with '.' or '-'", what));
  }
  for (unsigned char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) {
      throw InputError(fmt::format("{}: character 0x{:02x} not allowed (use A-Z a-z 0-9 _ . -)",
                                   what, static_cast<unsigned>(c)));
    }
  }
}

}  // namespace ocinetns
