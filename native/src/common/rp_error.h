// Private to the relprune libraries: not part of the C ABI (see relprune.h).
#pragma once

// Both libraries are built with hidden visibility so that only the ABI is exported; including
// relprune.h under this pragma gives its declarations, and so their definitions, default
// visibility.
#pragma GCC visibility push(default)
#include "relprune.h"
#pragma GCC visibility pop

#ifdef __cplusplus
extern "C" {
#endif

// Stores a printf-formatted message as this thread's rp_last_error(). Exported by
// librelprune_native so that librelprune_cuda reports errors through the same thread-local.
__attribute__((visibility("default"), format(printf, 1, 2)))
void rp_set_error(const char *fmt, ...);

#ifdef __cplusplus
}

// For the catch (...) of every exported function: no exception may cross the C boundary.
inline int rp_internal_error(const char *fn) {
    rp_set_error("%s: internal error (unexpected C++ exception)", fn);
    return RP_ERR_INTERNAL;
}
#endif
