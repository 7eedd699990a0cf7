#ifndef LATTICEKIT_CLOCALTLS_SHIM_H
#define LATTICEKIT_CLOCALTLS_SHIM_H
// local-lattice makes a certificate authority and a server certificate at start, for its TLS
// listeners: P-256 keys, X.509 v3 certificates with extensions, PEM output.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/objects.h>
#endif
