#include "server/service/request_validation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/base/timestamps.h"
#include "client/token/access_token.h"
#include "client/token/json.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/service/struct_json.h"
#include "server/session/refresh_token.h"
#include "server/session/request_ids.h"

namespace tessera::service {
namespace {

absl::Status Invalid(absl::string_view reason, absl::string_view message) {
  return errors::Error(absl::StatusCode::kInvalidArgument, reason, message);
}

}  // namespace

absl::Status CheckSubject(absl::string_view subject) {
  if (subject.empty() || subject.size() > kMaxSubjectBytes ||
      !token::IsValidUtf8(subject)) {
    return Invalid(errors::kSubjectInvalid,
                   absl::StrCat("subject must be 1-", kMaxSubjectBytes,
                                " bytes of UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckAudiences(
    const google::protobuf::RepeatedPtrField<std::string>& audiences) {
  if (audiences.size() > kMaxAudiences) {
    return Invalid(errors::kAudienceInvalid,
                   absl::StrCat("at most ", kMaxAudiences, " audiences"));
  }
  for (const std::string& aud : audiences) {
    if (aud.empty() || aud.size() > kMaxAudienceBytes ||
        !token::IsValidUtf8(aud)) {
      return Invalid(errors::kAudienceInvalid,
                     absl::StrCat("each audience must be 1-", kMaxAudienceBytes,
                                  " bytes of UTF-8"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckClaims(const google::protobuf::Struct& claims) {
  absl::StatusOr<token::Json> json = StructToJson(claims);
  if (!json.ok())
    return Invalid(errors::kClaimsInvalid, json.status().message());
  for (const auto& [name, value] : json->object()) {
    if (token::IsRegisteredClaim(name)) {
      // Registered names are a fixed set of short ASCII names, so echoing
      // the one matched never echoes attacker-chosen bytes.
      return Invalid(errors::kReservedClaim,
                     absl::StrCat("claim \"", name,
                                  "\" is set by Tessera; choose another name"));
    }
  }
  const size_t size = json->Serialize().size();
  if (size > kMaxClaimsJsonBytes) {
    return Invalid(errors::kClaimsTooLarge, absl::StrCat("claims are ", size,
                                                         " bytes as JSON; the "
                                                         "limit is ",
                                                         kMaxClaimsJsonBytes));
  }
  return absl::OkStatus();
}

absl::Status CheckClientInfo(const tessera::v1::ClientInfo& client) {
  for (const std::string* field :
       {&client.user_agent(), &client.ip_address(), &client.device_name()}) {
    if (field->size() > kMaxClientFieldBytes || !token::IsValidUtf8(*field)) {
      return Invalid(errors::kClientInfoInvalid,
                     absl::StrCat("client fields must be at most ",
                                  kMaxClientFieldBytes, " bytes of UTF-8"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTokenSize(absl::string_view field, absl::string_view token) {
  if (token.size() <= token::kMaxTokenBytes) return absl::OkStatus();
  return Invalid(
      errors::kTokenTooLarge,
      absl::StrCat(field, " is longer than ", token::kMaxTokenBytes, " bytes"));
}

absl::StatusOr<absl::Duration> RequestedTtl(
    bool has, const google::protobuf::Duration& requested, absl::Duration max,
    absl::string_view field) {
  if (!has) return max;
  const absl::Duration ttl = FromDuration(requested);
  if (ttl <= absl::ZeroDuration()) {
    return Invalid(errors::kTtlInvalid,
                   absl::StrCat(field, " must be positive"));
  }
  return std::min(ttl, max);
}

absl::Status CheckSessionId(absl::string_view session_id) {
  if (session::IsValidSessionId(session_id)) return absl::OkStatus();
  return Invalid(errors::kSessionIdInvalid,
                 "session_id is not a Tessera session id");
}

absl::Status CheckIssue(const tessera::v1::IssueSessionRequest& request) {
  if (absl::Status s = CheckSubject(request.subject()); !s.ok()) return s;
  if (absl::Status s = CheckAudiences(request.audience()); !s.ok()) return s;
  if (absl::Status s = CheckClaims(request.claims()); !s.ok()) return s;
  if (absl::Status s = CheckClientInfo(request.client()); !s.ok()) return s;
  if (!request.request_id().empty()) {
    return session::CheckRequestId(request.request_id());
  }
  return absl::OkStatus();
}

absl::Status CheckRefresh(const tessera::v1::RefreshSessionRequest& request) {
  return CheckTokenSize("refresh_token", request.refresh_token());
}

absl::Status CheckValidate(const tessera::v1::ValidateTokenRequest& request) {
  if (absl::Status s = CheckTokenSize("access_token", request.access_token());
      !s.ok()) {
    return s;
  }
  return CheckAudiences(request.audience());
}

absl::Status CheckRevokeReason(absl::string_view reason) {
  if (reason.size() <= kMaxReasonBytes) return absl::OkStatus();
  return Invalid(
      errors::kReasonInvalid,
      absl::StrCat("reason is longer than ", kMaxReasonBytes, " bytes"));
}

absl::StatusOr<int> CheckList(const tessera::v1::ListSessionsRequest& request) {
  if (absl::Status s = CheckSubject(request.subject()); !s.ok()) return s;
  if (request.page_size() < 0) {
    return Invalid(errors::kPageSizeInvalid, "page_size must not be negative");
  }
  if (request.page_token().size() > kMaxPageTokenBytes) {
    return Invalid(errors::kPageTokenInvalid,
                   "page_token is not from a previous ListSessions");
  }
  if (request.page_size() == 0) return kDefaultPageSize;
  return std::min(static_cast<int>(request.page_size()), kMaxPageSize);
}

absl::StatusOr<tessera::v1::ClaimsMode> ClaimsModeOf(
    const tessera::v1::UpdateClaimsRequest& request) {
  switch (request.mode()) {
    case tessera::v1::CLAIMS_MODE_UNSPECIFIED:
      return request.merge() ? tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL
                             : tessera::v1::CLAIMS_MODE_REPLACE;
    case tessera::v1::CLAIMS_MODE_MERGE_TOP_LEVEL:
      return request.mode();
    case tessera::v1::CLAIMS_MODE_REPLACE:
    case tessera::v1::CLAIMS_MODE_MERGE_PATCH:
      if (!request.merge()) return request.mode();
      return Invalid(errors::kClaimsModeInvalid,
                     absl::StrCat("merge = true contradicts mode ",
                                  tessera::v1::ClaimsMode_Name(request.mode()),
                                  "; leave merge unset when setting a mode"));
    default:
      return Invalid(errors::kClaimsModeInvalid,
                     absl::StrCat("mode ", static_cast<int>(request.mode()),
                                  " is not a ClaimsMode this server knows"));
  }
}

absl::StatusOr<tessera::v1::ClaimsMode> CheckUpdateClaims(
    const tessera::v1::UpdateClaimsRequest& request) {
  if (absl::Status s = CheckSubject(request.subject()); !s.ok()) return s;
  absl::StatusOr<tessera::v1::ClaimsMode> mode = ClaimsModeOf(request);
  if (!mode.ok()) return mode.status();
  // The claims as sent (a merge patch's nulls included) pass the claims
  // checks, so a patch can delete a claim but never set a reserved one.
  if (absl::Status s = CheckClaims(request.claims()); !s.ok()) return s;
  return mode;
}

absl::Status CheckWithdrawal(
    const tessera::v1::WithdrawSigningKeyRequest& request) {
  if (request.kid().empty() || request.kid().size() > kMaxKidBytes) {
    return Invalid(errors::kKidInvalid,
                   absl::StrCat("kid must be 1-", kMaxKidBytes,
                                " bytes (a SigningKey.kid from "
                                "ListSigningKeys)"));
  }
  if (request.reason().size() > kMaxReasonBytes) {
    return Invalid(
        errors::kReasonTooLong,
        absl::StrCat("reason must be at most ", kMaxReasonBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace tessera::service
