#ifndef TESSERA_CLIENT_TOKEN_DIGEST_CONTEXT_H_
#define TESSERA_CLIENT_TOKEN_DIGEST_CONTEXT_H_

// Internal to //client/token: EVP_MD_CTXs for signing and verifying with one
// key. A key makes a template once; each use copies it instead of re-running
// EVP_Digest{Sign,Verify}Init, whose algorithm fetch costs more than an RSA
// verify's hashing on OpenSSL 3. A template is only read after it is made,
// so one is safe to share across threads.

#include <openssl/evp.h>

#include <memory>

#include "client/token/algorithm.h"
#include "client/token/evp.h"

namespace tessera::token {

struct DigestContextTemplate {
  UniqueMdCtx ctx;
};

enum class Purpose { kSign, kVerify };

// A template for `purpose` with `pkey`; null where contexts cannot be copied
// (Ed25519) or initialization failed (NewDigestContext then initializes).
std::shared_ptr<const DigestContextTemplate> MakeTemplate(Purpose purpose,
                                                          Algorithm algorithm,
                                                          EVP_PKEY* pkey);

// A ready context: a copy of `tmpl`, or freshly initialized without one;
// null on failure (libcrypto's error queue may hold entries then).
UniqueMdCtx NewDigestContext(const DigestContextTemplate* tmpl, Purpose purpose,
                             Algorithm algorithm, EVP_PKEY* pkey);

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_DIGEST_CONTEXT_H_
