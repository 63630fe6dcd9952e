// Host malloc tuning for tensor workloads. glibc serves an allocation above its mmap threshold
// (128 KiB, rising to at most 32 MiB as it adapts) with a fresh mmap and gives it back with
// munmap on free, and it trims its heap above the trim threshold: a batch loop that allocates and
// frees the same 20-200 MiB tensors every step then pays a page fault per 4 KiB page each time,
// in the kernel (high system time, one core busy zeroing pages).
#include <limits.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "../common/rp_check.h"

int rp_tune_host_allocator(int64_t mmap_threshold, int64_t trim_threshold, int64_t top_pad, int *applied) try {
    if (applied == nullptr) {
        rp_set_error("rp_tune_host_allocator: applied is NULL");
        return RP_ERR_INVALID_ARGUMENT;
    }
    *applied = 0;
    const int64_t values[] = {mmap_threshold, trim_threshold, top_pad};
    const char *names[] = {"mmap_threshold", "trim_threshold", "top_pad"};
    for (int i = 0; i < 3; i++) {
        if (values[i] > INT_MAX) {
            rp_set_error("rp_tune_host_allocator: %s = %lld is above INT_MAX", names[i], (long long)values[i]);
            return RP_ERR_INVALID_ARGUMENT;
        }
    }
#if defined(__GLIBC__)
    const int params[] = {M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, M_TOP_PAD};
    for (int i = 0; i < 3; i++) {
        if (values[i] >= 0 && mallopt(params[i], (int)values[i]) != 1) {
            rp_set_error("rp_tune_host_allocator: mallopt refused %s = %lld", names[i], (long long)values[i]);
            return RP_ERR_INVALID_ARGUMENT;
        }
    }
    *applied = 1;
#endif
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_tune_host_allocator");
}
