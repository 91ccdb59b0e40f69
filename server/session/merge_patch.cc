#include "server/session/merge_patch.h"

#include <utility>

namespace tessera::session {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

bool IsNull(const Value& value) {
  return value.kind_case() == Value::kNullValue ||
         value.kind_case() == Value::KIND_NOT_SET;
}

void PatchMembers(Struct& target, const Struct& patch) {
  for (const auto& [name, value] : patch.fields()) {
    if (IsNull(value)) {
      target.mutable_fields()->erase(name);
      continue;
    }
    // An absent member is created with no kind: not an object.
    Value& member = (*target.mutable_fields())[name];
    member = ApplyMergePatch(std::move(member), value);
  }
}

}  // namespace

Value ApplyMergePatch(Value target, const Value& patch) {
  if (patch.kind_case() != Value::kStructValue) return patch;
  if (target.kind_case() != Value::kStructValue) {
    target.mutable_struct_value();  // Whatever it held, now {}.
  }
  PatchMembers(*target.mutable_struct_value(), patch.struct_value());
  return target;
}

Struct ApplyMergePatch(Struct target, const Struct& patch) {
  PatchMembers(target, patch);
  return target;
}

}  // namespace tessera::session
