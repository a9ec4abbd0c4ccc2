//===- ArenaPool.h - the memory a CPU artifact's runs plan into --*- C++ -*-===//
//
// A CPU artifact with a static memory plan takes one arena per run, in
// which the compiler placed every intermediate buffer. Two runs cannot share
// one, so a Session keeps a pool: one arena made when the artifact is
// loaded, another only when a run starts while all are in use (concurrent
// Session::run calls), and every arena kept for later runs. A run in steady
// state therefore allocates nothing for its intermediates, and concurrent
// runs do not wait for each other.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_ARENAPOOL_H
#define KILN_LIB_RUNTIME_ARENAPOOL_H

#include <cstdint>
#include <mutex>
#include <vector>

namespace kiln::runtime {

class ArenaPool {
public:
  /// Arenas of `bytes` (rounded up; 64-byte aligned). `ok()` says whether
  /// the first could be allocated.
  explicit ArenaPool(uint64_t bytes);
  ~ArenaPool();
  ArenaPool(const ArenaPool &) = delete;
  ArenaPool &operator=(const ArenaPool &) = delete;

  bool ok() const { return !all_.empty(); }
  uint64_t bytes() const { return bytes_; }
  /// Arenas made so far (the most runs that overlapped, at least one).
  size_t count() const;

  /// An arena for one run, returned by the lease's destructor; null when
  /// memory ran out.
  class Lease {
  public:
    explicit Lease(ArenaPool &pool) : pool_(pool), arena_(pool.acquire()) {}
    ~Lease() {
      if (arena_)
        pool_.release(arena_);
    }
    Lease(const Lease &) = delete;
    Lease &operator=(const Lease &) = delete;
    void *get() const { return arena_; }

  private:
    ArenaPool &pool_;
    void *arena_;
  };

private:
  void *acquire();
  void release(void *arena);

  uint64_t bytes_;
  mutable std::mutex mutex_;
  std::vector<void *> free_; ///< not leased now
  std::vector<void *> all_;  ///< freed with the pool
};

} // namespace kiln::runtime

#endif // KILN_LIB_RUNTIME_ARENAPOOL_H
