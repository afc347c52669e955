// bench/gen: the random draws of the generators. std::uniform_int_distribution
// differs between standard libraries; these do not, so a seed gives the same
// dataset everywhere.
#ifndef WRIT_BENCH_GEN_RNG_H_
#define WRIT_BENCH_GEN_RNG_H_

#include <cstdint>
#include <random>

namespace writ::bench {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  // Uniform enough below n (n is tiny next to 2^64); n > 0.
  template <typename I>
  I Below(I n) {
    return static_cast<I>(gen_() % static_cast<std::uint64_t>(n));
  }
  bool Chance(int percent) { return Below(100) < percent; }

 private:
  std::mt19937_64 gen_;
};

}  // namespace writ::bench

#endif  // WRIT_BENCH_GEN_RNG_H_
