#ifndef TESSERA_SERVER_SERVICE_STRUCT_JSON_H_
#define TESSERA_SERVER_SERVICE_STRUCT_JSON_H_

// google.protobuf.Struct (the API's claims) <-> token::Json (the codec's).
// Struct numbers are doubles; integral ones within int64 become JSON
// integers so that claims like {"tenant": 42} stay 42, not 42.0.

#include "absl/status/statusor.h"
#include "client/token/json.h"
#include "google/protobuf/struct.pb.h"

namespace tessera::service {

// INVALID_ARGUMENT for NaN/Infinity or nesting deeper than `max_depth`.
absl::StatusOr<token::Json> StructToJson(const google::protobuf::Struct& in,
                                         int max_depth = 16);
google::protobuf::Struct JsonToStruct(const token::Json& object);

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_STRUCT_JSON_H_
