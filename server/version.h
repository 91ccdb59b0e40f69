#ifndef TESSERA_SERVER_VERSION_H_
#define TESSERA_SERVER_VERSION_H_

namespace tessera {

// The release of tesserad; logged at start-up and reported by Admin.GetStats.
inline constexpr char kVersion[] = "0.1.0";

}  // namespace tessera

#endif  // TESSERA_SERVER_VERSION_H_
