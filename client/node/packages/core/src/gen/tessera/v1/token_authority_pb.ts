// The Tessera token authority API.
//
// Tessera issues, refreshes, validates and revokes user sessions. A session
// is represented to clients by two tokens:
//   - an access token: a short-lived JWT (JWS compact, header
//     {"alg","kid","typ":"at+jwt"}) that relying services verify locally or
//     with ValidateToken;
//   - a refresh token: an opaque secret ("tsr_" prefix, 256 bits from the
//     CSPRNG) that rotates on every RefreshSession.
//
// Callers and roles (docs/security.md). Each RPC names the roles that may call it:
//   issuer   — IssueSession, RefreshSession, RevokeSession, UpdateClaims,
//              GetSession, ListSessions
//   verifier — ValidateToken, GetJwks, WatchRevocations
//   admin    — everything, including the Admin service
// With no callers configured (zero-config) only loopback is served and every
// local caller has every role.
//
// Sessions belong to the session group of the caller that issued them (a
// caller's own name unless the config gives it a `session_group`, so that
// e.g. a web and a mobile backend share their users' sessions). For any
// other issuer a session does not exist: RefreshSession, GetSession and
// RevokeSession answer as for an unknown session, ListSessions and
// "sign out everywhere" see only the caller's group, and UpdateClaims
// changes the claims of the caller's group only. Admin callers may refresh,
// read, list and revoke every group's sessions.
//
// Errors. Every failure is a gRPC status with a google.rpc.ErrorInfo detail
// (domain "tessera"); `reason` is part of this contract:
//   INVALID_ARGUMENT:
//     SUBJECT_INVALID        subject empty, longer than 256 bytes, or not
//                            UTF-8
//     AUDIENCE_INVALID       more than 16 audiences, or one empty or longer
//                            than 256 bytes
//     CLAIMS_TOO_LARGE       claims longer than 4096 bytes as JSON
//     RESERVED_CLAIM         a custom claim named iss, sub, aud, exp, nbf,
//                            iat, jti, sid, client_id or sgen
//     CLAIMS_INVALID         claims nested deeper than 16, or not an object
//     CLAIMS_MODE_INVALID    UpdateClaims with an unknown mode, or a mode
//                            other than MERGE_TOP_LEVEL with merge = true
//     TTL_INVALID            a negative or zero requested TTL
//     SESSION_ID_INVALID     session_id not of the form Tessera issues
//     PAGE_TOKEN_INVALID     page_token not from a previous ListSessions
//     PAGE_SIZE_INVALID      a negative page_size
//     CLIENT_INFO_INVALID    a ClientInfo field over 256 bytes or not UTF-8
//     REASON_INVALID         a revocation reason over 256 bytes
//     TOKEN_TOO_LARGE        a token longer than 8192 bytes
//     TARGET_MISSING         RevokeSession with no target
//     REQUEST_ID_INVALID     request_id not 16-128 bytes of printable ASCII
//   UNAUTHENTICATED:
//     REFRESH_TOKEN_INVALID  malformed, unknown, or wrong secret; changes
//                            nothing
//     REFRESH_TOKEN_REUSED   a retired refresh token presented outside the
//                            grace window: the session is now revoked.
//                            Every later refresh of that session with any
//                            of its authentic tokens (the thief's or the
//                            owner's) gets this reason too, never
//                            SESSION_REVOKED: ask RefreshSession to learn
//                            whether a revoked session was stolen
//     SESSION_REVOKED        the session was revoked
//     SESSION_EXPIRED        the session passed its idle or absolute expiry
//     CALLER_UNKNOWN         no or wrong API key / client certificate
//                            (only when callers are configured)
//   PERMISSION_DENIED:
//     ROLE_MISSING           the caller lacks the role the method needs
//   NOT_FOUND:
//     SESSION_NOT_FOUND      GetSession of an unknown (or purged) session
//   ALREADY_EXISTS:
//     REQUEST_ID_REUSED      IssueSession with a request_id its session
//                            group used in the last 24 h for another
//                            request; nothing is issued
//   FAILED_PRECONDITION:
//     REQUEST_ID_SPENT       IssueSession retried with a request_id whose
//                            session was since refreshed, revoked or
//                            expired; start over with a new request_id
//   RESOURCE_EXHAUSTED:
//     RATE_LIMITED           per-caller rate limit; carries RetryInfo
//     TOO_MANY_WATCHERS      per-caller cap on WatchRevocations streams
//     CONSUMER_TOO_SLOW      a WatchRevocations stream fell too far behind;
//                            reconnect with after_sequence
//   UNAVAILABLE:
//     STORE_UNAVAILABLE      the store failed a write; nothing was changed
//
// Access tokens are judged the same way everywhere: ValidateToken, the C++
// Verifier (client/verifier) and every client library reach the same
// verdict with the same TokenInvalidReason (see there for the checks and
// their order). The language-neutral vectors in
// tests/conformance/tokens.json, made from the C++ codec, pin this down;
// client libraries must pass all of them.
//
// HTTP services taking access tokens (client/auth/http_bearer.h and the
// client libraries' middleware) answer the same way too, exactly as
// docs/http-contract.md and tests/conformance/http.json state:
//   no Authorization field, an empty one,   401  WWW-Authenticate: Bearer
//   or another scheme ("Basic ...")              realm="tessera"
//   several fields, or "Bearer" without     400  WWW-Authenticate: Bearer
//   exactly one b64token after it                realm="tessera",
//                                                error="invalid_request"
//   token refused with reason R             401  WWW-Authenticate: Bearer
//                                                realm="tessera",
//                                                error="invalid_token";
//                                                Tessera-Reason: R
//   verifier not in sync or stale           503  Retry-After: 2
//   (it fails closed)
// R is the TokenInvalidReason name without "TOKEN_INVALID_REASON_"
// ("EXPIRED"). Every answer has Cache-Control: no-store and a JSON body
// {"error":...,"reason":...}.
//
// Limits: request messages are at most 64 KiB. Timestamps are UTC.
// Durations requested by callers are capped by the server's limits
// (--access_ttl, --session_ttl), never raised above them.

// @generated by protoc-gen-es v2.10.2 with parameter "target=ts,import_extension=js"
// @generated from file tessera/v1/token_authority.proto (package tessera.v1, syntax proto3)
/* eslint-disable */

import type { GenEnum, GenFile, GenMessage, GenService } from "@bufbuild/protobuf/codegenv2";
import { enumDesc, fileDesc, messageDesc, serviceDesc } from "@bufbuild/protobuf/codegenv2";
import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";
import { file_google_protobuf_duration, file_google_protobuf_struct, file_google_protobuf_timestamp } from "@bufbuild/protobuf/wkt";
import type { SigningKey } from "./keys_pb.js";
import { file_tessera_v1_keys } from "./keys_pb.js";
import type { JsonObject, Message } from "@bufbuild/protobuf";

/**
 * Describes the file tessera/v1/token_authority.proto.
 */
