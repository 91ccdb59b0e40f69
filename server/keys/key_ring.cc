#include "server/keys/key_ring.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "server/log/log.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::keys {
namespace {

constexpr char kActiveKey[] = "active";

tessera::v1::SigningAlgorithm ToProto(token::Algorithm algorithm) {
  switch (algorithm) {
    case token::Algorithm::kES256:
      return tessera::v1::SIGNING_ALGORITHM_ES256;
    case token::Algorithm::kEdDSA:
      return tessera::v1::SIGNING_ALGORITHM_EDDSA;
    case token::Algorithm::kRS256:
      return tessera::v1::SIGNING_ALGORITHM_RS256;
  }
  return tessera::v1::SIGNING_ALGORITHM_UNSPECIFIED;
}

std::optional<token::Algorithm> FromProto(tessera::v1::SigningAlgorithm alg) {
  switch (alg) {
    case tessera::v1::SIGNING_ALGORITHM_ES256:
      return token::Algorithm::kES256;
    case tessera::v1::SIGNING_ALGORITHM_EDDSA:
      return token::Algorithm::kEdDSA;
    case tessera::v1::SIGNING_ALGORITHM_RS256:
      return token::Algorithm::kRS256;
    default:
      return std::nullopt;
  }
}

absl::StatusOr<std::unique_ptr<KeyRing>> FromPrivate(token::PrivateKey key) {
  token::KeySet published;
  if (absl::Status added = published.Add(key.public_key()); !added.ok()) {
    return added;
  }
  return std::make_unique<KeyRing>(std::move(key), std::move(published));
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyRing>> KeyRing::LoadOrCreate(
    store::Store* store, token::Algorithm algorithm, absl::Time now) {
  rocksdb::ColumnFamilyHandle* keys = store->handle(store::ColumnFamily::kKeys);
  std::string value;
  rocksdb::Status got =
      store->db()->Get(rocksdb::ReadOptions(), keys, kActiveKey, &value);
  if (got.ok()) {
    tessera::v1::SigningKeyRecord record;
    std::optional<token::Algorithm> stored;
    if (!record.ParseFromString(value) ||
        !(stored = FromProto(record.key().algorithm())).has_value()) {
      return absl::DataLossError("unreadable signing key record");
    }
    absl::StatusOr<token::PrivateKey> key =
        token::PrivateKey::FromPkcs8(*stored, record.unsealed_private_key());
    if (!key.ok()) {
      return absl::DataLossError(
          absl::StrCat("unreadable signing key: ", key.status().message()));
    }
    if (key->kid() != record.key().kid()) {
      return absl::DataLossError("signing key does not match its kid");
    }
    return FromPrivate(*std::move(key));
  }
  if (!got.IsNotFound()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read signing keys: ", got.ToString()));
  }
  absl::StatusOr<token::PrivateKey> key =
      token::PrivateKey::Generate(algorithm);
  if (!key.ok()) return key.status();
  tessera::v1::SigningKeyRecord record;
  record.mutable_key()->set_kid(key->kid());
  record.mutable_key()->set_algorithm(ToProto(algorithm));
  record.mutable_key()->set_state(tessera::v1::KEY_STATE_ACTIVE);
  record.mutable_key()->mutable_created_at()->set_seconds(
      absl::ToUnixSeconds(now));
  *record.mutable_key()->mutable_activated_at() = record.key().created_at();
  record.mutable_key()->set_public_jwk(key->public_key().ToJwk().Serialize());
  record.set_unsealed_private_key(key->ToPkcs8());
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status put =
      store->db()->Put(sync, keys, kActiveKey, record.SerializeAsString());
  if (!put.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot store the signing key: ", put.ToString()));
  }
  log::Warning(
      "generated a signing key; it is stored unencrypted until key "
      "encryption at rest is implemented",
      {{"kid", key->kid()},
       {"algorithm", std::string(token::AlgorithmName(algorithm))}});
  return FromPrivate(*std::move(key));
}

}  // namespace tessera::keys
