#ifndef TESSERA_SERVER_SESSION_MERGE_PATCH_H_
#define TESSERA_SERVER_SESSION_MERGE_PATCH_H_

// JSON Merge Patch (RFC 7396) on google.protobuf.Value / Struct, the form
// claims take in the API. UpdateClaims{mode: CLAIMS_MODE_MERGE_PATCH}
// applies its claims to each session's claims with it.
//
// The rules: a patch that is an object is merged member by member into the
// target (a target that is not an object counts as {}); a member whose
// value is null removes that member from the target; any other member
// value is itself merge-patched into the target's member of that name
// (absent counts as not an object). A patch that is not an object,
// including an array, replaces the target whole; arrays are never merged.
// A Value with no kind set counts as null, as it does in JSON output.
//
// Pure functions: no I/O, no state, thread-compatible. Recursion is as deep
// as the patch is nested; callers bound that depth (UpdateClaims refuses
// claims nested deeper than 16 before patching).

#include "google/protobuf/struct.pb.h"

namespace tessera::session {

// The result of applying `patch` to `target`.
google::protobuf::Value ApplyMergePatch(google::protobuf::Value target,
                                        const google::protobuf::Value& patch);

// The same for an object patch on an object, which always yields an object:
// what claims (always a Struct) go through. A top-level null member deletes
// that claim.
google::protobuf::Struct ApplyMergePatch(google::protobuf::Struct target,
                                         const google::protobuf::Struct& patch);

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_MERGE_PATCH_H_
