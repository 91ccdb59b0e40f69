#include "tools/cli/render.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/base/timestamps.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"

namespace tessera::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsJsonValued(const Descriptor* type) {
  const std::string& name = type->full_name();
  return name == "google.protobuf.Struct" || name == "google.protobuf.Value" ||
         name == "google.protobuf.ListValue";
}

// A message shown on one line, or "" if it is not one of those.
std::string InlineMessage(const Message& message) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (type == "google.protobuf.Timestamp") {
    return absl::FormatTime(
        "%Y-%m-%dT%H:%M:%E*SZ",
        FromTimestamp(static_cast<const google::protobuf::Timestamp&>(message)),
        absl::UTCTimeZone());
  }
  if (type == "google.protobuf.Duration") {
    return absl::FormatDuration(
        FromDuration(static_cast<const google::protobuf::Duration&>(message)));
  }
  if (IsJsonValued(message.GetDescriptor())) return RenderJson(message);
  return "";
}

std::string Scalar(const Message& message, const FieldDescriptor* field,
                   int index) {
  const Reflection* r = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return repeated ? r->GetRepeatedString(message, field, index)
                      : r->GetString(message, field);
    case FieldDescriptor::CPPTYPE_BOOL:
      return (repeated ? r->GetRepeatedBool(message, field, index)
                       : r->GetBool(message, field))
                 ? "true"
                 : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return (repeated ? r->GetRepeatedEnum(message, field, index)
                       : r->GetEnum(message, field))
          ->name();
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(repeated ? r->GetRepeatedInt32(message, field, index)
                                   : r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(repeated ? r->GetRepeatedInt64(message, field, index)
                                   : r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(repeated ? r->GetRepeatedUInt32(message, field, index)
                                   : r->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(repeated ? r->GetRepeatedUInt64(message, field, index)
                                   : r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(repeated ? r->GetRepeatedDouble(message, field, index)
                                   : r->GetDouble(message, field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(repeated ? r->GetRepeatedFloat(message, field, index)
                                   : r->GetFloat(message, field));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return "";
}

// Empty strings and unspecified enums are left out; numbers and booleans
// are always shown ("revoked_count: 0" and "valid: false" are answers).
bool IsLeftOut(const Message& message, const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return Scalar(message, field, 0).empty();
    case FieldDescriptor::CPPTYPE_ENUM:
      return message.GetReflection()->GetEnumValue(message, field) == 0;
    default:
      return false;
  }
}

void Render(const Message& message, const std::string& indent,
            std::string* out) {
  const Descriptor* type = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const std::string label = absl::StrCat(indent, field->name(), ":");
    if (field->is_repeated()) {
      const int size = r->FieldSize(message, field);
      if (size == 0) continue;
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        std::vector<std::string> values;
        for (int j = 0; j < size; ++j) {
          values.push_back(Scalar(message, field, j));
        }
        absl::StrAppend(out, label, " ", absl::StrJoin(values, ", "), "\n");
        continue;
      }
      absl::StrAppend(out, label, "\n");
      for (int j = 0; j < size; ++j) {
        const Message& item = r->GetRepeatedMessage(message, field, j);
        const std::string inline_item = InlineMessage(item);
        if (!inline_item.empty()) {
          absl::StrAppend(out, indent, "  - ", inline_item, "\n");
          continue;
        }
        std::string block;
        Render(item, indent + "    ", &block);
        // "  - " marks where each element starts.
        if (block.size() >= indent.size() + 4) {
          block.replace(indent.size(), 4, "  - ");
        }
        absl::StrAppend(out, block);
      }
      continue;
    }
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!r->HasField(message, field)) continue;
      const Message& sub = r->GetMessage(message, field);
      const std::string inline_sub = InlineMessage(sub);
      if (!inline_sub.empty()) {
        // An empty Struct says nothing worth a line.
        if (inline_sub != "{}") {
          absl::StrAppend(out, label, " ", inline_sub, "\n");
        }
        continue;
      }
      std::string block;
      Render(sub, indent + "  ", &block);
      if (!block.empty()) absl::StrAppend(out, label, "\n", block);
      continue;
    }
    if (field->containing_oneof() != nullptr && !r->HasField(message, field)) {
      continue;
    }
    if (IsLeftOut(message, field)) continue;
    absl::StrAppend(out, label, " ", Scalar(message, field, 0), "\n");
  }
}

}  // namespace

std::string RenderText(const google::protobuf::Message& message) {
  std::string out;
  Render(message, "", &out);
  return out;
}

std::string RenderJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = false;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    return "{}";
  }
  return json;
}

}  // namespace tessera::cli
