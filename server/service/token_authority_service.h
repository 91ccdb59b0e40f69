#ifndef TESSERA_SERVER_SERVICE_TOKEN_AUTHORITY_SERVICE_H_
#define TESSERA_SERVER_SERVICE_TOKEN_AUTHORITY_SERVICE_H_

// tessera.v1.TokenAuthority (proto/tessera/v1/token_authority.proto), on
// gRPC's callback API. Input limits and error reasons are those the proto
// documents; every failure carries a google.rpc.ErrorInfo reason.
//
// Every handler first authorizes its caller (server/auth: roles, then rate
// limits for issue and refresh); revocations, claims updates and reuse
// detection are written to the audit log. Every handler runs inline on
// gRPC's threads. Handlers that write (issue,
// refresh, revoke, update claims) answer from Store::AfterDurable, so
// concurrent calls share one WAL fsync without a thread blocked per call.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "client/revocation/revocation_state.h"
#include "client/verifier/token_cache.h"
#include "server/audit/audit_log.h"
#include "server/auth/authorizer.h"
#include "server/auth/rate_limiter.h"
#include "server/keys/key_ring.h"
#include "server/service/worker_pool.h"
#include "server/session/request_ids.h"
#include "server/session/session_store.h"
#include "server/store/kv.h"
#include "server/stream/revocation_hub.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera::service {

// Who may call, how often, and the record of what they did. Must outlive
// the services.
struct Guards {
  const auth::Authorizer* authorizer;
  auth::RateLimiter* limiter;
  audit::AuditLog* audit;
  // Where RPCs that read or write the store run when it is remote
  // (PostgreSQL); nullptr: inline on gRPC's thread (RocksDB, whose calls
  // do not block on the network and whose fsyncs are answered
  // asynchronously, durable_reply.h).
  WorkerPool* workers = nullptr;
};

struct TokenAuthorityConfig {
  std::string issuer;
  absl::Duration max_access_ttl;
  absl::Duration max_session_ttl;
  absl::Duration leeway = absl::Seconds(30);
  // The aud of tokens issued without one, and what ValidateToken checks
  // when asked for no audience.
  std::string default_audience = "api";
  // Access tokens whose signature ValidateToken has checked, kept so a
  // token seen before costs a lookup (expiry, audience and revocation are
  // still checked on every call).
  size_t validated_cache_capacity = 100000;
};

