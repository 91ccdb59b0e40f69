/**
 * @tessera-auth/node: the Tessera token authority for Node.js.
 *
 * - {@link Client}: every TokenAuthority and Admin RPC.
 * - {@link Verifier}: local access-token verification that follows the
 *   revocation stream.
 * - {@link tesseraAuth}: Node/Express-style middleware answering per the
 *   HTTP answer contract.
 * @packageDocumentation
 */
export * from "./client.js";
export * from "./errors.js";
export * from "./verifier.js";
export * from "./http.js";
export {
  KeySet,
  MAX_TOKEN_BYTES,
  type InvalidReason,
  type JsonValue,
  type TokenClaims,
} from "./token.js";
export * as pb from "./gen/tessera/v1/token_authority_pb.js";
export * as adminPb from "./gen/tessera/v1/admin_pb.js";
