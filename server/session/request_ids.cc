#include "server/session/request_ids.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/base/casts.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/crypto/aead.h"
#include "server/crypto/digest.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/session/refresh_token.h"
#include "server/store/timestamps.h"

namespace tessera::session {
namespace {

using store::ColumnFamily;
using store::FromTimestamp;
using store::ToTimestamp;
using tessera::v1::IssueRequestRecord;

using crypto::HmacSha256;
using crypto::Sha256;

// Length-prefixed, so no two different sequences of fields encode alike.
void AppendField(std::string& out, absl::string_view field) {
  absl::StrAppend(&out, field.size(), ":", field);
}

void AppendStruct(std::string& out, const google::protobuf::Struct& value);

void AppendValue(std::string& out, const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
      out += "n";
      return;
    case google::protobuf::Value::kNumberValue:
      absl::StrAppend(&out, "d", absl::bit_cast<uint64_t>(value.number_value()),
                      ";");
      return;
    case google::protobuf::Value::kStringValue:
      out += "s";
      AppendField(out, value.string_value());
      return;
    case google::protobuf::Value::kBoolValue:
      out += value.bool_value() ? "t" : "f";
      return;
    case google::protobuf::Value::kStructValue:
      AppendStruct(out, value.struct_value());
      return;
    case google::protobuf::Value::kListValue:
      absl::StrAppend(&out, "[", value.list_value().values_size(), ":");
      for (const google::protobuf::Value& item : value.list_value().values()) {
        AppendValue(out, item);
      }
      out += "]";
      return;
    case google::protobuf::Value::KIND_NOT_SET:
      break;
  }
  out += "u";
}

// Keys sorted: a map's order on the wire is not part of the request.
void AppendStruct(std::string& out, const google::protobuf::Struct& value) {
  std::vector<const std::string*> keys;
  for (const auto& [key, unused] : value.fields()) keys.push_back(&key);
  std::sort(keys.begin(), keys.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  absl::StrAppend(&out, "{", keys.size(), ":");
  for (const std::string* key : keys) {
    AppendField(out, *key);
    AppendValue(out, value.fields().at(*key));
  }
  out += "}";
}

void AppendDuration(std::string& out, bool has,
                    const google::protobuf::Duration& duration) {
  if (!has) {
    out += "-";
    return;
  }
  absl::StrAppend(&out, duration.seconds(), ".", duration.nanos(), ";");
}

// What an id is unique within: its session group and its text.
std::string Scope(absl::string_view session_group,
                  absl::string_view request_id) {
  std::string scope;
  AppendField(scope, session_group);
  AppendField(scope, request_id);
  return scope;
}

// The first secret's seal is bound to its session.
std::string SealContext(absl::string_view session_id) {
  return absl::StrCat("request_id first secret/", session_id);
}

}  // namespace

absl::Status CheckRequestId(absl::string_view request_id) {
  if (request_id.size() < kMinRequestIdBytes ||
      request_id.size() > kMaxRequestIdBytes) {
    return errors::Error(
        absl::StatusCode::kInvalidArgument, errors::kRequestIdInvalid,
        absl::StrCat("request_id is ", request_id.size(), " bytes; it must be ",
                     kMinRequestIdBytes, "-", kMaxRequestIdBytes,
                     " (e.g. a UUID), or empty for none"));
  }
  for (size_t i = 0; i < request_id.size(); ++i) {
    if (!absl::ascii_isprint(static_cast<unsigned char>(request_id[i]))) {
      return errors::Error(absl::StatusCode::kInvalidArgument,
                           errors::kRequestIdInvalid,
                           absl::StrCat("request_id byte ", i,
                                        " is not printable ASCII (0x20-0x7E)"));
    }
  }
  return absl::OkStatus();
}

std::string IssueRequestHash(const tessera::v1::IssueSessionRequest& request,
                             absl::string_view client_id) {
  std::string canonical = "tessera issue v1;";
  AppendField(canonical, client_id);
  AppendField(canonical, request.subject());
  absl::StrAppend(&canonical, request.audience_size(), ":");
  for (const std::string& aud : request.audience()) {
    AppendField(canonical, aud);
  }
  AppendStruct(canonical, request.claims());
  AppendDuration(canonical, request.has_access_ttl(), request.access_ttl());
  AppendDuration(canonical, request.has_session_ttl(), request.session_ttl());
  AppendField(canonical, request.client().user_agent());
  AppendField(canonical, request.client().ip_address());
  AppendField(canonical, request.client().device_name());
  return Sha256(canonical);
}

RequestIds::RequestIds(store::Kv* store, SessionStore* sessions,
                       absl::string_view kek)
    : store_(store),
      sessions_(sessions),
      key_(HmacSha256(kek, "tessera request id first secret v1")) {}

RequestIds::~RequestIds() { OPENSSL_cleanse(key_.data(), key_.size()); }

absl::Mutex& RequestIds::StripeFor(absl::string_view key) {
  return stripes_[absl::HashOf(key) % kStripes];
}

std::string RequestIds::SealingKey(absl::string_view scope) const {
  return HmacSha256(key_, scope);
}

absl::StatusOr<std::optional<IssueRequestRecord>> RequestIds::Read(
    absl::string_view key, absl::Time now, std::optional<std::string>* raw) {
  absl::StatusOr<std::optional<std::string>> value =
      store_->Get(ColumnFamily::kMeta, key);
  if (!value.ok()) {
    return errors::Error(
        absl::StatusCode::kUnavailable, errors::kStoreUnavailable,
        absl::StrCat("the store failed: ", value.status().message()));
  }
  *raw = *value;
  if (!value->has_value()) return std::optional<IssueRequestRecord>();
  IssueRequestRecord entry;
  if (!entry.ParseFromString(**value)) {
    return absl::DataLossError("unreadable request id record");
  }
  if (now >= FromTimestamp(entry.expires_at())) {
    return std::optional<IssueRequestRecord>();  // Expired: as if absent.
  }
  return std::optional<IssueRequestRecord>(std::move(entry));
}

absl::StatusOr<ActiveSession> RequestIds::Issue(const NewSession& request,
                                                absl::string_view request_id,
                                                absl::string_view request_hash,
                                                absl::Time now, Minter mint) {
  const std::string scope = Scope(request.session_group, request_id);
  const std::string key = absl::StrCat(kRequestIdKeyPrefix, Sha256(scope));
  absl::MutexLock lock(&StripeFor(key));
  // Another replica may write the same id meanwhile: the entry is written
  // only over what was read, else this attempt reads again and retries.
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<ActiveSession> issued =
        IssueOnce(request, key, scope, request_hash, now, mint);
    if (issued.ok() || !store::IsWriteConflict(issued.status()) ||
        attempt + 1 >= kMaxConflictRetries) {
      return issued;
    }
  }
}

