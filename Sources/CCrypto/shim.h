#ifndef LATTICEKIT_CCRYPTO_SHIM_H
#define LATTICEKIT_CCRYPTO_SHIM_H
// Only the non-deprecated OpenSSL 3 interfaces the signer uses: EVP digests (SHA-256) and
// EC keys for SigV4a.
#include <openssl/evp.h>
#include <openssl/crypto.h>
#endif
