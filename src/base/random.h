// Random: the engine's one seeded source of randomness (xoshiro256**, seeded by splitmix64).
// Same seed, same sequence, on every platform: offer and assignment ids, weighted choices and
// simulations all replay from a seed.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace sb {

class Random {
 public:
  explicit Random(std::uint64_t seed);

  std::uint64_t Next();
  // Uniform in [0, bound); bound > 0.
  std::uint64_t Uniform(std::uint64_t bound);
  // Uniform in [0, 1).
  double UniformDouble();
  // A version-4 UUID in its canonical lower-case text form.
  std::string Uuid();

  // The generator's position, to persist and resume the sequence exactly.
  using State = std::array<std::uint64_t, 4>;
  State state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
  void set_state(const State& state) {
    for (int i = 0; i < 4; ++i) state_[i] = state[static_cast<std::size_t>(i)];
  }

 private:
  std::uint64_t state_[4];
};

}  // namespace sb
