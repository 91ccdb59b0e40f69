#include "server/auth/san.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tessera::auth {
namespace {

constexpr size_t kMaxSanBytes = 1024;

absl::Status Invalid(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("client_cert_san \"", text, "\": ", why));
}

// 4 or 16 bytes for a textual IPv4 or IPv6 address; empty otherwise.
std::string IpBytes(const std::string& text) {
  unsigned char bytes[16];
  if (::inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    return std::string(reinterpret_cast<char*>(bytes), 4);
  }
  if (::inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    return std::string(reinterpret_cast<char*>(bytes), 16);
  }
  return "";
}

std::string AsString(const ASN1_STRING* string) {
  return std::string(
      reinterpret_cast<const char*>(ASN1_STRING_get0_data(string)),
      static_cast<size_t>(ASN1_STRING_length(string)));
}

}  // namespace

absl::StatusOr<San> ParseConfiguredSan(absl::string_view text) {
  if (text.empty() || text.size() > kMaxSanBytes) {
    return Invalid(text, absl::StrCat("must be 1-", kMaxSanBytes, " bytes"));
  }
  San san;
  absl::string_view value = text;
  if (absl::ConsumePrefix(&value, "dns:")) {
    san.type = San::Type::kDns;
  } else if (absl::ConsumePrefix(&value, "uri:")) {
    san.type = San::Type::kUri;
  } else if (absl::ConsumePrefix(&value, "email:")) {
    san.type = San::Type::kEmail;
  } else if (absl::ConsumePrefix(&value, "ip:")) {
    san.type = San::Type::kIp;
  } else if (value.find_first_of(":/@") != absl::string_view::npos) {
    return Invalid(text,
                   "say which kind of name it is: dns:, uri:, email: or ip:");
  }
  if (value.empty()) return Invalid(text, "the name is empty");
  if (value.find('\0') != absl::string_view::npos) {
    return Invalid(text, "contains a NUL byte");
  }
  switch (san.type) {
    case San::Type::kDns:
      if (value.find_first_of(":/@ ") != absl::string_view::npos) {
        return Invalid(text, "not a DNS name");
      }
      san.value = absl::AsciiStrToLower(value);
      break;
    case San::Type::kIp:
      san.value = IpBytes(std::string(value));
      if (san.value.empty()) return Invalid(text, "not an IP address");
      break;
    case San::Type::kUri:
    case San::Type::kEmail:
      san.value = std::string(value);
      break;
  }
  return san;
}

std::vector<San> CertificateSans(absl::string_view pem) {
  std::vector<San> sans;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (bio == nullptr) return sans;
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (cert == nullptr) return sans;
  std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(
          cert.get(), NID_subject_alt_name, nullptr, nullptr)),
      GENERAL_NAMES_free);
  if (names == nullptr) return sans;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    switch (name->type) {
      case GEN_DNS:
        sans.push_back({San::Type::kDns,
                        absl::AsciiStrToLower(AsString(name->d.dNSName))});
        break;
      case GEN_URI:
        sans.push_back(
            {San::Type::kUri, AsString(name->d.uniformResourceIdentifier)});
        break;
      case GEN_EMAIL:
        sans.push_back({San::Type::kEmail, AsString(name->d.rfc822Name)});
        break;
      case GEN_IPADD:
        sans.push_back({San::Type::kIp, AsString(name->d.iPAddress)});
        break;
      default:
        break;  // Other kinds never name a caller.
    }
  }
  return sans;
}

}  // namespace tessera::auth