export const file_tessera_v1_token_authority: GenFile = /*@__PURE__*/
  fileDesc("CiB0ZXNzZXJhL3YxL3Rva2VuX2F1dGhvcml0eS5wcm90bxIKdGVzc2VyYS52MSJJCgpDbGllbnRJbmZvEhIKCnVzZXJfYWdlbnQYASABKAkSEgoKaXBfYWRkcmVzcxgCIAEoCRITCgtkZXZpY2VfbmFtZRgDIAEoCSL8AQoTSXNzdWVTZXNzaW9uUmVxdWVzdBIPCgdzdWJqZWN0GAEgASgJEhAKCGF1ZGllbmNlGAIgAygJEicKBmNsYWltcxgDIAEoCzIXLmdvb2dsZS5wcm90b2J1Zi5TdHJ1Y3QSLQoKYWNjZXNzX3R0bBgEIAEoCzIZLmdvb2dsZS5wcm90b2J1Zi5EdXJhdGlvbhIuCgtzZXNzaW9uX3R0bBgFIAEoCzIZLmdvb2dsZS5wcm90b2J1Zi5EdXJhdGlvbhImCgZjbGllbnQYBiABKAsyFi50ZXNzZXJhLnYxLkNsaWVudEluZm8SEgoKcmVxdWVzdF9pZBgHIAEoCSLTAQoNU2Vzc2lvblRva2VucxIUCgxhY2Nlc3NfdG9rZW4YASABKAkSNQoRYWNjZXNzX2V4cGlyZXNfYXQYAiABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wEhUKDXJlZnJlc2hfdG9rZW4YAyABKAkSNgoScmVmcmVzaF9leHBpcmVzX2F0GAQgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcBISCgpzZXNzaW9uX2lkGAUgASgJEhIKCnRva2VuX3R5cGUYBiABKAkiLgoVUmVmcmVzaFNlc3Npb25SZXF1ZXN0EhUKDXJlZnJlc2hfdG9rZW4YASABKAkiPgoUVmFsaWRhdGVUb2tlblJlcXVlc3QSFAoMYWNjZXNzX3Rva2VuGAEgASgJEhAKCGF1ZGllbmNlGAIgAygJIvEBCgtUb2tlbkNsYWltcxIPCgdzdWJqZWN0GAEgASgJEhIKCnNlc3Npb25faWQYAiABKAkSEAoIYXVkaWVuY2UYAyADKAkSLQoJaXNzdWVkX2F0GAQgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcBIuCgpleHBpcmVzX2F0GAUgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcBIQCgh0b2tlbl9pZBgGIAEoCRInCgZjdXN0b20YByABKAsyFy5nb29nbGUucHJvdG9idWYuU3RydWN0EhEKCWNsaWVudF9pZBgIIAEoCSJ/ChVWYWxpZGF0ZVRva2VuUmVzcG9uc2USDQoFdmFsaWQYASABKAgSLgoGcmVhc29uGAIgASgOMh4udGVzc2VyYS52MS5Ub2tlbkludmFsaWRSZWFzb24SJwoGY2xhaW1zGAMgASgLMhcudGVzc2VyYS52MS5Ub2tlbkNsYWltcyKKAQoUUmV2b2tlU2Vzc2lvblJlcXVlc3QSFAoKc2Vzc2lvbl9pZBgBIAEoCUgAEhEKB3N1YmplY3QYAiABKAlIABIXCg1yZWZyZXNoX3Rva2VuGAMgASgJSAASFgoMYWNjZXNzX3Rva2VuGAQgASgJSAASDgoGcmVhc29uGAUgASgJQggKBnRhcmdldCJAChVSZXZva2VTZXNzaW9uUmVzcG9uc2USFQoNcmV2b2tlZF9jb3VudBgBIAEoAxIQCghzZXF1ZW5jZRgCIAEoBCInChFHZXRTZXNzaW9uUmVxdWVzdBISCgpzZXNzaW9uX2lkGAEgASgJIrgDCgdTZXNzaW9uEhIKCnNlc3Npb25faWQYASABKAkSDwoHc3ViamVjdBgCIAEoCRIQCghhdWRpZW5jZRgDIAMoCRInCgZjbGFpbXMYBCABKAsyFy5nb29nbGUucHJvdG9idWYuU3RydWN0EiYKBmNsaWVudBgFIAEoCzIWLnRlc3NlcmEudjEuQ2xpZW50SW5mbxIuCgpjcmVhdGVkX2F0GAYgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcBI1ChFsYXN0X3JlZnJlc2hlZF9hdBgHIAEoCzIaLmdvb2dsZS5wcm90b2J1Zi5UaW1lc3RhbXASLgoKZXhwaXJlc19hdBgIIAEoCzIaLmdvb2dsZS5wcm90b2J1Zi5UaW1lc3RhbXASMwoPaWRsZV9leHBpcmVzX2F0GAkgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcBISCgpnZW5lcmF0aW9uGAogASgEEi4KCnJldm9rZWRfYXQYCyABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wEhUKDXJldm9rZV9yZWFzb24YDCABKAkiZgoTTGlzdFNlc3Npb25zUmVxdWVzdBIPCgdzdWJqZWN0GAEgASgJEhEKCXBhZ2Vfc2l6ZRgCIAEoBRISCgpwYWdlX3Rva2VuGAMgASgJEhcKD2luY2x1ZGVfcmV2b2tlZBgEIAEoCCJWChRMaXN0U2Vzc2lvbnNSZXNwb25zZRIlCghzZXNzaW9ucxgBIAMoCzITLnRlc3NlcmEudjEuU2Vzc2lvbhIXCg9uZXh0X3BhZ2VfdG9rZW4YAiABKAkipgEKE1VwZGF0ZUNsYWltc1JlcXVlc3QSDwoHc3ViamVjdBgBIAEoCRInCgZjbGFpbXMYAiABKAsyFy5nb29nbGUucHJvdG9idWYuU3RydWN0Eg0KBW1lcmdlGAMgASgIEiAKGGludmFsaWRhdGVfYWNjZXNzX3Rva2VucxgEIAEoCBIkCgRtb2RlGAUgASgOMhYudGVzc2VyYS52MS5DbGFpbXNNb2RlIigKFFVwZGF0ZUNsYWltc1Jlc3BvbnNlEhAKCHNlcXVlbmNlGAEgASgEIhAKDkdldEp3a3NSZXF1ZXN0IkoKD0dldEp3a3NSZXNwb25zZRIRCglqd2tzX2pzb24YASABKAkSJAoEa2V5cxgCIAMoCzIWLnRlc3NlcmEudjEuU2lnbmluZ0tleSJeChdXYXRjaFJldm9jYXRpb25zUmVxdWVzdBIWCg5hZnRlcl9zZXF1ZW5jZRgBIAEoBBITCgtpbmNhcm5hdGlvbhgCIAEoCRIWCg5hZnRlcl9sb2dfaGFzaBgDIAEoDCKhAwoPUmV2b2NhdGlvbkV2ZW50EhAKCHNlcXVlbmNlGAEgASgEEigKBHRpbWUYAiABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wEjUKD3Nlc3Npb25fcmV2b2tlZBgDIAEoCzIaLnRlc3NlcmEudjEuU2Vzc2lvblJldm9rZWRIABI1Cg9zdWJqZWN0X3Jldm9rZWQYBCABKAsyGi50ZXNzZXJhLnYxLlN1YmplY3RSZXZva2VkSAASOwoSY2xhaW1zX2ludmFsaWRhdGVkGAUgASgLMh0udGVzc2VyYS52MS5DbGFpbXNJbnZhbGlkYXRlZEgAEi8KDGtleXNfY2hhbmdlZBgGIAEoCzIXLnRlc3NlcmEudjEuS2V5c0NoYW5nZWRIABIvCgxzbmFwc2hvdF9lbmQYByABKAsyFy50ZXNzZXJhLnYxLlNuYXBzaG90RW5kSAASKgoJaGVhcnRiZWF0GAggASgLMhUudGVzc2VyYS52MS5IZWFydGJlYXRIABIQCghsb2dfaGFzaBgJIAEoDEIHCgVldmVudCJnCg5TZXNzaW9uUmV2b2tlZBISCgpzZXNzaW9uX2lkGAEgASgJEg8KB3N1YmplY3QYAiABKAkSMAoMZm9yZ2V0X2FmdGVyGAMgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcCJRCg5TdWJqZWN0UmV2b2tlZBIPCgdzdWJqZWN0GAEgASgJEi4KCm5vdF9iZWZvcmUYAiABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wIpoBChFDbGFpbXNJbnZhbGlkYXRlZBIPCgdzdWJqZWN0GAEgASgJEi4KCm5vdF9iZWZvcmUYAiABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wEhIKCmdlbmVyYXRpb24YAyABKAQSMAoMZm9yZ2V0X2FmdGVyGAQgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcCIgCgtLZXlzQ2hhbmdlZBIRCglqd2tzX2pzb24YASABKAkiMQoLU25hcHNob3RFbmQSDQoFcmVzZXQYASABKAgSEwoLaW5jYXJuYXRpb24YAiABKAkiOgoJSGVhcnRiZWF0EhgKEGN1cnJlbnRfc2VxdWVuY2UYASABKAQSEwoLaW5jYXJuYXRpb24YAiABKAkq7AMKElRva2VuSW52YWxpZFJlYXNvbhIkCiBUT0tFTl9JTlZBTElEX1JFQVNPTl9VTlNQRUNJRklFRBAAEiIKHlRPS0VOX0lOVkFMSURfUkVBU09OX01BTEZPUk1FRBABEiYKIlRPS0VOX0lOVkFMSURfUkVBU09OX0JBRF9TSUdOQVRVUkUQAhIkCiBUT0tFTl9JTlZBTElEX1JFQVNPTl9VTktOT1dOX0tFWRADEi4KKlRPS0VOX0lOVkFMSURfUkVBU09OX1VOU1VQUE9SVEVEX0FMR09SSVRITRAEEiAKHFRPS0VOX0lOVkFMSURfUkVBU09OX0VYUElSRUQQBRImCiJUT0tFTl9JTlZBTElEX1JFQVNPTl9OT1RfWUVUX1ZBTElEEAYSJwojVE9LRU5fSU5WQUxJRF9SRUFTT05fV1JPTkdfQVVESUVOQ0UQBxIlCiFUT0tFTl9JTlZBTElEX1JFQVNPTl9XUk9OR19JU1NVRVIQCBIjCh9UT0tFTl9JTlZBTElEX1JFQVNPTl9XUk9OR19UWVBFEAkSKAokVE9LRU5fSU5WQUxJRF9SRUFTT05fU0VTU0lPTl9SRVZPS0VEEAoSJQohVE9LRU5fSU5WQUxJRF9SRUFTT05fU1RBTEVfQ0xBSU1TEAsqgAEKCkNsYWltc01vZGUSGwoXQ0xBSU1TX01PREVfVU5TUEVDSUZJRUQQABIXChNDTEFJTVNfTU9ERV9SRVBMQUNFEAESHwobQ0xBSU1TX01PREVfTUVSR0VfVE9QX0xFVkVMEAISGwoXQ0xBSU1TX01PREVfTUVSR0VfUEFUQ0gQAzLcBQoOVG9rZW5BdXRob3JpdHkSSgoMSXNzdWVTZXNzaW9uEh8udGVzc2VyYS52MS5Jc3N1ZVNlc3Npb25SZXF1ZXN0GhkudGVzc2VyYS52MS5TZXNzaW9uVG9rZW5zEk4KDlJlZnJlc2hTZXNzaW9uEiEudGVzc2VyYS52MS5SZWZyZXNoU2Vzc2lvblJlcXVlc3QaGS50ZXNzZXJhLnYxLlNlc3Npb25Ub2tlbnMSVAoNVmFsaWRhdGVUb2tlbhIgLnRlc3NlcmEudjEuVmFsaWRhdGVUb2tlblJlcXVlc3QaIS50ZXNzZXJhLnYxLlZhbGlkYXRlVG9rZW5SZXNwb25zZRJUCg1SZXZva2VTZXNzaW9uEiAudGVzc2VyYS52MS5SZXZva2VTZXNzaW9uUmVxdWVzdBohLnRlc3NlcmEudjEuUmV2b2tlU2Vzc2lvblJlc3BvbnNlEkAKCkdldFNlc3Npb24SHS50ZXNzZXJhLnYxLkdldFNlc3Npb25SZXF1ZXN0GhMudGVzc2VyYS52MS5TZXNzaW9uElEKDExpc3RTZXNzaW9ucxIfLnRlc3NlcmEudjEuTGlzdFNlc3Npb25zUmVxdWVzdBogLnRlc3NlcmEudjEuTGlzdFNlc3Npb25zUmVzcG9uc2USUQoMVXBkYXRlQ2xhaW1zEh8udGVzc2VyYS52MS5VcGRhdGVDbGFpbXNSZXF1ZXN0GiAudGVzc2VyYS52MS5VcGRhdGVDbGFpbXNSZXNwb25zZRJCCgdHZXRKd2tzEhoudGVzc2VyYS52MS5HZXRKd2tzUmVxdWVzdBobLnRlc3NlcmEudjEuR2V0Sndrc1Jlc3BvbnNlElYKEFdhdGNoUmV2b2NhdGlvbnMSIy50ZXNzZXJhLnYxLldhdGNoUmV2b2NhdGlvbnNSZXF1ZXN0GhsudGVzc2VyYS52MS5SZXZvY2F0aW9uRXZlbnQwAUID+AEBYgZwcm90bzM", [file_google_protobuf_duration, file_google_protobuf_struct, file_google_protobuf_timestamp, file_tessera_v1_keys]);

