#include "client/token/base64url.h"

#include <array>
#include <cstdint>

namespace tessera::token {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Maps each byte to its 6-bit value, or 0xff if it is not in the alphabet.
constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = 0xff;
  for (uint8_t i = 0; i < 64; ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = i;
  }
  return table;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

std::string Base64UrlEncode(absl::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(absl::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out(text.size() * 3 / 4, '\0');
  char* dst = out.data();
  const auto* src = reinterpret_cast<const uint8_t*>(text.data());
  const size_t full = text.size() / 4 * 4;
  for (size_t i = 0; i < full; i += 4) {
    const uint32_t a = kDecode[src[i]], b = kDecode[src[i + 1]],
                   c = kDecode[src[i + 2]], d = kDecode[src[i + 3]];
    if ((a | b | c | d) & 0x80) return std::nullopt;  // Not in the alphabet.
    const uint32_t n = (a << 18) | (b << 12) | (c << 6) | d;
    *dst++ = static_cast<char>(n >> 16);
    *dst++ = static_cast<char>(n >> 8);
    *dst++ = static_cast<char>(n);
  }
  const size_t rest = text.size() - full;
  if (rest > 0) {
    uint32_t n = 0;
    for (size_t i = 0; i < rest; ++i) {
      const uint32_t v = kDecode[src[full + i]];
      if (v == 0xff) return std::nullopt;
      n |= v << (18 - 6 * i);
    }
    // 2 chars carry 1 byte (4 spare bits), 3 chars carry 2 (2 spare bits);
    // spare bits must be zero in a canonical encoding.
    const uint32_t spare_mask = rest == 2 ? 0xffff : 0xff;
    if ((n & spare_mask) != 0) return std::nullopt;
    *dst++ = static_cast<char>(n >> 16);
    if (rest == 3) *dst++ = static_cast<char>(n >> 8);
  }
  return out;
}

}  // namespace tessera::token
