#ifndef TESSERA_SERVER_METRICS_METRICS_H_
#define TESSERA_SERVER_METRICS_METRICS_H_

// Prometheus metrics for tesserad's /metrics, in the text exposition format
// 0.0.4.
//
// A Registry holds metric families and renders them in registration order.
// Counters and histograms live in the registry and are updated on hot paths;
// gauges, and counters kept elsewhere (RocksDB's), are callbacks the registry
// calls at scrape time.
//
// Invariants, checked at registration (or, for label arity, at WithLabels):
//  - Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; label names match
//    [a-zA-Z_][a-zA-Z0-9_]*, do not start with "__", are distinct within a
//    family, and a histogram has no "le" label (its buckets use it).
//  - Counter names end in "_total" and no other name does: promtool's lint
//    (part of `promtool check metrics`) insists on both. Help is non-empty
//    for the same reason.
//  - No two families expose the same series name; a histogram "h" also
//    claims "h_bucket", "h_sum" and "h_count".
//  - Histogram bounds are finite and strictly increasing; "+Inf" is implied.
//  - WithLabels gets exactly one value per label name.
// Breaking one is a programming error: the process aborts (ABSL_RAW_LOG
// FATAL), so a mistake shows in the first test run and never at scrape time.
// Nothing returns nullptr.
//
// Samples a callback returns with an invalid label name are left out of the
// output (and logged), so one bad callback cannot break the whole scrape.
// Label sets within a family are rendered sorted, so output is deterministic.
//
// Everything handed out (families, children) is owned by the registry and
// stays valid, at the same address, for the registry's lifetime. Label values
// should come from small fixed sets (method, status code, state): every
// distinct set is kept forever. As defence in depth against a caller that
// lets clients choose a value, every family is bounded: it holds at most
// kMaxLabelSets children, and a label set beyond that, or with a value longer
// than kMaxLabelValueBytes (or equal to kOverflowLabelValue), is counted
// under one overflow child whose every value is kOverflowLabelValue (logged
// once per family). So a family renders
// at most kMaxLabelSets + 1 label sets of bounded size, whatever it is fed.
//
// Thread-safety: every method may be called from any thread. Increment and
// Observe take no lock (relaxed atomics; a scrape racing an Observe may count
// it in _count before _sum). WithLabels takes a mutex, shared on the common
// path where the child exists, so callers cache the pointer where they can.
// Render holds no lock while it calls the callbacks, which may therefore run
// concurrently with themselves when two scrapes overlap.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace tessera::metrics {

// The bounds every Family keeps (see above).
inline constexpr size_t kMaxLabelSets = 500;
inline constexpr size_t kMaxLabelValueBytes = 128;
inline constexpr char kOverflowLabelValue[] = "_overflow";

// One sample of a callback family: its label pairs and value.
struct GaugeSample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};
using Sample = GaugeSample;  // The shorter name tesserad.cc uses.

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // A negative or NaN `by` is ignored: rate() assumes counters never fall.
  void Increment(double by = 1);
  double value() const;

 private:
  std::atomic<uint64_t> bits_{0};  // A double's bits; all zero is 0.0.
};

class Histogram {
 public:
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // NaN lands in the +Inf bucket only (and makes _sum NaN), as in the Go
  // client.
  void Observe(double value);

 private:
  friend class Registry;
  explicit Histogram(const std::vector<double>* bounds);

  const std::vector<double>& bounds_;  // Owned by the registry.
  // Per bucket, not cumulative (one fetch_add per Observe); the last is +Inf.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> sum_bits_{0};
};

// The children of one labelled metric, one per distinct set of label values.
template <typename Child>
class Family {
 public:
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for `values` (one per label name, in the same order), created
  // on first use; the overflow child once the family is full or a value is
  // longer than kMaxLabelValueBytes.
  Child* WithLabels(std::vector<std::string> values);

 private:
  friend class Registry;
  Family(std::string name, std::vector<std::string> label_names,
         std::function<std::unique_ptr<Child>()> make)
      : name_(std::move(name)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  // Sorted by label values.
  std::vector<std::pair<std::vector<std::string>, const Child*>>
  SortedChildren() const;
  // Creates the overflow child on first use.
  Child* Overflow() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;  // For the overflow log line.
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<Child>()> make_;
  mutable absl::Mutex mu_;
  // At most kMaxLabelSets entries; the overflow child is kept apart.
  absl::flat_hash_map<std::vector<std::string>, std::unique_ptr<Child>>
      children_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Child> overflow_ ABSL_GUARDED_BY(mu_);
};
using CounterFamily = Family<Counter>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  CounterFamily* AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names);
  HistogramFamily* AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> bucket_upper_bounds);
  // `collect` runs at every scrape, on the scraping thread.
  void AddGauge(std::string name, std::string help,
                std::function<std::vector<GaugeSample>()> collect);
  // A counter whose value lives elsewhere (e.g. RocksDB's), read at scrape
  // time; it must never decrease.
  void AddCounterCallback(std::string name, std::string help,
                          std::function<std::vector<GaugeSample>()> collect);

  // Every family: "# HELP", "# TYPE", then its samples.
  std::string Render() const;

 private:
  struct Entry;
  void Register(std::unique_ptr<Entry> entry);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> series_names_ ABSL_GUARDED_BY(mu_);
};

// Upper bounds in seconds for gRPC call latency: 100 µs (an in-memory
// ValidateToken) to 10 s (a call stuck behind a stalled disk).
std::vector<double> LatencyBucketsSeconds();

}  // namespace tessera::metrics

#endif  // TESSERA_SERVER_METRICS_METRICS_H_