/**
 * Where a session was started; shown on "your devices" pages. All optional,
 * each at most 256 bytes (longer values are refused with INVALID_ARGUMENT).
 *
 * @generated from message tessera.v1.ClientInfo
 */
export type ClientInfo = Message<"tessera.v1.ClientInfo"> & {
  /**
   * @generated from field: string user_agent = 1;
   */
  userAgent: string;

  /**
   * @generated from field: string ip_address = 2;
   */
  ipAddress: string;

  /**
   * @generated from field: string device_name = 3;
   */
  deviceName: string;
};

/**
 * Describes the message tessera.v1.ClientInfo.
 * Use `create(ClientInfoSchema)` to create a new message.
 */
export const ClientInfoSchema: GenMessage<ClientInfo> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 0);

/**
 * @generated from message tessera.v1.IssueSessionRequest
 */
export type IssueSessionRequest = Message<"tessera.v1.IssueSessionRequest"> & {
  /**
   * The user, as the caller identifies them (the `sub` claim). 1-256 bytes
   * of UTF-8.
   *
   * @generated from field: string subject = 1;
   */
  subject: string;

  /**
   * The `aud` claim: services the access token is meant for. At most 16,
   * each 1-256 bytes. Empty: the server's --default_audience ("api").
   *
   * @generated from field: repeated string audience = 2;
   */
  audience: string[];

  /**
   * Custom claims copied into every access token of the session (e.g.
   * roles, email). At most 4096 bytes as JSON; names iss sub aud exp nbf
   * iat jti sid client_id are refused (RESERVED_CLAIM).
   *
   * @generated from field: google.protobuf.Struct claims = 3;
   */
  claims?: JsonObject;

  /**
   * Access-token lifetime; default and maximum --access_ttl.
   *
   * @generated from field: google.protobuf.Duration access_ttl = 4;
   */
  accessTtl?: Duration;

  /**
   * Absolute session lifetime; default and maximum --session_ttl.
   *
   * @generated from field: google.protobuf.Duration session_ttl = 5;
   */
  sessionTtl?: Duration;

  /**
   * @generated from field: tessera.v1.ClientInfo client = 6;
   */
  client?: ClientInfo;

  /**
   * Optional: names this issue so that it can be retried safely (a lost
   * answer, a timeout). Chosen by the caller before the first attempt, e.g.
   * a random UUID; 16-128 bytes of printable ASCII (0x20-0x7E), else
   * INVALID_ARGUMENT REQUEST_ID_INVALID. Empty: every call starts a new
   * session.
   * For 24 h after the attempt that started a session, the same id from
   * the same session group (another group's ids are unrelated):
   *   - with the same request (subject, audience, claims, access_ttl and
   *     session_ttl as sent, client info, and the same calling caller)
   *     returns the SAME session: the same session_id and the same first
   *     refresh token, with a newly minted access token (carrying the
   *     session's current claims). Concurrent attempts start one session.
   *   - once that session was refreshed, revoked or has expired, fails
   *     with FAILED_PRECONDITION REQUEST_ID_SPENT: a retry never revives a
   *     session or forks a second one; start over with a new id.
   *   - with any other request fails with ALREADY_EXISTS
   *     REQUEST_ID_REUSED and issues nothing.
   * After 24 h the id is forgotten and starts a new session. The id is
   * kept only as a hash, in the same write as the session (both or
   * neither), and the first refresh token only sealed under a key derived
   * from the KEK and the id; a restart keeps both. Retries count against
   * the caller's rate limit like any IssueSession; one id is kept per
   * session started, so a caller holds at most as many as its issue rate
   * limit lets it start in 24 h.
   *
   * @generated from field: string request_id = 7;
   */
  requestId: string;
};

