#include "server/metrics/metrics.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CounterIncrementsRenderSortedByLabels) {
  Registry registry;
  CounterFamily* calls =
      registry.AddCounter("tessera_calls_total", "Calls.", {"method", "code"});
  Counter* ok = calls->WithLabels({"Issue", "OK"});
  ok->Increment(2);
  ok->Increment(0.5);
  ok->Increment(-1);  // Ignored: counters never fall.
  calls->WithLabels({"Issue", "INVALID_ARGUMENT"})->Increment();
  EXPECT_EQ(ok->value(), 2.5);
  EXPECT_EQ(registry.Render(),
            "# HELP tessera_calls_total Calls.\n"
            "# TYPE tessera_calls_total counter\n"
            "tessera_calls_total{method=\"Issue\",code=\"INVALID_ARGUMENT\"} "
            "1\n"
            "tessera_calls_total{method=\"Issue\",code=\"OK\"} 2.5\n");
}

TEST(MetricsTest, WithLabelsReturnsTheSameChildForever) {
  Registry registry;
  CounterFamily* family = registry.AddCounter("c_total", "C.", {"k"});
  Counter* first = family->WithLabels({"a"});
  for (int i = 0; i < 1000; ++i) family->WithLabels({absl::StrCat(i)});
  EXPECT_EQ(family->WithLabels({"a"}), first);
}

TEST(MetricsTest, AFullFamilyCountsNewLabelSetsUnderOneOverflowChild) {
  Registry registry;
  CounterFamily* family = registry.AddCounter("c_total", "C.", {"k", "v"});
  Counter* first = family->WithLabels({"0", "x"});
  for (size_t i = 1; i < kMaxLabelSets; ++i) {
    family->WithLabels({absl::StrCat(i), "x"})->Increment();
  }
  Counter* overflow = family->WithLabels({"one more", "x"});
  for (int i = 0; i < 3000; ++i) {
    EXPECT_EQ(family->WithLabels({absl::StrCat("new", i), "x"}), overflow);
  }
  overflow->Increment(3001);
  EXPECT_NE(overflow, first);
  EXPECT_EQ(family->WithLabels({"0", "x"}), first);  // Old sets still count.
  const std::string text = registry.Render();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            static_cast<long>(kMaxLabelSets + 1 + 2));  // + HELP, TYPE.
  EXPECT_THAT(text,
              HasSubstr("c_total{k=\"_overflow\",v=\"_overflow\"} 3001\n"));
  EXPECT_THAT(text, Not(HasSubstr("new")));
}

TEST(MetricsTest, LongOrReservedLabelValuesGoToTheOverflowChild) {
  Registry registry;
  HistogramFamily* family = registry.AddHistogram("h", "H.", {"m"}, {1});
  Histogram* overflow =
      family->WithLabels({std::string(kMaxLabelValueBytes + 1, 'a')});
  EXPECT_EQ(family->WithLabels({std::string(4096, 'b')}), overflow);
  EXPECT_EQ(family->WithLabels({kOverflowLabelValue}), overflow);
  EXPECT_NE(family->WithLabels({std::string(kMaxLabelValueBytes, 'a')}),
            overflow);
  overflow->Observe(0.5);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("h_count{m=\"_overflow\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("bbbb")));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry registry;
  Histogram* latency =
      registry.AddHistogram("rpc_seconds", "Latency.", {}, {0.5, 1, 2})
          ->WithLabels({});
  // Binary fractions, so the sum is exact.
  for (double v : {0.25, 0.5, 0.75, 3.0}) latency->Observe(v);
  EXPECT_EQ(registry.Render(),
            "# HELP rpc_seconds Latency.\n"
            "# TYPE rpc_seconds histogram\n"
            "rpc_seconds_bucket{le=\"0.5\"} 2\n"
            "rpc_seconds_bucket{le=\"1\"} 3\n"
            "rpc_seconds_bucket{le=\"2\"} 3\n"
            "rpc_seconds_bucket{le=\"+Inf\"} 4\n"
            "rpc_seconds_sum 4.5\n"
            "rpc_seconds_count 4\n");
}

TEST(MetricsTest, HistogramLabelsComeBeforeLe) {
  Registry registry;
  registry.AddHistogram("h_seconds", "H.", {"method"}, {1})
      ->WithLabels({"Get"})
      ->Observe(std::nan(""));
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("h_seconds_bucket{method=\"Get\",le=\"1\"} 0\n"
                              "h_seconds_bucket{method=\"Get\",le=\"+Inf\"} "
                              "1\n"
                              "h_seconds_sum{method=\"Get\"} NaN\n"
                              "h_seconds_count{method=\"Get\"} 1\n"));
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  registry.AddCounter("x_total", "a \\ \"b\"\nc", {"v"})
      ->WithLabels({"q\"b\\s\nn"})
      ->Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP x_total a \\\\ \"b\"\\nc\n"
            "# TYPE x_total counter\n"
            "x_total{v=\"q\\\"b\\\\s\\nn\"} 1\n");
}

