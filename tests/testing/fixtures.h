#ifndef TESSERA_TESTS_TESTING_FIXTURES_H_
#define TESSERA_TESTS_TESTING_FIXTURES_H_

// Small helpers the end-to-end tests share, so that each is written (and
// fixed) once: quoting for a shell command line, a temporary file with given
// contents, the kid of a JWS, and a sample of a Prometheus text page.

#include <string>

namespace tessera::testing {

// `arg` in single quotes for /bin/sh, embedded quotes escaped.
std::string ShellQuote(const std::string& arg);

// A new file under TEST_TMPDIR (name starting with `prefix`) holding `text`;
// its path.
std::string WriteTempFile(const std::string& prefix, const std::string& text);

// The "kid" of a JWS's protected header; "" if there is none or the token
// is not a JWS.
std::string KidOf(const std::string& token);

// The value of the first sample line of a Prometheus text `page` that
// starts with `series` (a metric name, with its labels if any) followed by
// a space; -1 if there is none.
double MetricValue(const std::string& page, const std::string& series);

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_TESTING_FIXTURES_H_