/**
 * Describes the message tessera.v1.IssueSessionRequest.
 * Use `create(IssueSessionRequestSchema)` to create a new message.
 */
export const IssueSessionRequestSchema: GenMessage<IssueSessionRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 1);

/**
 * The tokens of a session, from IssueSession and RefreshSession.
 *
 * @generated from message tessera.v1.SessionTokens
 */
export type SessionTokens = Message<"tessera.v1.SessionTokens"> & {
  /**
   * JWT, at most 8192 bytes. Send as "authorization: Bearer <token>".
   *
   * @generated from field: string access_token = 1;
   */
  accessToken: string;

  /**
   * @generated from field: google.protobuf.Timestamp access_expires_at = 2;
   */
  accessExpiresAt?: Timestamp;

  /**
   * Opaque; keep it secret (an HttpOnly cookie or server-side store).
   *
   * @generated from field: string refresh_token = 3;
   */
  refreshToken: string;

  /**
   * When the session ends at the latest (the earlier of idle and absolute
   * expiry as of this refresh).
   *
   * @generated from field: google.protobuf.Timestamp refresh_expires_at = 4;
   */
  refreshExpiresAt?: Timestamp;

  /**
   * @generated from field: string session_id = 5;
   */
  sessionId: string;

  /**
   * Always "Bearer".
   *
   * @generated from field: string token_type = 6;
   */
  tokenType: string;
};

/**
 * Describes the message tessera.v1.SessionTokens.
 * Use `create(SessionTokensSchema)` to create a new message.
 */
export const SessionTokensSchema: GenMessage<SessionTokens> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 2);

/**
 * @generated from message tessera.v1.RefreshSessionRequest
 */
export type RefreshSessionRequest = Message<"tessera.v1.RefreshSessionRequest"> & {
  /**
   * @generated from field: string refresh_token = 1;
   */
  refreshToken: string;
};

/**
 * Describes the message tessera.v1.RefreshSessionRequest.
 * Use `create(RefreshSessionRequestSchema)` to create a new message.
 */
export const RefreshSessionRequestSchema: GenMessage<RefreshSessionRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 3);

/**
 * @generated from message tessera.v1.ValidateTokenRequest
 */
export type ValidateTokenRequest = Message<"tessera.v1.ValidateTokenRequest"> & {
  /**
   * At most 8192 bytes.
   *
   * @generated from field: string access_token = 1;
   */
  accessToken: string;

  /**
   * The token's `aud` must contain at least one of these. Empty: the
   * server's --default_audience ("api"); audience is always checked.
   *
   * @generated from field: repeated string audience = 2;
   */
  audience: string[];
};

/**
 * Describes the message tessera.v1.ValidateTokenRequest.
 * Use `create(ValidateTokenRequestSchema)` to create a new message.
 */
export const ValidateTokenRequestSchema: GenMessage<ValidateTokenRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 4);

/**
 * The claims of a valid access token.
 *
 * @generated from message tessera.v1.TokenClaims
 */
export type TokenClaims = Message<"tessera.v1.TokenClaims"> & {
  /**
   * @generated from field: string subject = 1;
   */
  subject: string;

  /**
   * @generated from field: string session_id = 2;
   */
  sessionId: string;

  /**
   * @generated from field: repeated string audience = 3;
   */
  audience: string[];

  /**
   * @generated from field: google.protobuf.Timestamp issued_at = 4;
   */
  issuedAt?: Timestamp;

  /**
   * @generated from field: google.protobuf.Timestamp expires_at = 5;
   */
  expiresAt?: Timestamp;

  /**
   * The `jti` claim, unique per token.
   *
   * @generated from field: string token_id = 6;
   */
  tokenId: string;

  /**
   * The custom claims.
   *
   * @generated from field: google.protobuf.Struct custom = 7;
   */
  custom?: JsonObject;

  /**
   * The `client_id` claim: the caller that issued the session.
   *
   * @generated from field: string client_id = 8;
   */
  clientId: string;
};

/**
 * Describes the message tessera.v1.TokenClaims.
 * Use `create(TokenClaimsSchema)` to create a new message.
 */
export const TokenClaimsSchema: GenMessage<TokenClaims> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 5);

/**
 * @generated from message tessera.v1.ValidateTokenResponse
 */
export type ValidateTokenResponse = Message<"tessera.v1.ValidateTokenResponse"> & {
  /**
   * @generated from field: bool valid = 1;
   */
  valid: boolean;

  /**
   * Set when valid is false.
   *
   * @generated from field: tessera.v1.TokenInvalidReason reason = 2;
   */
  reason: TokenInvalidReason;

  /**
   * Set when valid is true.
   *
   * @generated from field: tessera.v1.TokenClaims claims = 3;
   */
  claims?: TokenClaims;
};

/**
 * Describes the message tessera.v1.ValidateTokenResponse.
 * Use `create(ValidateTokenResponseSchema)` to create a new message.
 */
export const ValidateTokenResponseSchema: GenMessage<ValidateTokenResponse> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 6);

/**
 * @generated from message tessera.v1.RevokeSessionRequest
 */
export type RevokeSessionRequest = Message<"tessera.v1.RevokeSessionRequest"> & {
  /**
   * @generated from oneof tessera.v1.RevokeSessionRequest.target
   */
  target: {
    /**
     * One session.
     *
     * @generated from field: string session_id = 1;
     */
    value: string;
    case: "sessionId";
  } | {
    /**
     * Every session of this subject in the caller's session group ("sign
     * out everywhere").
     *
     * @generated from field: string subject = 2;
     */
    value: string;
    case: "subject";
  } | {
    /**
     * The session this refresh token belongs to, if the token's secret is
     * the current or a retired one (else nothing is revoked: RFC 7009).
     *
     * @generated from field: string refresh_token = 3;
     */
    value: string;
    case: "refreshToken";
  } | {
    /**
     * The session of this access token; its signature must verify, expiry
     * is not required.
     *
     * @generated from field: string access_token = 4;
     */
    value: string;
    case: "accessToken";
  } | { case: undefined; value?: undefined };

  /**
   * Free text for the audit log and Session.revoke_reason, at most 256
   * bytes.
   *
   * @generated from field: string reason = 5;
   */
  reason: string;
};

/**
 * Describes the message tessera.v1.RevokeSessionRequest.
 * Use `create(RevokeSessionRequestSchema)` to create a new message.
 */
export const RevokeSessionRequestSchema: GenMessage<RevokeSessionRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 7);

/**
 * @generated from message tessera.v1.RevokeSessionResponse
 */
export type RevokeSessionResponse = Message<"tessera.v1.RevokeSessionResponse"> & {
  /**
   * Sessions revoked by this call; 0 if already revoked or unknown.
   *
   * @generated from field: int64 revoked_count = 1;
   */
  revokedCount: bigint;

  /**
   * The revocation event's sequence number; wait for a Verifier to reach it
   * (Verifier::WaitForSequence) to know the revocation has propagated. 0
   * when nothing was revoked.
   *
   * @generated from field: uint64 sequence = 2;
   */
  sequence: bigint;
};

/**
 * Describes the message tessera.v1.RevokeSessionResponse.
 * Use `create(RevokeSessionResponseSchema)` to create a new message.
 */