TEST(MetricsTest, ConcurrentUpdatesAddUpExactly) {
  Registry registry;
  CounterFamily* family = registry.AddCounter("c_total", "C.", {"t"});
  Histogram* histogram =
      registry.AddHistogram("h", "H.", {}, {1})->WithLabels({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      // Every thread looks the child up too, racing its creation.
      Counter* counter = family->WithLabels({"shared"});
      for (int i = 0; i < 100000; ++i) {
        counter->Increment();
        histogram->Observe(2);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("c_total{t=\"shared\"} 400000\n"));
  EXPECT_THAT(text, HasSubstr("h_bucket{le=\"1\"} 0\n"
                              "h_bucket{le=\"+Inf\"} 400000\n"
                              "h_sum 800000\n"
                              "h_count 400000\n"));
}

TEST(MetricsTest, CallbacksAreReadAtEachRender) {
  Registry registry;
  int sessions = 1;
  registry.AddGauge("sessions", "Sessions.", [&] {
    return std::vector<GaugeSample>{
        {{{"state", "revoked"}}, 2},
        {{{"state", "active"}}, static_cast<double>(sessions)},
        {{{"__bad", "x"}}, 3},  // Dropped: an invalid label name.
    };
  });
  registry.AddCounterCallback("syncs_total", "Syncs.", [&] {
    return std::vector<GaugeSample>{{{}, sessions * 10.0}};
  });
  sessions = 7;
  EXPECT_EQ(registry.Render(),
            "# HELP sessions Sessions.\n"
            "# TYPE sessions gauge\n"
            "sessions{state=\"active\"} 7\n"
            "sessions{state=\"revoked\"} 2\n"
            "# HELP syncs_total Syncs.\n"
            "# TYPE syncs_total counter\n"
            "syncs_total 70\n");
  sessions = 8;
  EXPECT_THAT(registry.Render(), HasSubstr("syncs_total 80\n"));
}

TEST(MetricsTest, NumbersParseBackExactly) {
  Registry registry;
  registry.AddGauge("n", "N.", [] {
    const double inf = std::numeric_limits<double>::infinity();
    return std::vector<GaugeSample>{
        {{{"v", "a"}}, 1e17},  {{{"v", "b"}}, 0.1}, {{{"v", "c"}}, -2.5e-7},
        {{{"v", "d"}}, 1e300}, {{{"v", "e"}}, inf}, {{{"v", "f"}}, -inf},
        {{{"v", "g"}}, -3},
    };
  });
  EXPECT_THAT(registry.Render(), HasSubstr("n{v=\"a\"} 100000000000000000\n"
                                           "n{v=\"b\"} 0.1\n"
                                           "n{v=\"c\"} -2.5e-07\n"
                                           "n{v=\"d\"} 1e+300\n"
                                           "n{v=\"e\"} +Inf\n"
                                           "n{v=\"f\"} -Inf\n"
                                           "n{v=\"g\"} -3\n"));
}

TEST(MetricsTest, FamiliesRenderInRegistrationOrder) {
  Registry registry;
  registry.AddGauge("zeta", "Z.", [] { return std::vector<GaugeSample>(); });
  registry.AddCounter("alpha_total", "A.", {});
  const std::string text = registry.Render();
  EXPECT_LT(text.find("zeta"), text.find("alpha_total"));
}

TEST(MetricsTest, LatencyBucketsIncreaseFrom100MicrosecondsTo10Seconds) {
  const std::vector<double> bounds = LatencyBucketsSeconds();
  ASSERT_FALSE(bounds.empty());
  EXPECT_EQ(bounds.front(), 0.0001);
  EXPECT_EQ(bounds.back(), 10);
  EXPECT_TRUE(std::is_sorted(bounds.begin(), bounds.end()));
}

TEST(MetricsDeathTest, ProgrammingErrorsAbort) {
  auto none = [] { return std::vector<GaugeSample>(); };
  EXPECT_DEATH(Registry().AddGauge("1bad", "B.", none), "invalid metric name");
  EXPECT_DEATH(Registry().AddGauge("bad-name", "B.", none),
               "invalid metric name");
  EXPECT_DEATH(Registry().AddCounter("calls", "C.", {}), "_total");
  EXPECT_DEATH(Registry().AddGauge("open_total", "O.", none), "_total");
  EXPECT_DEATH(Registry().AddCounterCallback("syncs", "S.", none), "_total");
  EXPECT_DEATH(Registry().AddGauge("g", "", none), "no help");
  EXPECT_DEATH(Registry().AddCounter("a_total", "A.", {"__reserved"}),
               "label name");
  EXPECT_DEATH(Registry().AddCounter("a_total", "A.", {"a:b"}), "label name");
  EXPECT_DEATH(Registry().AddCounter("a_total", "A.", {"k", "k"}),
               "label name");
  EXPECT_DEATH(Registry().AddHistogram("h", "H.", {"le"}, {1}), "label name");
  EXPECT_DEATH(Registry().AddHistogram("h", "H.", {}, {2, 1}), "increase");
  EXPECT_DEATH(Registry().AddHistogram("h", "H.", {}, {1, INFINITY}), "finite");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddGauge("g", "G.", none);
        registry.AddGauge("g", "G.", none);
      },
      "registered twice");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddHistogram("h", "H.", {}, {1});
        registry.AddGauge("h_count", "G.", none);
      },
      "registered twice");
  EXPECT_DEATH(Registry().AddCounter("b_total", "B.", {"x"})->WithLabels({}),
               "label values");
}

