#include "server/service/token_authority_service.h"

#include <openssl/rand.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/token/access_token.h"
#include "client/token/base64url.h"
#include "client/verifier/reasons.h"
#include "client/verifier/token_check.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/log/log.h"
#include "server/service/durable_reply.h"
#include "server/service/offload.h"
#include "server/service/request_validation.h"
#include "server/service/struct_json.h"
#include "server/session/refresh_token.h"
#include "server/store/kv.h"
#include "server/store/timestamps.h"

namespace tessera::service {
namespace {

using ::grpc::CallbackServerContext;
using ::grpc::ServerUnaryReactor;
using store::FromDuration;
using store::FromTimestamp;
using store::ToTimestamp;

absl::Status Invalid(absl::string_view reason, absl::string_view message) {
  return errors::Error(absl::StatusCode::kInvalidArgument, reason, message);
}

ServerUnaryReactor* Reply(ServerUnaryReactor* reactor,
                          const absl::Status& status) {
  reactor->Finish(errors::ToGrpcStatus(status));
  return reactor;
}

ServerUnaryReactor* Reply(CallbackServerContext* context,
                          const absl::Status& status) {
  return Reply(context->DefaultReactor(), status);
}

absl::Status RateLimited(absl::string_view caller, absl::Duration wait) {
  return errors::WithRetryDelay(
      errors::Error(absl::StatusCode::kResourceExhausted, errors::kRateLimited,
                    absl::StrCat("caller \"", caller,
                                 "\" is over its IssueSession/RefreshSession "
                                 "rate; retry in ",
                                 absl::FormatDuration(
                                     absl::Ceil(wait, absl::Milliseconds(1))))),
      wait);
}

session::Access AccessOf(const auth::Caller& caller) {
  return session::Access{.group = caller.session_group,
                         .all_groups = caller.admin};
}

std::string NewTokenId() {
  uint8_t bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return token::Base64UrlEncode(
      absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes)));
}

void FillSession(const tessera::v1::SessionRecord& record,
                 tessera::v1::Session* out) {
  out->set_session_id(record.session_id());
  out->set_subject(record.subject());
  *out->mutable_audience() = record.audience();
  *out->mutable_claims() = record.claims();
  *out->mutable_client() = record.client();
  *out->mutable_created_at() = record.created_at();
  *out->mutable_last_refreshed_at() = record.last_refreshed_at();
  *out->mutable_expires_at() = record.expires_at();
  *out->mutable_idle_expires_at() = record.idle_expires_at();
  out->set_generation(record.generation());
  if (record.has_revoked_at()) {
    *out->mutable_revoked_at() = record.revoked_at();
    out->set_revoke_reason(record.revoke_reason());
  }
}

}  // namespace

TokenAuthorityService::TokenAuthorityService(
    TokenAuthorityConfig config, store::Kv* store,
    session::SessionStore* sessions, session::RequestIds* request_ids,
    const keys::KeyRing* keys, const revocation::RevocationState* revocations,
    stream::RevocationHub* hub, Guards guards)
    : config_(std::move(config)),
      guards_(guards),
      store_(store),
      sessions_(sessions),
      request_ids_(request_ids),
      keys_(keys),
      revocations_(revocations),
      hub_(hub),
      validated_(config_.validated_cache_capacity) {
  default_verify_options_.policy.issuer = config_.issuer;
  default_verify_options_.policy.audience = {config_.default_audience};
  default_verify_options_.policy.leeway = config_.leeway;
}