export const RevokeSessionResponseSchema: GenMessage<RevokeSessionResponse> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 8);

/**
 * @generated from message tessera.v1.GetSessionRequest
 */
export type GetSessionRequest = Message<"tessera.v1.GetSessionRequest"> & {
  /**
   * @generated from field: string session_id = 1;
   */
  sessionId: string;
};

/**
 * Describes the message tessera.v1.GetSessionRequest.
 * Use `create(GetSessionRequestSchema)` to create a new message.
 */
export const GetSessionRequestSchema: GenMessage<GetSessionRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 9);

/**
 * A session as a "your devices" page shows it. Never holds a secret.
 *
 * @generated from message tessera.v1.Session
 */
export type Session = Message<"tessera.v1.Session"> & {
  /**
   * @generated from field: string session_id = 1;
   */
  sessionId: string;

  /**
   * @generated from field: string subject = 2;
   */
  subject: string;

  /**
   * @generated from field: repeated string audience = 3;
   */
  audience: string[];

  /**
   * @generated from field: google.protobuf.Struct claims = 4;
   */
  claims?: JsonObject;

  /**
   * @generated from field: tessera.v1.ClientInfo client = 5;
   */
  client?: ClientInfo;

  /**
   * @generated from field: google.protobuf.Timestamp created_at = 6;
   */
  createdAt?: Timestamp;

  /**
   * @generated from field: google.protobuf.Timestamp last_refreshed_at = 7;
   */
  lastRefreshedAt?: Timestamp;

  /**
   * Absolute expiry.
   *
   * @generated from field: google.protobuf.Timestamp expires_at = 8;
   */
  expiresAt?: Timestamp;

  /**
   * Idle expiry: last refresh + --idle_ttl.
   *
   * @generated from field: google.protobuf.Timestamp idle_expires_at = 9;
   */
  idleExpiresAt?: Timestamp;

  /**
   * Number of refreshes so far (0 for a fresh session).
   *
   * @generated from field: uint64 generation = 10;
   */
  generation: bigint;

  /**
   * Unset unless revoked.
   *
   * @generated from field: google.protobuf.Timestamp revoked_at = 11;
   */
  revokedAt?: Timestamp;

  /**
   * @generated from field: string revoke_reason = 12;
   */
  revokeReason: string;
};

/**
 * Describes the message tessera.v1.Session.
 * Use `create(SessionSchema)` to create a new message.
 */
export const SessionSchema: GenMessage<Session> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 10);

/**
 * @generated from message tessera.v1.ListSessionsRequest
 */
export type ListSessionsRequest = Message<"tessera.v1.ListSessionsRequest"> & {
  /**
   * @generated from field: string subject = 1;
   */
  subject: string;

  /**
   * Default 50, maximum 500.
   *
   * @generated from field: int32 page_size = 2;
   */
  pageSize: number;

  /**
   * From a previous response's next_page_token; opaque.
   *
   * @generated from field: string page_token = 3;
   */
  pageToken: string;

  /**
   * Also list revoked sessions not yet purged.
   *
   * @generated from field: bool include_revoked = 4;
   */
  includeRevoked: boolean;
};

/**
 * Describes the message tessera.v1.ListSessionsRequest.
 * Use `create(ListSessionsRequestSchema)` to create a new message.
 */
export const ListSessionsRequestSchema: GenMessage<ListSessionsRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 11);

/**
 * @generated from message tessera.v1.ListSessionsResponse
 */
export type ListSessionsResponse = Message<"tessera.v1.ListSessionsResponse"> & {
  /**
   * @generated from field: repeated tessera.v1.Session sessions = 1;
   */
  sessions: Session[];

  /**
   * Empty on the last page.
   *
   * @generated from field: string next_page_token = 2;
   */
  nextPageToken: string;
};

/**
 * Describes the message tessera.v1.ListSessionsResponse.
 * Use `create(ListSessionsResponseSchema)` to create a new message.
 */
export const ListSessionsResponseSchema: GenMessage<ListSessionsResponse> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 12);

/**
 * @generated from message tessera.v1.UpdateClaimsRequest
 */
export type UpdateClaimsRequest = Message<"tessera.v1.UpdateClaimsRequest"> & {
  /**
   * @generated from field: string subject = 1;
   */
  subject: string;

  /**
   * The new custom claims, or the patch applied to each session's claims
   * (see mode). The same limits as IssueSessionRequest.claims apply to
   * these claims as sent, nulls included: at most 4096 bytes as JSON, nested
   * at most 16 deep, and no reserved name (iss sub aud exp nbf iat jti sid
   * client_id sgen), not even with a null value (RESERVED_CLAIM).
   *
   * The result for every session it changes must also pass them and make an
   * access token of at most 8192 bytes; otherwise the call is refused
   * (CLAIMS_TOO_LARGE) and nothing changes: no session, no generation, no
   * event. Revoked and expired sessions are left as they are. The subject's
   * sessions are found in its index, of which the first 10,000 entries (in
   * session-id order, every group and ended sessions not yet purged
   * included) are read, as for sign-out-everywhere: a subject with more
   * sessions than that has some that this call does not change.
   *
   * @generated from field: google.protobuf.Struct claims = 2;
   */
  claims?: JsonObject;

  /**
   * Legacy; prefer mode. true: as CLAIMS_MODE_MERGE_TOP_LEVEL; false: as
   * CLAIMS_MODE_REPLACE. With a mode set, merge must be false unless the
   * mode is MERGE_TOP_LEVEL (CLAIMS_MODE_INVALID).
   *
   * @generated from field: bool merge = 3;
   */
  merge: boolean;

  /**
   * Reject the subject's access tokens minted before this call
   * (STALE_CLAIMS), in every session group. Each such call raises the
   * subject's generation (the `sgen` claim of every access token); tokens
   * minted before it carry a lower one. Every token minted after the call
   * passes, however close in time.
   *
   * @generated from field: bool invalidate_access_tokens = 4;
   */
  invalidateAccessTokens: boolean;

  /**
   * How `claims` is applied; UNSPECIFIED follows `merge`. A value this
   * server does not know is CLAIMS_MODE_INVALID.
   *
   * @generated from field: tessera.v1.ClaimsMode mode = 5;
   */
  mode: ClaimsMode;
};

/**
 * Describes the message tessera.v1.UpdateClaimsRequest.
 * Use `create(UpdateClaimsRequestSchema)` to create a new message.
 */
export const UpdateClaimsRequestSchema: GenMessage<UpdateClaimsRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 13);

/**
 * @generated from message tessera.v1.UpdateClaimsResponse
 */
export type UpdateClaimsResponse = Message<"tessera.v1.UpdateClaimsResponse"> & {
  /**
   * The cut-off event's sequence (0 without invalidate_access_tokens).
   *
   * @generated from field: uint64 sequence = 1;
   */
  sequence: bigint;
};

/**
 * Describes the message tessera.v1.UpdateClaimsResponse.
 * Use `create(UpdateClaimsResponseSchema)` to create a new message.
 */
export const UpdateClaimsResponseSchema: GenMessage<UpdateClaimsResponse> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 14);

/**
 * @generated from message tessera.v1.GetJwksRequest
 */
export type GetJwksRequest = Message<"tessera.v1.GetJwksRequest"> & {
};

/**
 * Describes the message tessera.v1.GetJwksRequest.
 * Use `create(GetJwksRequestSchema)` to create a new message.
 */
export const GetJwksRequestSchema: GenMessage<GetJwksRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 15);

/**
 * @generated from message tessera.v1.GetJwksResponse
 */
export type GetJwksResponse = Message<"tessera.v1.GetJwksResponse"> & {
  /**
   * {"keys":[...]}: what /.well-known/jwks.json serves.
   *
   * @generated from field: string jwks_json = 1;
   */
  jwksJson: string;

  /**
   * @generated from field: repeated tessera.v1.SigningKey keys = 2;
   */
  keys: SigningKey[];
};

