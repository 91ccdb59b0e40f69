#include "server/metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/base/casts.h"
#include "absl/base/internal/raw_logging.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tessera::metrics {
namespace {

// std::atomic<double>::fetch_add is C++20; a CAS loop on the bits does it.
void AtomicAdd(std::atomic<uint64_t>& bits, double by) {
  uint64_t old = bits.load(std::memory_order_relaxed);
  while (!bits.compare_exchange_weak(
      old, absl::bit_cast<uint64_t>(absl::bit_cast<double>(old) + by),
      std::memory_order_relaxed)) {
  }
}

double Load(const std::atomic<uint64_t>& bits) {
  return absl::bit_cast<double>(bits.load(std::memory_order_relaxed));
}

bool IsValidName(const std::string& name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || (colon_ok && c == ':') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(const std::string& name) {
  return IsValidName(name, /*colon_ok=*/false) && !absl::StartsWith(name, "__");
}

void CheckLabelNames(const std::string& metric,
                     const std::vector<std::string>& names, bool histogram) {
  absl::flat_hash_set<std::string> seen;
  for (const std::string& label : names) {
    if (!IsValidLabelName(label) || (histogram && label == "le") ||
        !seen.insert(label).second) {
      ABSL_RAW_LOG(FATAL, "metric %s: invalid or repeated label name \"%s\"",
                   metric.c_str(), label.c_str());
    }
  }
}

std::string Escape(const std::string& text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quotes && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// Integers print in full (a counter of 1e17 reads as one), everything else
// as the shortest text that parses back to the same double.
std::string Number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::trunc(value) && std::fabs(value) < 1e18) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  char buffer[32];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

std::string LabelText(const LabelPairs& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    absl::StrAppend(&out, i > 0 ? "," : "", labels[i].first, "=\"",
                    Escape(labels[i].second, /*quotes=*/true), "\"");
  }
  return out + "}";
}

LabelPairs Zip(const std::vector<std::string>& names,
               const std::vector<std::string>& values) {
  LabelPairs labels;
  for (size_t i = 0; i < names.size(); ++i) {
    labels.emplace_back(names[i], values[i]);
  }
  return labels;
}

}  // namespace

void Counter::Increment(double by) {
  if (!(by >= 0)) return;
  AtomicAdd(bits_, by);
}

double Counter::value() const { return Load(bits_); }

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(*bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double value) {
  // Written as !(value <= bound) so NaN runs past every bound to +Inf.
  const auto bucket =
      std::partition_point(bounds_.begin(), bounds_.end(),
                           [value](double bound) { return !(value <= bound); });
  counts_[bucket - bounds_.begin()].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_bits_, value);
}

template <typename Child>
Child* Family<Child>::WithLabels(std::vector<std::string> values) {
  if (values.size() != label_names_.size()) {
    ABSL_RAW_LOG(FATAL, "%zu label values for %zu label names", values.size(),
                 label_names_.size());
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    const auto it = children_.find(values);
    if (it != children_.end()) return it->second.get();
  }
  // The overflow child's values are reserved, so no child renders like it.
  const bool refused =
      std::any_of(values.begin(), values.end(), [](const std::string& value) {
        return value.size() > kMaxLabelValueBytes ||
               value == kOverflowLabelValue;
      });
  absl::MutexLock lock(&mu_);
  if (refused) return Overflow();
  const auto it = children_.find(values);  // Another thread may have won.
  if (it != children_.end()) return it->second.get();
  if (children_.size() >= kMaxLabelSets) return Overflow();
  std::unique_ptr<Child>& child = children_[std::move(values)];
  child = make_();
  return child.get();
}

template <typename Child>
Child* Family<Child>::Overflow() {
  if (overflow_ == nullptr) {
    ABSL_RAW_LOG(WARNING,
                 "metric %s: more than %zu label sets, or a value over %zu "
                 "bytes; counting them under \"%s\"",
                 name_.c_str(), kMaxLabelSets, kMaxLabelValueBytes,
                 kOverflowLabelValue);
    overflow_ = make_();
  }
  return overflow_.get();
}

template <typename Child>
std::vector<std::pair<std::vector<std::string>, const Child*>>
Family<Child>::SortedChildren() const {
  std::vector<std::pair<std::vector<std::string>, const Child*>> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    out.reserve(children_.size() + 1);
    for (const auto& [values, child] : children_) {
      out.emplace_back(values, child.get());
    }
    if (overflow_ != nullptr) {
      out.emplace_back(
          std::vector<std::string>(label_names_.size(), kOverflowLabelValue),
          overflow_.get());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

template class Family<Counter>;
template class Family<Histogram>;

// Immutable once registered, so Render reads it without the registry's lock.
struct Registry::Entry {
  std::string name;
  std::string help;
  const char* type;
  std::unique_ptr<CounterFamily> counters;
  std::vector<double> bounds;  // Before histograms: they point into it.
  std::unique_ptr<HistogramFamily> histograms;
  std::function<std::vector<GaugeSample>()> collect;  // Gauges, callbacks.
};

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::Register(std::unique_ptr<Entry> entry) {
  const std::string& name = entry->name;
  if (!IsValidName(name, /*colon_ok=*/true)) {
    ABSL_RAW_LOG(FATAL, "invalid metric name \"%s\"", name.c_str());
  }
  if (entry->help.empty()) {
    ABSL_RAW_LOG(FATAL, "metric %s has no help text", name.c_str());
  }
  const bool counter = std::string(entry->type) == "counter";
  if (counter != absl::EndsWith(name, "_total")) {
    ABSL_RAW_LOG(FATAL, "%s: counter names, and only they, end in _total",
                 name.c_str());
  }
  std::vector<std::string> series = {name};
  if (entry->histograms != nullptr) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      series.push_back(name + suffix);
    }
  }
  absl::MutexLock lock(&mu_);
  for (const std::string& s : series) {
    if (!series_names_.insert(s).second) {
      ABSL_RAW_LOG(FATAL, "metric %s: series %s registered twice", name.c_str(),
                   s.c_str());
    }
  }
  entries_.push_back(std::move(entry));
}