absl::StatusOr<token::UnsignedAccessToken> TokenAuthorityService::Prepare(
    const session::ActiveSession& session,
    tessera::v1::SessionTokens* out) const {
  const tessera::v1::SessionRecord& record = session.record;
  token::AccessTokenClaims claims;
  claims.issuer = config_.issuer;
  claims.subject = record.subject();
  claims.audience.assign(record.audience().begin(), record.audience().end());
  claims.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(store_->Now()));
  // Today's limit applies to sessions issued under a longer one: the
  // revocation horizon never has to cover more than it.
  claims.expires_at =
      claims.issued_at + std::min(absl::Seconds(record.access_ttl_seconds()),
                                  config_.max_access_ttl);
  claims.subject_generation = session.subject_generation;
  claims.token_id = NewTokenId();
  claims.session_id = record.session_id();
  claims.client_id = record.client_id();
  absl::StatusOr<token::Json> custom = StructToJson(session.claims);
  if (!custom.ok()) return custom.status();
  claims.custom = *std::move(custom);
  absl::StatusOr<token::UnsignedAccessToken> access =
      token::UnsignedAccessToken::Prepare(keys_->current()->active, claims);
  if (!access.ok()) return access.status();
  *out->mutable_access_expires_at() = ToTimestamp(claims.expires_at);
  out->set_refresh_token(session.refresh_token);
  *out->mutable_refresh_expires_at() =
      ToTimestamp(std::min(FromTimestamp(record.expires_at()),
                           FromTimestamp(record.idle_expires_at())));
  out->set_session_id(record.session_id());
  out->set_token_type("Bearer");
  return access;
}

session::Minter TokenAuthorityService::Answer::Minter() {
  minter_ = [this](const session::ActiveSession& session) -> absl::Status {
    absl::StatusOr<token::UnsignedAccessToken> access =
        service_->Prepare(session, out_);
    if (!access.ok()) return access.status();
    access_.emplace(*std::move(access));
    return absl::OkStatus();
  };
  return minter_;  // A reference to the member: valid while *this lives.
}

absl::Status TokenAuthorityService::Answer::Sign() {
  if (!access_.has_value()) {
    return absl::InternalError("the answer was never prepared");
  }
  absl::StatusOr<std::string> signed_token = access_->Sign();
  if (!signed_token.ok()) return signed_token.status();
  out_->set_access_token(*std::move(signed_token));
  return absl::OkStatus();
}

