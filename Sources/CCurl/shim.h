#ifndef LATTICEKIT_CCURL_SHIM_H
#define LATTICEKIT_CCURL_SHIM_H
#include <curl/curl.h>
#endif