CounterFamily* Registry::AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names) {
  CheckLabelNames(name, label_names, /*histogram=*/false);
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = "counter";
  entry->counters.reset(
      new CounterFamily(entry->name, std::move(label_names),
                        [] { return std::make_unique<Counter>(); }));
  CounterFamily* family = entry->counters.get();
  Register(std::move(entry));
  return family;
}

HistogramFamily* Registry::AddHistogram(
    std::string name, std::string help, std::vector<std::string> label_names,
    std::vector<double> bucket_upper_bounds) {
  CheckLabelNames(name, label_names, /*histogram=*/true);
  for (size_t i = 0; i < bucket_upper_bounds.size(); ++i) {
    if (!std::isfinite(bucket_upper_bounds[i]) ||
        (i > 0 && !(bucket_upper_bounds[i - 1] < bucket_upper_bounds[i]))) {
      ABSL_RAW_LOG(FATAL, "histogram %s: bounds must be finite and increase",
                   name.c_str());
    }
  }
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = "histogram";
  entry->bounds = std::move(bucket_upper_bounds);
  const std::vector<double>* bounds = &entry->bounds;
  entry->histograms.reset(new HistogramFamily(
      entry->name, std::move(label_names),
      [bounds] { return std::unique_ptr<Histogram>(new Histogram(bounds)); }));
  HistogramFamily* family = entry->histograms.get();
  Register(std::move(entry));
  return family;
}

void Registry::AddGauge(std::string name, std::string help,
                        std::function<std::vector<GaugeSample>()> collect) {
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = "gauge";
  entry->collect = std::move(collect);
  Register(std::move(entry));
}

void Registry::AddCounterCallback(
    std::string name, std::string help,
    std::function<std::vector<GaugeSample>()> collect) {
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = "counter";
  entry->collect = std::move(collect);
  Register(std::move(entry));
}

std::string Registry::Render() const {
  std::vector<const Entry*> entries;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& entry : entries_) entries.push_back(entry.get());
  }
  std::string out;
  for (const Entry* entry : entries) {
    const std::string& name = entry->name;
    absl::StrAppend(&out, "# HELP ", name, " ",
                    Escape(entry->help, /*quotes=*/false), "\n# TYPE ", name,
                    " ", entry->type, "\n");
    if (entry->collect) {
      std::vector<GaugeSample> samples = entry->collect();
      std::sort(samples.begin(), samples.end(),
                [](const GaugeSample& a, const GaugeSample& b) {
                  return a.labels < b.labels;
                });
      for (const GaugeSample& sample : samples) {
        const bool valid = std::all_of(
            sample.labels.begin(), sample.labels.end(),
            [](const auto& label) { return IsValidLabelName(label.first); });
        if (!valid) {
          ABSL_RAW_LOG(ERROR, "metric %s: sample with an invalid label name",
                       name.c_str());
          continue;
        }
        absl::StrAppend(&out, name, LabelText(sample.labels), " ",
                        Number(sample.value), "\n");
      }
    } else if (entry->counters != nullptr) {
      for (const auto& [values, counter] : entry->counters->SortedChildren()) {
        absl::StrAppend(&out, name,
                        LabelText(Zip(entry->counters->label_names_, values)),
                        " ", Number(counter->value()), "\n");
      }
    } else {
      for (const auto& [values, histogram] :
           entry->histograms->SortedChildren()) {
        const LabelPairs labels = Zip(entry->histograms->label_names_, values);
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= entry->bounds.size(); ++i) {
          cumulative += histogram->counts_[i].load(std::memory_order_relaxed);
          LabelPairs with_le = labels;
          with_le.emplace_back("le", i < entry->bounds.size()
                                         ? Number(entry->bounds[i])
                                         : "+Inf");
          absl::StrAppend(&out, name, "_bucket", LabelText(with_le), " ",
                          cumulative, "\n");
        }
        absl::StrAppend(&out, name, "_sum", LabelText(labels), " ",
                        Number(Load(histogram->sum_bits_)), "\n", name,
                        "_count", LabelText(labels), " ", cumulative, "\n");
      }
    }
  }
  return out;
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace tessera::metrics
