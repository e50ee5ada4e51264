// What the benchmark measured: each figure with the reference measured in the
// same run, on the same machine, and their ratio (machines here are shared and
// noisy, so a time alone says little). Printed as one table and written as
// build/bench/results.json.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rdv::bench {

struct Measure {
  std::string what;  // "p99 slot search, 8 clients, HTTP"
  double value = 0;
  std::string unit;  // "ms", "req/s", "MiB", "count"
};

struct Target {
  // The figure (or the ratio, when `on_ratio`) must be at most / at least `bound`.
  enum class Kind { kAtMost, kAtLeast } kind = Kind::kAtMost;
  double bound = 0;
  bool on_ratio = false;
};

struct Figure {
  std::string section;  // "1 slot search", "2 HTTP ceilings", ...
  Measure measured;
  std::optional<Measure> reference;  // measured in the same run
  std::optional<Target> target;
  std::string note;  // how many slots, bookings made, ...

  // measured / reference, when there is a reference with a non-zero value.
  std::optional<double> ratio() const;
  // Whether the target holds; nullopt without a target.
  std::optional<bool> met() const;
};

class Report {
 public:
  void add(Figure f) { figures_.push_back(std::move(f)); }
  void add_all(std::vector<Figure> fs);
  const std::vector<Figure>& figures() const { return figures_; }
  // The table, as Markdown (BENCHMARKS.md keeps the latest one).
  std::string table() const;
  // results.json: the figures and the context of the run (scale, machine).
  std::string json(const std::string& context_json) const;

 private:
  std::vector<Figure> figures_;
};

// `v` with `decimals` digits after the point, for the notes of figures.
std::string fixed(double v, int decimals = 1);

}  // namespace rdv::bench
