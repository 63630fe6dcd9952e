// Status names, the thread-local error message and the version string.
#include <stdarg.h>
#include <stdio.h>

#include "../common/rp_error.h"

// A fixed buffer (no allocation, constant-initialized so no TLS init wrapper) that stays
// valid until the next failure on the same thread, which is what rp_last_error() promises.
static thread_local char last_error[512] = "";

void rp_set_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}

const char *rp_last_error(void) { return last_error; }

const char *rp_version(void) { return "0.1.0"; }

const char *rp_status_name(int status) {
    switch (status) {
    case RP_OK: return "RP_OK";
    case RP_ERR_INVALID_ARGUMENT: return "RP_ERR_INVALID_ARGUMENT";
    case RP_ERR_CUDA: return "RP_ERR_CUDA";
    case RP_ERR_NO_CUDA: return "RP_ERR_NO_CUDA";
    case RP_ERR_INTERNAL: return "RP_ERR_INTERNAL";
    default: return "RP_UNKNOWN_STATUS";
    }
}