/**
 * Describes the message tessera.v1.GetJwksResponse.
 * Use `create(GetJwksResponseSchema)` to create a new message.
 */
export const GetJwksResponseSchema: GenMessage<GetJwksResponse> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 16);

/**
 * @generated from message tessera.v1.WatchRevocationsRequest
 */
export type WatchRevocationsRequest = Message<"tessera.v1.WatchRevocationsRequest"> & {
  /**
   * 0: start with a snapshot. N: resume after event N.
   *
   * @generated from field: uint64 after_sequence = 1;
   */
  afterSequence: bigint;

  /**
   * The incarnation of the store after_sequence was seen in (from the last
   * SnapshotEnd or Heartbeat). A store restored from a backup reuses
   * sequences under a new incarnation: a resume naming another incarnation
   * gets a fresh snapshot flagged as a reset. Empty: not known (the
   * sequence alone decides, as before incarnations existed). At most 64
   * bytes (INVALID_ARGUMENT INCARNATION_INVALID).
   *
   * @generated from field: string incarnation = 2;
   */
  incarnation: string;

  /**
   * The log_hash of the event, SnapshotEnd or Heartbeat that after_sequence
   * came from (empty: not known). With several replicas on PostgreSQL, a
   * failover can lose an event a replica had already streamed (it was
   * committed on the old primary but never confirmed by a standby), and a
   * later event takes its sequence: a resume whose hash no longer matches
   * the log's gets a fresh snapshot flagged as a reset, never a gap. At most
   * 64 bytes (INVALID_ARGUMENT LOG_HASH_INVALID).
   *
   * @generated from field: bytes after_log_hash = 3;
   */
  afterLogHash: Uint8Array;
};

/**
 * Describes the message tessera.v1.WatchRevocationsRequest.
 * Use `create(WatchRevocationsRequestSchema)` to create a new message.
 */
export const WatchRevocationsRequestSchema: GenMessage<WatchRevocationsRequest> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 17);

/**
 * @generated from message tessera.v1.RevocationEvent
 */
export type RevocationEvent = Message<"tessera.v1.RevocationEvent"> & {
  /**
   * Strictly increasing, durable. Snapshot entries carry the sequence of
   * the event that created them.
   *
   * @generated from field: uint64 sequence = 1;
   */
  sequence: bigint;

  /**
   * @generated from field: google.protobuf.Timestamp time = 2;
   */
  time?: Timestamp;

  /**
   * @generated from oneof tessera.v1.RevocationEvent.event
   */
  event: {
    /**
     * @generated from field: tessera.v1.SessionRevoked session_revoked = 3;
     */
    value: SessionRevoked;
    case: "sessionRevoked";
  } | {
    /**
     * @generated from field: tessera.v1.SubjectRevoked subject_revoked = 4;
     */
    value: SubjectRevoked;
    case: "subjectRevoked";
  } | {
    /**
     * @generated from field: tessera.v1.ClaimsInvalidated claims_invalidated = 5;
     */
    value: ClaimsInvalidated;
    case: "claimsInvalidated";
  } | {
    /**
     * @generated from field: tessera.v1.KeysChanged keys_changed = 6;
     */
    value: KeysChanged;
    case: "keysChanged";
  } | {
    /**
     * @generated from field: tessera.v1.SnapshotEnd snapshot_end = 7;
     */
    value: SnapshotEnd;
    case: "snapshotEnd";
  } | {
    /**
     * @generated from field: tessera.v1.Heartbeat heartbeat = 8;
     */
    value: Heartbeat;
    case: "heartbeat";
  } | { case: undefined; value?: undefined };

  /**
   * PostgreSQL store: the hash chain of the log through `sequence` (for a
   * Heartbeat, through current_sequence); send the last one back as
   * WatchRevocationsRequest.after_log_hash. Empty on RocksDB, whose
   * incarnation alone identifies the log.
   *
   * @generated from field: bytes log_hash = 9;
   */
  logHash: Uint8Array;
};

/**
 * Describes the message tessera.v1.RevocationEvent.
 * Use `create(RevocationEventSchema)` to create a new message.
 */
export const RevocationEventSchema: GenMessage<RevocationEvent> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 18);

/**
 * Every access token of this session is rejected (SESSION_REVOKED).
 *
 * @generated from message tessera.v1.SessionRevoked
 */
export type SessionRevoked = Message<"tessera.v1.SessionRevoked"> & {
  /**
   * @generated from field: string session_id = 1;
   */
  sessionId: string;

  /**
   * @generated from field: string subject = 2;
   */
  subject: string;

  /**
   * Tokens of the session expire by this time at the latest; the entry can
   * be forgotten afterwards.
   *
   * @generated from field: google.protobuf.Timestamp forget_after = 3;
   */
  forgetAfter?: Timestamp;
};

/**
 * Describes the message tessera.v1.SessionRevoked.
 * Use `create(SessionRevokedSchema)` to create a new message.
 */
export const SessionRevokedSchema: GenMessage<SessionRevoked> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 19);

/**
 * Every access token of this subject issued before `not_before` is rejected
 * (SESSION_REVOKED). No longer sent: "sign out everywhere" now revokes each
 * session with its own SessionRevoked event (whole-second `iat` could not
 * order a sign-out and a session started in the same second). Verifiers
 * still apply it, for logs written by earlier releases.
 *
 * @generated from message tessera.v1.SubjectRevoked
 */
export type SubjectRevoked = Message<"tessera.v1.SubjectRevoked"> & {
  /**
   * @generated from field: string subject = 1;
   */
  subject: string;

  /**
   * @generated from field: google.protobuf.Timestamp not_before = 2;
   */
  notBefore?: Timestamp;
};

/**
 * Describes the message tessera.v1.SubjectRevoked.
 * Use `create(SubjectRevokedSchema)` to create a new message.
 */
export const SubjectRevokedSchema: GenMessage<SubjectRevoked> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 20);

/**
 * The subject's claims changed (UpdateClaims with invalidate_access_tokens):
 * every access token of this subject whose `sgen` claim is below
 * `generation` is rejected (STALE_CLAIMS); a token without `sgen` counts as
 * generation 0. Each such update raises the subject's generation by one, and
 * every token minted afterwards carries the new value, so two updates in
 * the same second are ordered exactly (whole-second `iat` could not).
 *
 * @generated from message tessera.v1.ClaimsInvalidated
 */
export type ClaimsInvalidated = Message<"tessera.v1.ClaimsInvalidated"> & {
  /**
   * @generated from field: string subject = 1;
   */
  subject: string;

  /**
   * When the update was made, rounded up to a whole second. Informational;
   * the cut-off is `generation`.
   *
   * @generated from field: google.protobuf.Timestamp not_before = 2;
   */
  notBefore?: Timestamp;

  /**
   * Tokens with `sgen` below this are stale.
   *
   * @generated from field: uint64 generation = 3;
   */
  generation: bigint;

  /**
   * Every token this cut-off rejects has expired by then; the entry can be
   * forgotten afterwards.
   *
   * @generated from field: google.protobuf.Timestamp forget_after = 4;
   */
  forgetAfter?: Timestamp;
};

/**
 * Describes the message tessera.v1.ClaimsInvalidated.
 * Use `create(ClaimsInvalidatedSchema)` to create a new message.
 */
export const ClaimsInvalidatedSchema: GenMessage<ClaimsInvalidated> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 21);

/**
 * The JWKS changed (rotation, new next key, retired key dropped).
 *
 * @generated from message tessera.v1.KeysChanged
 */
export type KeysChanged = Message<"tessera.v1.KeysChanged"> & {
  /**
   * @generated from field: string jwks_json = 1;
   */
  jwksJson: string;
};

/**
 * Describes the message tessera.v1.KeysChanged.
 * Use `create(KeysChangedSchema)` to create a new message.
 */
export const KeysChangedSchema: GenMessage<KeysChanged> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 22);

