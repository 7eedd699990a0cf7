#ifndef LATTICEKIT_CCRYPTO_SHIM_H
#define LATTICEKIT_CCRYPTO_SHIM_H
// The signer uses OpenSSL's SHA-256 context API (SHA256_Init/Update/Final). OpenSSL 3 marks it
// deprecated in favour of EVP, but keeps it throughout 3.x, and it is the only interface whose
// context is a plain struct: an HMAC key's inner and outer states can be kept and copied by
// value, so signing allocates nothing in libcrypto (EVP allocates a context per copy).
// It still runs OpenSSL's assembly, SHA-NI included.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
// SigV4a: P-256 keys built from a derived scalar (EVP_PKEY_fromdata), ECDSA via EVP_DigestSign.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#endif