// The format's own checker: promtool parses the output and lints it (help,
// _total suffixes, units, reserved names). Skipped where the prometheus
// package is not installed.
TEST(MetricsTest, PromtoolAcceptsEveryKind) {
  constexpr char kPromtool[] = "/usr/bin/promtool";
  if (access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtool << " absent";
  Registry registry;
  CounterFamily* requests = registry.AddCounter(
      "tessera_grpc_requests_total", "gRPC calls.", {"method", "code"});
  requests->WithLabels({"tessera.v1.TokenAuthority/IssueSession", "OK"})
      ->Increment();
  requests->WithLabels({"a\"b\\c\nd", "OK"})->Increment(3);
  HistogramFamily* latency = registry.AddHistogram(
      "tessera_grpc_request_duration_seconds", "Call latency.\nSecond \\ line.",
      {"method"}, LatencyBucketsSeconds());
  latency->WithLabels({"Get"})->Observe(0.003);
  latency->WithLabels({"Put"})->Observe(20);
  registry.AddGauge("tessera_signing_keys", "Keys by state.", [] {
    return std::vector<GaugeSample>{{{{"state", "active"}}, 1},
                                    {{{"state", "next"}}, 1}};
  });
  registry.AddGauge("tessera_store_sst_bytes", "SST bytes.", [] {
    return std::vector<GaugeSample>{{{}, 1.5e9}};
  });
  registry.AddCounterCallback("tessera_store_wal_syncs_total", "WAL fsyncs.",
                              [] {
                                return std::vector<GaugeSample>{{{}, 1e17}};
                              });
  const std::string text = registry.Render();

  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(tmp ? tmp : "/tmp", "/metrics.txt");
  std::ofstream(path) << text;
  FILE* pipe = popen(
      absl::StrCat(kPromtool, " check metrics < ", path, " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output << "\n"
                                                             << text;
}

}  // namespace
}  // namespace tessera::metrics
