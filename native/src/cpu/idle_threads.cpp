// The thread pools of the libraries under libtorch spin while idle by default: libgomp's (libtorch's
// intra-op threads) for GOMP_SPINCOUNT iterations, OpenBLAS's (libtorch's matrix products) for
// 2^OPENBLAS_THREAD_TIMEOUT cycles (2^28, about 0.1 s). With a few cores, a pool that spins after
// its call takes those cores from whatever runs next: our kernels, oneDNN's convolutions, the
// other pool (LRP on ResNet-18 was 10-15% slower with OpenBLAS's spinning alone). Both read their
// setting from the environment when they load, so it has to be set before libtorch loads.
#include <stdlib.h>

#include "../common/rp_check.h"

int rp_quiet_idle_threads(int *set) try {
    if (set == nullptr) {
        rp_set_error("rp_quiet_idle_threads: set is NULL");
        return RP_ERR_INVALID_ARGUMENT;
    }
    *set = 0;
    // a value the user chose stays
    if (getenv("GOMP_SPINCOUNT") == nullptr && setenv("GOMP_SPINCOUNT", "0", 0) == 0) *set |= 1;
    if (getenv("OPENBLAS_THREAD_TIMEOUT") == nullptr && setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0) == 0) *set |= 2;
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_quiet_idle_threads");
}