/**
 * The snapshot is complete; live events follow.
 *
 * @generated from message tessera.v1.SnapshotEnd
 */
export type SnapshotEnd = Message<"tessera.v1.SnapshotEnd"> & {
  /**
   * true: the requested after_sequence is no longer in the log, or was seen
   * in another incarnation; discard the state built before this snapshot.
   *
   * @generated from field: bool reset = 1;
   */
  reset: boolean;

  /**
   * The server's store incarnation: an opaque id (at most 64 bytes), made
   * when the store is created and made anew when it is restored from a
   * backup. Send it back in WatchRevocationsRequest.incarnation.
   *
   * @generated from field: string incarnation = 2;
   */
  incarnation: string;
};

/**
 * Describes the message tessera.v1.SnapshotEnd.
 * Use `create(SnapshotEndSchema)` to create a new message.
 */
export const SnapshotEndSchema: GenMessage<SnapshotEnd> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 23);

/**
 * Sent when the stream is idle (default every second).
 *
 * @generated from message tessera.v1.Heartbeat
 */
export type Heartbeat = Message<"tessera.v1.Heartbeat"> & {
  /**
   * The newest sequence in the log.
   *
   * @generated from field: uint64 current_sequence = 1;
   */
  currentSequence: bigint;

  /**
   * As in SnapshotEnd.
   *
   * @generated from field: string incarnation = 2;
   */
  incarnation: string;
};

/**
 * Describes the message tessera.v1.Heartbeat.
 * Use `create(HeartbeatSchema)` to create a new message.
 */
export const HeartbeatSchema: GenMessage<Heartbeat> = /*@__PURE__*/
  messageDesc(file_tessera_v1_token_authority, 24);

/**
 * Why a token is not valid: the token codec's checks plus the revocation
 * state. A token with several faults gets the reason of the first check it
 * fails, in this order: size (at most 8192 bytes), segments and header
 * syntax (MALFORMED); alg (UNSUPPORTED_ALGORITHM); typ (WRONG_TYPE); crit
 * (MALFORMED); kid (UNKNOWN_KEY); alg against the key's algorithm
 * (UNSUPPORTED_ALGORITHM); payload and signature encoding (MALFORMED);
 * signature (BAD_SIGNATURE); claims syntax (MALFORMED); exp (EXPIRED); nbf
 * and iat (NOT_YET_VALID); iss (WRONG_ISSUER); aud (WRONG_AUDIENCE);
 * revocation (SESSION_REVOKED, STALE_CLAIMS). tests/conformance/tokens.json
 * has vectors for each, and for the order. Over HTTP the name without its
 * "TOKEN_INVALID_REASON_" prefix is sent as the Tessera-Reason header.
 *
 * @generated from enum tessera.v1.TokenInvalidReason
 */
export enum TokenInvalidReason {
  /**
   * @generated from enum value: TOKEN_INVALID_REASON_UNSPECIFIED = 0;
   */
  UNSPECIFIED = 0,

  /**
   * Not a well-formed JWS/JWT: segments, base64url, JSON (duplicate keys,
   * invalid UTF-8), missing claims, unknown `crit`, larger than 8 KiB.
   *
   * @generated from enum value: TOKEN_INVALID_REASON_MALFORMED = 1;
   */
  MALFORMED = 1,

  /**
   * The signature does not verify.
   *
   * @generated from enum value: TOKEN_INVALID_REASON_BAD_SIGNATURE = 2;
   */
  BAD_SIGNATURE = 2,

  /**
   * `kid` missing or not a published key.
   *
   * @generated from enum value: TOKEN_INVALID_REASON_UNKNOWN_KEY = 3;
   */
  UNKNOWN_KEY = 3,

  /**
   * `alg` is none, HS*, unknown, or not the algorithm of the key.
   *
   * @generated from enum value: TOKEN_INVALID_REASON_UNSUPPORTED_ALGORITHM = 4;
   */
  UNSUPPORTED_ALGORITHM = 4,

  /**
   * Past `exp` (plus leeway, default 30 s).
   *
   * @generated from enum value: TOKEN_INVALID_REASON_EXPIRED = 5;
   */
  EXPIRED = 5,

  /**
   * Before `nbf`, or `iat` in the future (beyond leeway).
   *
   * @generated from enum value: TOKEN_INVALID_REASON_NOT_YET_VALID = 6;
   */
  NOT_YET_VALID = 6,

  /**
   * None of the requested audiences is in `aud`.
   *
   * @generated from enum value: TOKEN_INVALID_REASON_WRONG_AUDIENCE = 7;
   */
  WRONG_AUDIENCE = 7,

  /**
   * `iss` is not this server's --issuer.
   *
   * @generated from enum value: TOKEN_INVALID_REASON_WRONG_ISSUER = 8;
   */
  WRONG_ISSUER = 8,

  /**
   * `typ` is missing or not "at+jwt" (e.g. an ID token or refresh token).
   *
   * @generated from enum value: TOKEN_INVALID_REASON_WRONG_TYPE = 9;
   */
  WRONG_TYPE = 9,

  /**
   * The session was revoked (logout, sign-out-everywhere, reuse detected).
   *
   * @generated from enum value: TOKEN_INVALID_REASON_SESSION_REVOKED = 10;
   */
  SESSION_REVOKED = 10,

  /**
   * Issued before an UpdateClaims{invalidate_access_tokens} of its subject.
   *
   * @generated from enum value: TOKEN_INVALID_REASON_STALE_CLAIMS = 11;
   */
  STALE_CLAIMS = 11,
}

/**
 * Describes the enum tessera.v1.TokenInvalidReason.
 */
export const TokenInvalidReasonSchema: GenEnum<TokenInvalidReason> = /*@__PURE__*/
  enumDesc(file_tessera_v1_token_authority, 0);

/**
 * How UpdateClaims combines its claims with each session's current claims.
 *
 * @generated from enum tessera.v1.ClaimsMode
 */
export enum ClaimsMode {
  /**
   * The legacy `merge` field decides: true is MERGE_TOP_LEVEL, false is
   * REPLACE.
   *
   * @generated from enum value: CLAIMS_MODE_UNSPECIFIED = 0;
   */
  UNSPECIFIED = 0,

  /**
   * The claims become exactly the request's claims.
   *
   * @generated from enum value: CLAIMS_MODE_REPLACE = 1;
   */
  REPLACE = 1,

  /**
   * Each top-level member of the request's claims replaces the session's
   * member of that name (a null value is stored as null); the others stay.
   *
   * @generated from enum value: CLAIMS_MODE_MERGE_TOP_LEVEL = 2;
   */
  MERGE_TOP_LEVEL = 2,

  /**
   * The request's claims are a JSON Merge Patch (RFC 7396): objects merge
   * recursively, a member set to null is removed, any other value
   * (including an array) replaces the member whole. The patch is always an
   * object (claims is a Struct), so the result is always an object; a patch
   * of {} changes nothing.
   *
   * @generated from enum value: CLAIMS_MODE_MERGE_PATCH = 3;
   */
  MERGE_PATCH = 3,
}

/**
 * Describes the enum tessera.v1.ClaimsMode.
 */
export const ClaimsModeSchema: GenEnum<ClaimsMode> = /*@__PURE__*/
  enumDesc(file_tessera_v1_token_authority, 1);

/**
 * @generated from service tessera.v1.TokenAuthority
 */
