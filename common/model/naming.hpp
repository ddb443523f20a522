// Reference names: rendering the configured template and validating the result (pure logic).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace ocinetns {

inline constexpr std::size_t kShortIdLength = 12;

// Checks a template at config load time: known placeholders only, balanced braces.
// Throws InputError("name_template: ...").
void validate_name_template(std::string_view tmpl);

// Renders the template. Placeholders:
//   {id}                    the container id
//   {short_id}              the first 12 characters of the id
//   {annotation:KEY}        the annotation's value, or the id if the annotation is absent
//   {annotation:KEY|id}     ... falling back to the id
//   {annotation:KEY|short_id}  ... falling back to the short id
//   {annotation:KEY|TEXT}   ... falling back to the literal TEXT
//   {name}                  `container_name` (the engine's name for the container, already
//                           mapped with map_engine_name()), or the id if it is empty
// The result is validated with validate_netns_name(); throws InputError naming the source.
std::string render_netns_name(std::string_view tmpl, std::string_view id,
                              const std::map<std::string, std::string>& annotations,
                              std::string_view container_name = {});

// iproute2's rules (ip/ipnetns.c is_valid_netns_name: non-empty, <= NAME_MAX, no '/', not "." or
// "..") plus a conservative set: [A-Za-z0-9_.-], not starting with '.' or '-'.
// Throws InputError("<what>: ...").
void validate_netns_name(std::string_view name, std::string_view what = "netns name");

}  // namespace ocinetns