class TokenAuthorityService final
    : public tessera::v1::TokenAuthority::CallbackService {
 public:
  // Everything passed must outlive the service.
  TokenAuthorityService(TokenAuthorityConfig config, store::Kv* store,
                        session::SessionStore* sessions,
                        session::RequestIds* request_ids,
                        const keys::KeyRing* keys,
                        const revocation::RevocationState* revocations,
                        stream::RevocationHub* hub, Guards guards);

  grpc::ServerUnaryReactor* IssueSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::IssueSessionRequest* request,
      tessera::v1::SessionTokens* response) override;
  grpc::ServerUnaryReactor* RefreshSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::RefreshSessionRequest* request,
      tessera::v1::SessionTokens* response) override;
  grpc::ServerUnaryReactor* ValidateToken(
      grpc::CallbackServerContext* context,
      const tessera::v1::ValidateTokenRequest* request,
      tessera::v1::ValidateTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::RevokeSessionRequest* request,
      tessera::v1::RevokeSessionResponse* response) override;
  grpc::ServerUnaryReactor* GetSession(
      grpc::CallbackServerContext* context,
      const tessera::v1::GetSessionRequest* request,
      tessera::v1::Session* response) override;
  grpc::ServerUnaryReactor* ListSessions(
      grpc::CallbackServerContext* context,
      const tessera::v1::ListSessionsRequest* request,
      tessera::v1::ListSessionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateClaims(
      grpc::CallbackServerContext* context,
      const tessera::v1::UpdateClaimsRequest* request,
      tessera::v1::UpdateClaimsResponse* response) override;
  grpc::ServerUnaryReactor* GetJwks(
      grpc::CallbackServerContext* context,
      const tessera::v1::GetJwksRequest* request,
      tessera::v1::GetJwksResponse* response) override;
  grpc::ServerWriteReactor<tessera::v1::RevocationEvent>* WatchRevocations(
      grpc::CallbackServerContext* context,
      const tessera::v1::WatchRevocationsRequest* request) override;

 private:
  // The RPCs that touch the store run as `Now` bodies, through Offload
  // (offload.h: on Guards::workers when there is a pool).
  grpc::ServerUnaryReactor* IssueSessionNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::IssueSessionRequest* request,
      tessera::v1::SessionTokens* response);
  grpc::ServerUnaryReactor* RefreshSessionNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::RefreshSessionRequest* request,
      tessera::v1::SessionTokens* response);
  grpc::ServerUnaryReactor* RevokeSessionNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::RevokeSessionRequest* request,
      tessera::v1::RevokeSessionResponse* response);
  grpc::ServerUnaryReactor* GetSessionNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::GetSessionRequest* request,
      tessera::v1::Session* response);
  grpc::ServerUnaryReactor* ListSessionsNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::ListSessionsRequest* request,
      tessera::v1::ListSessionsResponse* response);
  grpc::ServerUnaryReactor* UpdateClaimsNow(
      grpc::ServerUnaryReactor* reactor, grpc::CallbackServerContext* context,
      const tessera::v1::UpdateClaimsRequest* request,
      tessera::v1::UpdateClaimsResponse* response);
  // Fills `out` for `session` but for the access token, which it returns
  // unsigned (its size checked). Its lifetime is the session's, capped by
  // today's --access_ttl.
  absl::StatusOr<token::UnsignedAccessToken> Prepare(
      const session::ActiveSession& session,
      tessera::v1::SessionTokens* out) const;

  // One issue or refresh answer: prepared inside the store's write (a token
  // that cannot be made stops the write), signed after it, while the WAL
  // fsync runs.
  class Answer {
   public:
    Answer(const TokenAuthorityService* service,
           tessera::v1::SessionTokens* out)
        : service_(service), out_(out) {}
    // For SessionStore::Issue / Refresh; valid while this Answer lives.
    session::Minter Minter();
    // Signs what Minter prepared into `out`.
    absl::Status Sign();

   private:
    const TokenAuthorityService* const service_;
    tessera::v1::SessionTokens* const out_;
    std::optional<token::UnsignedAccessToken> access_;
    std::function<absl::Status(const session::ActiveSession&)> minter_;
  };
  // RevokeSession's work; names the session in `target` once it is known.
  absl::StatusOr<session::RevokeResult> Revoke(
      const tessera::v1::RevokeSessionRequest& request,
      const session::Access& access, absl::string_view reason,
      std::string* target);
  // Whether `session` could mint with its claims: the claims limit and the
  // token size limit (UpdateClaims checks every session with this).
  absl::Status Fits(const session::ActiveSession& session) const;
  // The authorization preamble of every RPC: the caller of `method`
  // (server/auth roles), refused with RATE_LIMITED when over its rate if
  // `method` is rate limited (IssueSession, RefreshSession). A caller the
  // authorizer refuses is audited as `audited` on `target` unless `audited`
  // is empty (the audited RPCs: RevokeSession, UpdateClaims).
  absl::StatusOr<const auth::Caller*> Admit(
      const grpc::CallbackServerContext& context, auth::Method method,
      absl::string_view audited = "", absl::string_view target = "");
  // Audits a call refused before it reached its handler, naming the caller
  // if its credential was valid.
  void AuditRefused(absl::string_view method,
                    const grpc::CallbackServerContext& context,
                    absl::string_view target, const absl::Status& refusal);

  const TokenAuthorityConfig config_;
  // ValidateToken's options for a request naming no audience.
  token::VerifyOptions default_verify_options_;
  const Guards guards_;
  store::Kv* store_;
  session::SessionStore* sessions_;
  session::RequestIds* request_ids_;
  const keys::KeyRing* keys_;
  const revocation::RevocationState* revocations_;
  stream::RevocationHub* hub_;
  // Tokens ValidateToken has verified, by their text, tagged with the
  // key-ring version they were checked with (the Verifier's cache and
  // policy: client/verifier/token_check.h).
  TokenCache validated_;
};

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_TOKEN_AUTHORITY_SERVICE_H_
