#include "bench/report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace rdv::bench {
namespace {

std::string number(double v) {
  char buf[32];
  double a = v < 0 ? -v : v;
  std::snprintf(buf, sizeof buf, a >= 100 || a == 0 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

std::string with_unit(const Measure& m) { return number(m.value) + " " + m.unit; }

std::string target_text(const Target& t) {
  std::string s = t.kind == Target::Kind::kAtMost ? "≤ " : "≥ ";
  return (t.on_ratio ? "ratio " : "") + s + number(t.bound);
}

}  // namespace

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::optional<double> Figure::ratio() const {
  if (!reference || reference->value == 0) return std::nullopt;
  return measured.value / reference->value;
}

std::optional<bool> Figure::met() const {
  if (!target) return std::nullopt;
  std::optional<double> v = target->on_ratio ? ratio() : std::optional<double>(measured.value);
  if (!v) return false;
  return target->kind == Target::Kind::kAtMost ? *v <= target->bound : *v >= target->bound;
}

void Report::add_all(std::vector<Figure> fs) {
  for (auto& f : fs) figures_.push_back(std::move(f));
}

std::string Report::table() const {
  std::string out =
      "| section | measured | value | reference (same run) | reference value | ratio | target |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const Figure& f : figures_) {
    auto r = f.ratio();
    auto met = f.met();
    out += "| " + f.section + " | " + f.measured.what +
           (f.note.empty() ? "" : " (" + f.note + ")") + " | " + with_unit(f.measured) + " | " +
           (f.reference ? f.reference->what : "") + " | " +
           (f.reference ? with_unit(*f.reference) : "") + " | " + (r ? number(*r) : "") + " | " +
           (f.target ? target_text(*f.target) + (*met ? " ✓" : " ✗ missed") : "") + " |\n";
  }
  return out;
}

std::string Report::json(const std::string& context_json) const {
  nlohmann::json figures = nlohmann::json::array();
  for (const Figure& f : figures_) {
    nlohmann::json j = {{"section", f.section},
                        {"what", f.measured.what},
                        {"value", f.measured.value},
                        {"unit", f.measured.unit},
                        {"note", f.note}};
    if (f.reference)
      j["reference"] = {
          {"what", f.reference->what}, {"value", f.reference->value}, {"unit", f.reference->unit}};
    if (auto r = f.ratio()) j["ratio"] = *r;
    if (f.target) {
      j["target"] = {{"kind", f.target->kind == Target::Kind::kAtMost ? "at_most" : "at_least"},
                     {"bound", f.target->bound},
                     {"on_ratio", f.target->on_ratio}};
      j["met"] = *f.met();
    }
    figures.push_back(std::move(j));
  }
  return nlohmann::json{{"context", nlohmann::json::parse(context_json)}, {"figures", figures}}
      .dump(2);
}

}  // namespace rdv::bench
