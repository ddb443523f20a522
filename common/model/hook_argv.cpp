// Recognising the hook's stage command lines; the accepted forms are exactly those the CLI11 app
// in hook/cli/main.cpp gives the same meaning (its `--config` is a global option with
// fallthrough, so it may come before or after the verb).
#include "common/model/hook_argv.hpp"

#include <span>

namespace ocinetns {
namespace {

constexpr std::string_view kConfigFlag = "--config";

std::optional<HookStage> stage_of(std::string_view word) {
  if (word == "createRuntime" || word == "prestart") return HookStage::kCreateRuntime;
  if (word == "poststop") return HookStage::kPoststop;
  return std::nullopt;
}

bool usable_path(std::string_view path) {
  return !path.empty() && path.front() != '-';
}

// `--config P` (two words) or `--config=P` (one): the path, or nullopt if `words` is neither.
std::optional<std::string_view> config_option(std::span<const std::string_view> words) {
  if (words.size() == 2 && words[0] == kConfigFlag && usable_path(words[1])) return words[1];
  if (words.size() == 1 && words[0].starts_with("--config=")) {
    std::string_view path = words[0].substr(kConfigFlag.size() + 1);
    if (usable_path(path)) return path;
  }
  return std::nullopt;
}

}  // namespace

std::optional<StageCommand> parse_stage_argv(const std::vector<std::string_view>& args) {
  if (args.empty()) return std::nullopt;
  // The stage is the first or the last word; the rest, if any, must be one --config option.
  for (bool stage_first : {true, false}) {
    auto stage = stage_of(stage_first ? args.front() : args.back());
    if (!stage) continue;
    std::span<const std::string_view> rest =
        stage_first ? std::span(args).subspan(1) : std::span(args).first(args.size() - 1);
    if (rest.empty()) return StageCommand{*stage, {}};
    if (auto path = config_option(rest)) return StageCommand{*stage, std::string(*path)};
  }
  return std::nullopt;
}

}  // namespace ocinetns
