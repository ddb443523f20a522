// ScopeGuard: runs a rollback action unless commit() was called; for multi-step setup.
#pragma once

#include <utility>

namespace ocinetns {

template <typename F>
class ScopeGuard {
 public:
  explicit ScopeGuard(F rollback) : rollback_(std::move(rollback)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ~ScopeGuard() {
    if (!committed_) {
      try {
        rollback_();
      } catch (...) {
        // A rollback must not mask the error that triggered it.
      }
    }
  }
  void commit() noexcept { committed_ = true; }

 private:
  F rollback_;
  bool committed_ = false;
};

}  // namespace ocinetns
