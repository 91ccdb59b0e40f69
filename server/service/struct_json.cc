#include "server/service/struct_json.h"

#include <cmath>

namespace tessera::service {
namespace {

using google::protobuf::Value;
using token::Json;

absl::StatusOr<Json> ValueToJson(const Value& value, int depth_left);

absl::StatusOr<Json> FieldsToJson(const google::protobuf::Struct& in,
                                  int depth_left) {
  if (depth_left <= 0) {
    return absl::InvalidArgumentError("claims are nested too deeply");
  }
  Json out = Json::MakeObject();
  for (const auto& [name, value] : in.fields()) {
    absl::StatusOr<Json> converted = ValueToJson(value, depth_left - 1);
    if (!converted.ok()) return converted.status();
    out.Set(name, *std::move(converted));
  }
  return out;
}

absl::StatusOr<Json> ValueToJson(const Value& value, int depth_left) {
  switch (value.kind_case()) {
    case Value::kNullValue:
    case Value::KIND_NOT_SET:
      return Json();
    case Value::kBoolValue:
      return Json::Bool(value.bool_value());
    case Value::kNumberValue: {
      const double number = value.number_value();
      if (!std::isfinite(number)) {
        return absl::InvalidArgumentError("claims hold NaN or Infinity");
      }
      if (std::trunc(number) == number && std::fabs(number) < 9.0e15) {
        return Json::Integer(static_cast<int64_t>(number));
      }
      return Json::Double(number);
    }
    case Value::kStringValue:
      return Json::String(value.string_value());
    case Value::kStructValue:
      return FieldsToJson(value.struct_value(), depth_left);
    case Value::kListValue: {
      if (depth_left <= 0) {
        return absl::InvalidArgumentError("claims are nested too deeply");
      }
      Json::Array elements;
      for (const Value& element : value.list_value().values()) {
        absl::StatusOr<Json> converted = ValueToJson(element, depth_left - 1);
        if (!converted.ok()) return converted.status();
        elements.push_back(*std::move(converted));
      }
      return Json::MakeArray(std::move(elements));
    }
  }
  return Json();
}

Value JsonToValue(const Json& json) {
  Value value;
  switch (json.type()) {
    case Json::Type::kNull:
      value.set_null_value(google::protobuf::NULL_VALUE);
      break;
    case Json::Type::kBool:
      value.set_bool_value(json.bool_value());
      break;
    case Json::Type::kInteger:
    case Json::Type::kDouble:
      value.set_number_value(json.number_value());
      break;
    case Json::Type::kString:
      value.set_string_value(json.string_value());
      break;
    case Json::Type::kArray:
      for (const Json& element : json.array()) {
        *value.mutable_list_value()->add_values() = JsonToValue(element);
      }
      break;
    case Json::Type::kObject:
      *value.mutable_struct_value() = JsonToStruct(json);
      break;
  }
  return value;
}

}  // namespace

absl::StatusOr<Json> StructToJson(const google::protobuf::Struct& in,
                                  int max_depth) {
  return FieldsToJson(in, max_depth);
}

google::protobuf::Struct JsonToStruct(const Json& object) {
  google::protobuf::Struct out;
  if (!object.is_object()) return out;
  for (const auto& [name, value] : object.object()) {
    (*out.mutable_fields())[name] = JsonToValue(value);
  }
  return out;
}

}  // namespace tessera::service
