#include "client/token/key_set.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tessera::token {

absl::StatusOr<KeySet> KeySet::FromJwksJson(absl::string_view json) {
  absl::StatusOr<Json> parsed =
      ParseJson(json, {.max_bytes = kMaxJwksBytes, .max_depth = 4});
  if (!parsed.ok()) return parsed.status();
  const Json* keys = parsed->Find("keys");
  if (keys == nullptr || !keys->is_array()) {
    return absl::InvalidArgumentError("JWKS has no \"keys\" array");
  }
  KeySet set;
  for (const Json& jwk : keys->array()) {
    absl::StatusOr<PublicKey> key = PublicKey::FromJwk(jwk);
    if (key.status().code() == absl::StatusCode::kUnimplemented) continue;
    if (!key.ok()) return key.status();
    if (absl::Status added = set.Add(*std::move(key)); !added.ok()) {
      return added;
    }
  }
  return set;
}

absl::Status KeySet::Add(PublicKey key) {
  if (by_kid_.contains(key.kid())) {
    return absl::AlreadyExistsError(
        absl::StrCat("duplicate kid \"", key.kid(), "\""));
  }
  by_kid_.emplace(key.kid(), keys_.size());
  keys_.push_back(std::move(key));
  return absl::OkStatus();
}

const PublicKey* KeySet::Find(absl::string_view kid) const {
  auto it = by_kid_.find(kid);
  return it == by_kid_.end() ? nullptr : &keys_[it->second];
}

std::string KeySet::ToJwksJson() const {
  Json::Array jwks;
  jwks.reserve(keys_.size());
  for (const PublicKey& key : keys_) jwks.push_back(key.ToJwk());
  Json root = Json::MakeObject();
  root.Set("keys", Json::MakeArray(std::move(jwks)));
  return root.Serialize();
}

}  // namespace tessera::token