export const TokenAuthority: GenService<{
  /**
   * Starts a session for a user the caller has already authenticated
   * (password, OAuth, WebAuthn, ...) and returns its first tokens.
   * Role: issuer. The caller's name becomes the `client_id` claim.
   * With a request_id, a retry of the same request returns the same session
   * instead of starting another (see IssueSessionRequest.request_id).
   * Errors: INVALID_ARGUMENT (SUBJECT_INVALID, AUDIENCE_INVALID,
   * CLAIMS_TOO_LARGE, RESERVED_CLAIM, CLAIMS_INVALID, TTL_INVALID,
   * CLIENT_INFO_INVALID, REQUEST_ID_INVALID), ALREADY_EXISTS
   * (REQUEST_ID_REUSED), FAILED_PRECONDITION (REQUEST_ID_SPENT),
   * RESOURCE_EXHAUSTED (RATE_LIMITED), UNAVAILABLE (STORE_UNAVAILABLE).
   *
   * @generated from rpc tessera.v1.TokenAuthority.IssueSession
   */
  issueSession: {
    methodKind: "unary";
    input: typeof IssueSessionRequestSchema;
    output: typeof SessionTokensSchema;
  },
  /**
   * Rotates: returns a new access token and a new refresh token, and retires
   * the presented refresh token. A retired token gets the session's
   * *current* refresh token back, never a second, diverging one:
   *   - within --refresh_grace (default 10 s) of its retirement, whichever
   *     generation it is (two tabs racing through rotations);
   *   - at any time later, if it is the parent of the current token and
   *     that token was never used (the answer was lost: a closed tab, a
   *     dropped connection). A token handed out twice that way is strict:
   *     once used, presenting it again after the grace window is reuse.
   *   - Presenting any other retired token is theft: the whole session is
   *     revoked, the call fails with REFRESH_TOKEN_REUSED, it is audited,
   *     and watchers see the revocation. A thief and the user holding one
   *     token end on one successor, so whoever uses it second is caught.
   *     From then on the session's other tokens are answered
   *     REFRESH_TOKEN_REUSED as well, so both holders learn why.
   *   - A made-up secret for a real session id is REFRESH_TOKEN_INVALID and
   *     changes nothing (session ids are not secret).
   * The new access token carries the subject's current claims (see
   * UpdateClaims). Role: issuer.
   * Errors: UNAUTHENTICATED (REFRESH_TOKEN_INVALID, REFRESH_TOKEN_REUSED,
   * SESSION_REVOKED, SESSION_EXPIRED), INVALID_ARGUMENT (TOKEN_TOO_LARGE),
   * RESOURCE_EXHAUSTED (RATE_LIMITED), UNAVAILABLE (STORE_UNAVAILABLE).
   *
   * @generated from rpc tessera.v1.TokenAuthority.RefreshSession
   */
  refreshSession: {
    methodKind: "unary";
    input: typeof RefreshSessionRequestSchema;
    output: typeof SessionTokensSchema;
  },
  /**
   * Authoritative check of an access token, including revocation and stale
   * claims. An invalid token is a normal answer (valid = false with a
   * reason), not an RPC error; the reason is the one the Verifier and the
   * conformance vectors give (see TokenInvalidReason). Role: verifier.
   * Errors: INVALID_ARGUMENT (TOKEN_TOO_LARGE, AUDIENCE_INVALID).
   *
   * @generated from rpc tessera.v1.TokenAuthority.ValidateToken
   */
  validateToken: {
    methodKind: "unary";
    input: typeof ValidateTokenRequestSchema;
    output: typeof ValidateTokenResponseSchema;
  },
  /**
   * Revokes one session (by id or by either of its tokens) or every session
   * of a subject in the caller's session group ("sign out everywhere"; an
   * admin: every group). A refresh token revokes only if its secret is the
   * session's current or a retired one; an access token only if its
   * signature verifies. Access tokens of revoked sessions
   * are rejected by ValidateToken as soon as this returns, and by watching
   * Verifiers once they reach the returned sequence. Revoking something
   * already revoked or unknown is not an error: revoked_count is 0
   * (RFC 7009 §2.2). Role: issuer.
   * Errors: INVALID_ARGUMENT (TARGET_MISSING, SUBJECT_INVALID,
   * SESSION_ID_INVALID, TOKEN_TOO_LARGE), UNAVAILABLE (STORE_UNAVAILABLE).
   *
   * @generated from rpc tessera.v1.TokenAuthority.RevokeSession
   */
  revokeSession: {
    methodKind: "unary";
    input: typeof RevokeSessionRequestSchema;
    output: typeof RevokeSessionResponseSchema;
  },
  /**
   * One session, for a "your devices" page. Never returns a secret.
   * Role: issuer. Errors: INVALID_ARGUMENT (SESSION_ID_INVALID),
   * NOT_FOUND (SESSION_NOT_FOUND).
   *
   * @generated from rpc tessera.v1.TokenAuthority.GetSession
   */
  getSession: {
    methodKind: "unary";
    input: typeof GetSessionRequestSchema;
    output: typeof SessionSchema;
  },
  /**
   * The sessions of a subject, newest first, paginated. Role: issuer.
   * Errors: INVALID_ARGUMENT (SUBJECT_INVALID, PAGE_TOKEN_INVALID).
   *
   * @generated from rpc tessera.v1.TokenAuthority.ListSessions
   */
  listSessions: {
    methodKind: "unary";
    input: typeof ListSessionsRequestSchema;
    output: typeof ListSessionsResponseSchema;
  },
  /**
   * The user changed: replaces, merges into or merge-patches (see
   * ClaimsMode) the custom claims of every live session of the subject in
   * the caller's session group (for admins too). Each session's new claims
   * are computed from its own current claims and written into it, all in
   * one atomic write, before this returns: GetSession shows them at once,
   * the next refresh of the session carries them, and a session issued
   * after this call keeps the claims it was issued with. With
   * invalidate_access_tokens, access tokens of the subject issued before
   * this call are rejected with STALE_CLAIMS everywhere, so clients refresh
   * at once and get fresh data without logging in again. Role: issuer.
   * Errors: INVALID_ARGUMENT (SUBJECT_INVALID, CLAIMS_TOO_LARGE,
   * RESERVED_CLAIM, CLAIMS_INVALID, CLAIMS_MODE_INVALID), UNAVAILABLE
   * (STORE_UNAVAILABLE).
   *
   * @generated from rpc tessera.v1.TokenAuthority.UpdateClaims
   */
  updateClaims: {
    methodKind: "unary";
    input: typeof UpdateClaimsRequestSchema;
    output: typeof UpdateClaimsResponseSchema;
  },
  /**
   * The public signing keys (next, active, and retired ones whose tokens may
   * still be live) as a JWK Set. The same document is served over HTTP at
   * /.well-known/jwks.json. Role: verifier.
   *
   * @generated from rpc tessera.v1.TokenAuthority.GetJwks
   */
  getJwks: {
    methodKind: "unary";
    input: typeof GetJwksRequestSchema;
    output: typeof GetJwksResponseSchema;
  },
  /**
   * The revocation stream that in-process Verifiers follow (docs/architecture.md).
   * after_sequence = 0: a snapshot of every revocation that can still matter
   * (younger than the longest access-token lifetime plus leeway), then
   * snapshot_end, then live events. after_sequence = N: resumes after N if
   * the log still holds it (the newest 10,000 events, and every event that
   * can still matter, are always held), else a fresh snapshot whose
   * snapshot_end has reset = true. A resume sends the logged events after N, then
   * snapshot_end with reset = false ("caught up"). snapshot_end's own
   * `sequence` is the sequence the stream is complete up to: resume after
   * it. Events are sent only once durable. Heartbeats (every second, on an
   * otherwise idle stream) carry the newest sequence sent before them.
   * A consumer that falls too far behind is cut off with RESOURCE_EXHAUSTED
   * (CONSUMER_TOO_SLOW) and resumes; no event is ever silently dropped.
   * Role: verifier. Errors: RESOURCE_EXHAUSTED (TOO_MANY_WATCHERS,
   * CONSUMER_TOO_SLOW).
   *
   * @generated from rpc tessera.v1.TokenAuthority.WatchRevocations
   */
  watchRevocations: {
    methodKind: "server_streaming";
    input: typeof WatchRevocationsRequestSchema;
    output: typeof RevocationEventSchema;
  },
}> = /*@__PURE__*/
  serviceDesc(file_tessera_v1_token_authority, 0);

