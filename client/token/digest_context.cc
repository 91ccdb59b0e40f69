#include "client/token/digest_context.h"

#include <openssl/err.h>

#include "client/token/key_fit.h"

namespace tessera::token {
namespace {

bool InitDigestContext(EVP_MD_CTX* ctx, Purpose purpose, Algorithm algorithm,
                       EVP_PKEY* pkey) {
  return purpose == Purpose::kSign
             ? EVP_DigestSignInit(ctx, nullptr, DigestFor(algorithm), nullptr,
                                  pkey) == 1
             : EVP_DigestVerifyInit(ctx, nullptr, DigestFor(algorithm), nullptr,
                                    pkey) == 1;
}

}  // namespace

std::shared_ptr<const DigestContextTemplate> MakeTemplate(Purpose purpose,
                                                          Algorithm algorithm,
                                                          EVP_PKEY* pkey) {
  if (algorithm == Algorithm::kEdDSA) return nullptr;  // Can't be copied.
  auto tmpl = std::make_shared<DigestContextTemplate>();
  tmpl->ctx.reset(EVP_MD_CTX_new());
  if (tmpl->ctx == nullptr ||
      !InitDigestContext(tmpl->ctx.get(), purpose, algorithm, pkey)) {
    ERR_clear_error();
    return nullptr;
  }
  return tmpl;
}

UniqueMdCtx NewDigestContext(const DigestContextTemplate* tmpl, Purpose purpose,
                             Algorithm algorithm, EVP_PKEY* pkey) {
  UniqueMdCtx ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return nullptr;
  if (tmpl != nullptr && EVP_MD_CTX_copy_ex(ctx.get(), tmpl->ctx.get()) == 1) {
    return ctx;
  }
  if (!InitDigestContext(ctx.get(), purpose, algorithm, pkey)) return nullptr;
  return ctx;
}

}  // namespace tessera::token