absl::StatusOr<ActiveSession> RequestIds::IssueOnce(
    const NewSession& request, absl::string_view key, absl::string_view scope,
    absl::string_view request_hash, absl::Time now, Minter mint) {
  std::optional<std::string> raw;
  absl::StatusOr<std::optional<IssueRequestRecord>> entry =
      Read(key, now, &raw);
  if (!entry.ok()) return entry.status();
  if (entry->has_value()) {
    return Retry(**entry, scope, request_hash, now, mint);
  }
  const std::string sealing_key = SealingKey(scope);
  return sessions_->Issue(
      request, now, mint,
      [&](const ActiveSession& issued, store::Batch& batch) {
        IssueRequestRecord record;
        record.set_session_id(issued.record.session_id());
        record.set_request_hash(std::string(request_hash));
        const std::string secret =
            ParseRefreshToken(issued.refresh_token)->secret;
        record.set_sealed_secret(crypto::Seal(
            sealing_key, secret, SealContext(issued.record.session_id())));
        *record.mutable_expires_at() = ToTimestamp(now + kRequestIdLifetime);
        batch.Expect(ColumnFamily::kMeta, key, raw);
        batch.Put(ColumnFamily::kMeta, key, record.SerializeAsString());
      });
}

absl::StatusOr<ActiveSession> RequestIds::Retry(const IssueRequestRecord& entry,
                                                absl::string_view scope,
                                                absl::string_view request_hash,
                                                absl::Time now, Minter mint) {
  if (!HashEquals(entry.request_hash(), request_hash)) {
    return errors::Error(
        absl::StatusCode::kAlreadyExists, errors::kRequestIdReused,
        absl::StrCat("request_id was used in the last ",
                     absl::FormatDuration(kRequestIdLifetime),
                     " for an IssueSession with another subject, audience, "
                     "claims, TTLs or client info; use a new request_id for "
                     "a new request"));
  }
  std::optional<std::string> secret =
      crypto::Open(SealingKey(scope), entry.sealed_secret(),
                   SealContext(entry.session_id()));
  if (!secret.has_value()) {
    return absl::InternalError(
        "a request id's first refresh secret does not open (another KEK?)");
  }
  absl::StatusOr<ActiveSession> active =
      sessions_->Reissue(entry.session_id(), *secret, now, mint);
  OPENSSL_cleanse(secret->data(), secret->size());
  return active;
}

}  // namespace tessera::session