absl::Status TokenAuthorityService::Fits(
    const session::ActiveSession& session) const {
  if (absl::Status s = CheckClaims(session.claims); !s.ok()) return s;
  tessera::v1::SessionTokens scratch;
  absl::StatusOr<token::UnsignedAccessToken> minted =
      Prepare(session, &scratch);
  if (!minted.ok()) {
    return Invalid(
        errors::kClaimsTooLarge,
        absl::StrCat(
            "with these claims session ", session.record.session_id(),
            " could not mint an access token: ", minted.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<const auth::Caller*> TokenAuthorityService::Admit(
    const CallbackServerContext& context, auth::Method method,
    absl::string_view audited, absl::string_view target) {
  absl::StatusOr<const auth::Caller*> caller =
      guards_.authorizer->Authorize(context, method);
  if (!caller.ok()) {
    if (!audited.empty()) {
      AuditRefused(audited, context, target, caller.status());
    }
    return caller.status();
  }
  const bool rate_limited = method == auth::Method::kIssueSession ||
                            method == auth::Method::kRefreshSession;
  if (rate_limited) {
    if (auto wait = guards_.limiter->Take((*caller)->name, absl::Now())) {
      return RateLimited((*caller)->name, *wait);
    }
  }
  return caller;
}

void TokenAuthorityService::AuditRefused(
    absl::string_view method, const grpc::CallbackServerContext& context,
    absl::string_view target, const absl::Status& refusal) {
  const std::string name = guards_.authorizer->IdentifiedName(context);
  guards_.audit->Record(method, name.empty() ? "(unauthenticated)" : name,
                        target, refusal);
}

ServerUnaryReactor* TokenAuthorityService::IssueSession(
    CallbackServerContext* context,
    const tessera::v1::IssueSessionRequest* request,
    tessera::v1::SessionTokens* response) {
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    IssueSessionNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* TokenAuthorityService::IssueSessionNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::IssueSessionRequest* request,
    tessera::v1::SessionTokens* response) {
  absl::StatusOr<const auth::Caller*> caller =
      Admit(*context, auth::Method::kIssueSession);
  if (!caller.ok()) return Reply(reactor, caller.status());
  return AnswerWhenDurable(
      store_, reactor, [&](WritesDone writes_done) -> absl::Status {
        if (absl::Status valid = CheckIssue(*request); !valid.ok()) {
          return valid;
        }
        absl::StatusOr<absl::Duration> access_ttl =
            RequestedTtl(request->has_access_ttl(), request->access_ttl(),
                         config_.max_access_ttl, "access_ttl");
        if (!access_ttl.ok()) return access_ttl.status();
        absl::StatusOr<absl::Duration> session_ttl =
            RequestedTtl(request->has_session_ttl(), request->session_ttl(),
                         config_.max_session_ttl, "session_ttl");
        if (!session_ttl.ok()) return session_ttl.status();

        session::NewSession fresh;
        fresh.subject = request->subject();
        fresh.session_group = (*caller)->session_group;
        fresh.audience.assign(request->audience().begin(),
                              request->audience().end());
        if (fresh.audience.empty()) {
          fresh.audience.push_back(config_.default_audience);
        }
        fresh.claims = request->claims();
        fresh.client = request->client();
        fresh.access_ttl = *access_ttl;
        fresh.session_ttl = *session_ttl;
        fresh.client_id = (*caller)->name;
        Answer answer(this, response);
        // A retry of an issue named by a request id gets its session back.
        absl::StatusOr<session::ActiveSession> issued =
            request->request_id().empty()
                ? sessions_->Issue(fresh, store_->Now(), answer.Minter())
                : request_ids_->Issue(
                      fresh, request->request_id(),
                      session::IssueRequestHash(*request, (*caller)->name),
                      store_->Now(), answer.Minter());
        if (!issued.ok()) return issued.status();
        writes_done();  // The fsync runs while the token is signed.
        return answer.Sign();
      });
}

ServerUnaryReactor* TokenAuthorityService::RefreshSession(
    CallbackServerContext* context,
    const tessera::v1::RefreshSessionRequest* request,
    tessera::v1::SessionTokens* response) {
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    RefreshSessionNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* TokenAuthorityService::RefreshSessionNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::RefreshSessionRequest* request,
    tessera::v1::SessionTokens* response) {
  absl::StatusOr<const auth::Caller*> caller =
      Admit(*context, auth::Method::kRefreshSession);
  if (!caller.ok()) return Reply(reactor, caller.status());
  return AnswerWhenDurable(
      store_, reactor,
      [&](WritesDone writes_done) -> absl::Status {
        if (absl::Status valid = CheckRefresh(*request); !valid.ok()) {
          return valid;
        }
        Answer answer(this, response);
        absl::StatusOr<session::ActiveSession> refreshed =
            sessions_->Refresh(request->refresh_token(), AccessOf(**caller),
                               store_->Now(), answer.Minter());
        if (!refreshed.ok()) return refreshed.status();
        writes_done();  // The fsync runs while the token is signed.
        return answer.Sign();
      },
      [this, name = (*caller)->name,
       session = session::SessionStore::SessionIdOf(request->refresh_token())
                     .value_or("")](const absl::Status& answer) {
        // Theft signal: a retired refresh token came back.
        if (errors::ReasonOf(answer) == errors::kRefreshTokenReused) {
          guards_.audit->Record("RefreshSession", name, session, answer);
        }
      });
}

ServerUnaryReactor* TokenAuthorityService::ValidateToken(
    CallbackServerContext* context,
    const tessera::v1::ValidateTokenRequest* request,
    tessera::v1::ValidateTokenResponse* response) {
  if (absl::Status allowed =
          Admit(*context, auth::Method::kValidateToken).status();
      !allowed.ok()) {
    return Reply(context, allowed);
  }
  if (absl::Status valid = CheckValidate(*request); !valid.ok()) {
    return Reply(context, valid);
  }
  // The usual call names no audience: its options are built once.
  std::optional<token::VerifyOptions> named;
  if (!request->audience().empty()) {
    named = default_verify_options_;
    named->policy.audience.assign(request->audience().begin(),
                                  request->audience().end());
  }
  const token::VerifyOptions& options =
      named.has_value() ? *named : default_verify_options_;
  // The Verifier's check (client/verifier/token_check.h), with the
  // published keys of the current key ring.
  const std::shared_ptr<const keys::KeyRing::Snapshot> key_set =
      keys_->current();
  absl::StatusOr<std::shared_ptr<const token::AccessTokenClaims>> checked =
      CheckToken(request->access_token(),
                 {.cache = &validated_,
                  .key_version = key_set->version,
                  .keys = [&]() -> VersionedKeys {
                    return {std::shared_ptr<const token::KeySet>(
                                key_set, &key_set->published),
                            key_set->version};
                  },
                  .options = &options,
                  .revocations =
                      [&](const token::AccessTokenClaims& claims) {
                        return revocations_->Check(
                            claims.session_id, claims.subject, claims.issued_at,
                            claims.subject_generation);
                      },
                  .now = store_->Now()});
  if (!checked.ok()) {
    const tessera::v1::TokenInvalidReason reason =
        TokenInvalidReasonOf(checked.status());
    if (reason == tessera::v1::TOKEN_INVALID_REASON_UNSPECIFIED) {
      return Reply(context, checked.status());
    }
    response->set_valid(false);
    response->set_reason(reason);
    return Reply(context, absl::OkStatus());
  }
  const token::AccessTokenClaims& claims = **checked;
  response->set_valid(true);
  tessera::v1::TokenClaims* out = response->mutable_claims();
  out->set_subject(claims.subject);
  out->set_session_id(claims.session_id);
  for (const std::string& aud : claims.audience) out->add_audience(aud);
  *out->mutable_issued_at() = ToTimestamp(claims.issued_at);
  *out->mutable_expires_at() = ToTimestamp(claims.expires_at);
  out->set_token_id(claims.token_id);
  out->set_client_id(claims.client_id);
  *out->mutable_custom() = JsonToStruct(claims.custom);
  return Reply(context, absl::OkStatus());
}

ServerUnaryReactor* TokenAuthorityService::RevokeSession(
    CallbackServerContext* context,
    const tessera::v1::RevokeSessionRequest* request,
    tessera::v1::RevokeSessionResponse* response) {
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    RevokeSessionNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* TokenAuthorityService::RevokeSessionNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::RevokeSessionRequest* request,
    tessera::v1::RevokeSessionResponse* response) {
  // For the audit log: never a token. A token target is named by the
  // session it names once that is known to be real.
  auto target = std::make_shared<std::string>();
  switch (request->target_case()) {
    case tessera::v1::RevokeSessionRequest::kSessionId:
      *target = absl::StrCat("session_id=",
                             log::Utf8Prefix(request->session_id(), 64));
      break;
    case tessera::v1::RevokeSessionRequest::kSubject:
      *target =
          absl::StrCat("subject=", log::Utf8Prefix(request->subject(), 256));
      break;
    case tessera::v1::RevokeSessionRequest::kRefreshToken:
      *target = "refresh_token";
      break;
    case tessera::v1::RevokeSessionRequest::kAccessToken:
      *target = "access_token";
      break;
    case tessera::v1::RevokeSessionRequest::TARGET_NOT_SET:
      break;
  }
  absl::StatusOr<const auth::Caller*> caller =
      Admit(*context, auth::Method::kRevokeSession, "RevokeSession", *target);
  if (!caller.ok()) return Reply(reactor, caller.status());
  auto audit = [this, name = (*caller)->name,
                target](const absl::Status& answer) {
    guards_.audit->Record("RevokeSession", name, *target, answer);
  };
  const session::Access access = AccessOf(**caller);
  return AnswerWhenDurable(
      store_, reactor,
      [&](WritesDone) -> absl::Status {
        if (absl::Status valid = CheckRevokeReason(request->reason());
            !valid.ok()) {
          return valid;
        }
        const std::string reason =
            request->reason().empty() ? "revoked" : request->reason();
        absl::StatusOr<session::RevokeResult> result =
            Revoke(*request, access, reason, target.get());
        if (!result.ok()) return result.status();
        response->set_revoked_count(result->revoked_count);
        response->set_sequence(result->sequence);
        return absl::OkStatus();
      },
      audit);
}

absl::StatusOr<session::RevokeResult> TokenAuthorityService::Revoke(
    const tessera::v1::RevokeSessionRequest& request,
    const session::Access& access, absl::string_view reason,
    std::string* target) {
  const absl::Time now = store_->Now();
  switch (request.target_case()) {
    case tessera::v1::RevokeSessionRequest::kSessionId:
      if (absl::Status s = CheckSessionId(request.session_id()); !s.ok()) {
        return s;
      }
      return sessions_->RevokeSession(request.session_id(), access, reason,
                                      now);
    case tessera::v1::RevokeSessionRequest::kSubject:
      if (absl::Status s = CheckSubject(request.subject()); !s.ok()) return s;
      return sessions_->RevokeSubject(request.subject(), access, reason, now);
    case tessera::v1::RevokeSessionRequest::kRefreshToken: {
      if (absl::Status s =
              CheckTokenSize("refresh_token", request.refresh_token());
          !s.ok()) {
        return s;
      }
      // RFC 7009: a token that is not real is not an error; nothing is
      // revoked. The store checks the secret, not just the session id.
      absl::StatusOr<session::RevokeResult> result =
          sessions_->RevokeByRefreshToken(request.refresh_token(), access,
                                          reason, now);
      if (result.ok() && result->revoked_count > 0) {
        *target = absl::StrCat(
            "session_id=",
            session::SessionStore::SessionIdOf(request.refresh_token())
                .value_or(""));
      }
      return result;
    }
    case tessera::v1::RevokeSessionRequest::kAccessToken: {
      if (absl::Status s =
              CheckTokenSize("access_token", request.access_token());
          !s.ok()) {
        return s;
      }
      // The signature must verify; expiry does not matter for revocation.
      auto verified = token::DecodeAndVerifySignature(
          request.access_token(), keys_->current()->published,
          token::VerifyOptions().allowed_algorithms);
      auto* token = std::get_if<token::VerifiedToken>(&verified);
      if (token == nullptr) return session::RevokeResult{};
      *target = absl::StrCat("session_id=", token->claims.session_id);
      return sessions_->RevokeSession(token->claims.session_id, access, reason,
                                      now);
    }
    case tessera::v1::RevokeSessionRequest::TARGET_NOT_SET:
      break;
  }
  return Invalid(errors::kTargetMissing,
                 "set one of session_id, subject, refresh_token or "
                 "access_token");
}

ServerUnaryReactor* TokenAuthorityService::GetSession(
    CallbackServerContext* context,
    const tessera::v1::GetSessionRequest* request,
    tessera::v1::Session* response) {
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    GetSessionNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* TokenAuthorityService::GetSessionNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::GetSessionRequest* request,
    tessera::v1::Session* response) {
  absl::StatusOr<const auth::Caller*> caller =
      Admit(*context, auth::Method::kGetSession);
  if (!caller.ok()) return Reply(reactor, caller.status());
  if (absl::Status valid = CheckSessionId(request->session_id()); !valid.ok()) {
    return Reply(reactor, valid);
  }
  absl::StatusOr<tessera::v1::SessionRecord> record =
      sessions_->Get(request->session_id(), AccessOf(**caller));
  if (!record.ok()) return Reply(reactor, record.status());
  FillSession(*record, response);
  return Reply(reactor, absl::OkStatus());
}

ServerUnaryReactor* TokenAuthorityService::ListSessions(
    CallbackServerContext* context,
    const tessera::v1::ListSessionsRequest* request,
    tessera::v1::ListSessionsResponse* response) {
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    ListSessionsNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* TokenAuthorityService::ListSessionsNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::ListSessionsRequest* request,
    tessera::v1::ListSessionsResponse* response) {
  absl::StatusOr<const auth::Caller*> caller =
      Admit(*context, auth::Method::kListSessions);
  if (!caller.ok()) return Reply(reactor, caller.status());
  absl::StatusOr<int> page_size = CheckList(*request);
  if (!page_size.ok()) return Reply(reactor, page_size.status());
  absl::StatusOr<session::SessionStore::Page> page = sessions_->List(
      request->subject(), AccessOf(**caller), *page_size, request->page_token(),
      request->include_revoked(), store_->Now());
  if (!page.ok()) return Reply(reactor, page.status());
  for (const tessera::v1::SessionRecord& record : page->sessions) {
    FillSession(record, response->add_sessions());
  }
  response->set_next_page_token(page->next_page_token);
  return Reply(reactor, absl::OkStatus());
}

ServerUnaryReactor* TokenAuthorityService::UpdateClaims(
    CallbackServerContext* context,
    const tessera::v1::UpdateClaimsRequest* request,
    tessera::v1::UpdateClaimsResponse* response) {
  return Offload(guards_.workers, context, [=](ServerUnaryReactor* reactor) {
    UpdateClaimsNow(reactor, context, request, response);
  });
}

ServerUnaryReactor* TokenAuthorityService::UpdateClaimsNow(
    ServerUnaryReactor* reactor, CallbackServerContext* context,
    const tessera::v1::UpdateClaimsRequest* request,
    tessera::v1::UpdateClaimsResponse* response) {
  const std::string target =
      absl::StrCat("subject=", log::Utf8Prefix(request->subject(), 256));
  absl::StatusOr<const auth::Caller*> caller =
      Admit(*context, auth::Method::kUpdateClaims, "UpdateClaims", target);
  if (!caller.ok()) return Reply(reactor, caller.status());
  const session::Access access = AccessOf(**caller);
  return AnswerWhenDurable(
      store_, reactor,
      [&](WritesDone) -> absl::Status {
        // Fits checks each session's resulting claims again.
        absl::StatusOr<tessera::v1::ClaimsMode> mode =
            CheckUpdateClaims(*request);
        if (!mode.ok()) return mode.status();
        absl::StatusOr<uint64_t> sequence = sessions_->UpdateClaims(
            request->subject(), access, request->claims(), *mode,
            request->invalidate_access_tokens(), store_->Now(),
            [this](const session::ActiveSession& next) { return Fits(next); });
        if (!sequence.ok()) return sequence.status();
        response->set_sequence(*sequence);
        return absl::OkStatus();
      },
      [this, name = (*caller)->name, target](const absl::Status& answer) {
        guards_.audit->Record("UpdateClaims", name, target, answer);
      });
}

ServerUnaryReactor* TokenAuthorityService::GetJwks(
    CallbackServerContext* context, const tessera::v1::GetJwksRequest*,
    tessera::v1::GetJwksResponse* response) {
  if (absl::Status allowed = Admit(*context, auth::Method::kGetJwks).status();
      !allowed.ok()) {
    return Reply(context, allowed);
  }
  const std::shared_ptr<const keys::KeyRing::Snapshot> keys = keys_->current();
  response->set_jwks_json(keys->jwks_json);
  for (const tessera::v1::SigningKey& key : keys->keys) {
    *response->add_keys() = key;
  }
  return Reply(context, absl::OkStatus());
}

grpc::ServerWriteReactor<tessera::v1::RevocationEvent>*
TokenAuthorityService::WatchRevocations(
    CallbackServerContext* context,
    const tessera::v1::WatchRevocationsRequest* request) {
  absl::StatusOr<const auth::Caller*> caller =
      Admit(*context, auth::Method::kWatchRevocations);
  if (!caller.ok()) {
    return stream::RevocationHub::Refuse(errors::ToGrpcStatus(caller.status()));
  }
  return hub_->Watch(context, request, (*caller)->name);
}

}  // namespace tessera::service
