#include "observe/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace rdv::metrics {
namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char out[32];
  auto end = std::to_chars(out, out + sizeof out, v).ptr;  // the shortest exact form
  return std::string(out, end);
}

std::string label_text(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels)
    out += (out.size() > 1 ? "," : "") + name + "=\"" + escape_label(value) + "\"";
  return out + "}";
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// Label sets compared as sequences of (name, value), whatever holds the
// texts: a count finds its series from string_views, without building Labels
// (the requests' series are looked up on every request).
using LabelView = std::pair<std::string_view, std::string_view>;
struct LabelsLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
          return LabelView(x.first, x.second) < LabelView(y.first, y.second);
        });
  }
};

// The series of `labels` in `series`, made on its first use.
template <class Map, class L>
typename Map::mapped_type& series_of(Map& series, const L& labels) {
  auto it = series.find(labels);
  if (it == series.end())
    it = series.emplace(Labels(labels.begin(), labels.end()), typename Map::mapped_type{}).first;
  return it->second;
}

class CounterFamily {
 public:
  CounterFamily(const char* name, const char* help) : name_(name), help_(help) {}
  template <class L = Labels>
  void add(const L& labels, double by = 1) {
    std::lock_guard lock(mutex_);
    series_of(values_, labels) += by;
  }
  void render(std::string& out) {
    header(out, name_, "counter", help_);
    std::lock_guard lock(mutex_);
    for (const auto& [labels, value] : values_)
      out.append(name_).append(label_text(labels)).append(" ").append(number(value)).append("\n");
  }

 private:
  const char* name_;
  const char* help_;
  std::mutex mutex_;
  std::map<Labels, double, LabelsLess> values_;
};

// Latency buckets in seconds, from 1 ms to 10 s.
constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,   0.25,   0.5,   1,    2.5,   10};

class HistogramFamily {
 public:
  HistogramFamily(const char* name, const char* help) : name_(name), help_(help) {}
  template <class L = Labels>
  void observe(const L& labels, double seconds) {
    std::lock_guard lock(mutex_);
    Series& s = series_of(series_, labels);
    for (size_t i = 0; i < kBuckets.size(); ++i)
      if (seconds <= kBuckets[i]) ++s.buckets[i];
    ++s.count;
    s.sum += seconds;
  }
  void render(std::string& out) {
    header(out, name_, "histogram", help_);
    std::lock_guard lock(mutex_);
    for (const auto& [labels, s] : series_) {
      for (size_t i = 0; i <= kBuckets.size(); ++i) {
        Labels with_le = labels;
        with_le.emplace_back("le", i < kBuckets.size() ? number(kBuckets[i]) : "+Inf");
        double cumulative = i < kBuckets.size() ? double(s.buckets[i]) : double(s.count);
        out.append(name_).append("_bucket").append(label_text(with_le)).append(" ");
        out.append(number(cumulative)).append("\n");
      }
      out.append(name_).append("_sum").append(label_text(labels)).append(" ");
      out.append(number(s.sum)).append("\n");
      out.append(name_).append("_count").append(label_text(labels)).append(" ");
      out.append(number(double(s.count))).append("\n");
    }
  }

 private:
  struct Series {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // cumulative: le bound
    std::uint64_t count = 0;
    double sum = 0;
  };
  const char* name_;
  const char* help_;
  std::mutex mutex_;
  std::map<Labels, Series, LabelsLess> series_;
};

CounterFamily requests{"rdv_http_requests_total",
                       "HTTP requests answered, by route template, method and status."};
HistogramFamily request_seconds{"rdv_http_request_duration_seconds",
                                "Time to answer an HTTP request, by route template."};
HistogramFamily slot_search_seconds{"rdv_slot_search_duration_seconds",
                                    "Time to compute the free slots of one search."};
CounterFamily bookings{"rdv_bookings_total",
                       "Bookings created, cancelled and moved, by who booked them."};
CounterFamily calendar_failures{"rdv_calendar_sync_failures_total",
                                "Refreshes of external calendars that failed."};
CounterFamily errors{"rdv_errors_total", "Error answers, by error code."};

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void record_request(std::string_view route, std::string_view method, int status, double seconds) {
  // Clients choose the method: one series per known method, the rest as
  // "other", so that no client can grow the registry.
  static constexpr std::string_view kMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                  "PATCH", "DELETE", "OPTIONS"};
  bool known = std::find(std::begin(kMethods), std::end(kMethods), method) != std::end(kMethods);
  char status_text[12];
  std::string_view status_view(
      status_text,
      std::to_chars(status_text, status_text + sizeof status_text, status).ptr - status_text);
  requests.add(std::array<LabelView, 3>{
      {{"route", route}, {"method", known ? method : "other"}, {"status", status_view}}});
  request_seconds.observe(std::array<LabelView, 1>{{{"route", route}}}, seconds);
}

void record_slot_search(double seconds) { slot_search_seconds.observe({}, seconds); }

void record_booking(std::string_view event, std::string_view channel) {
  bookings.add(std::array<LabelView, 2>{{{"event", event}, {"channel", channel}}});
}

void record_calendar_sync_failure() { calendar_failures.add({}); }

void record_error(std::string_view code) { errors.add(std::array<LabelView, 1>{{{"code", code}}}); }

std::string render_counters() {
  std::string out;
  calendar_failures.add({}, 0);  // an unlabelled counter is shown from 0
  requests.render(out);
  request_seconds.render(out);
  slot_search_seconds.render(out);
  bookings.render(out);
  calendar_failures.render(out);
  errors.render(out);
  return out;
}

std::string render_gauge(std::string_view name, std::string_view help,
                         const std::vector<Sample>& samples) {
  return render_family(name, "gauge", help, samples);
}

std::string render_family(std::string_view name, std::string_view type, std::string_view help,
                          const std::vector<Sample>& samples) {
  std::string out;
  header(out, name, type, help);
  for (const auto& s : samples)
    out.append(name).append(label_text(s.labels)).append(" ").append(number(s.value)).append("\n");
  return out;
}

}  // namespace rdv::metrics
