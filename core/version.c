/* version: the library's version, from the build (FC_VERSION). */
#include "funnelcast.h"

#ifndef FC_VERSION
#define FC_VERSION FUNNELCAST_VERSION
#endif

_Static_assert(sizeof FC_VERSION == sizeof FUNNELCAST_VERSION,
               "Makefile VERSION and FUNNELCAST_VERSION differ");

const char *fc_version(void) { return FC_VERSION; }
