// For builds without nvcc: the stub librelprune_cuda must load, say it has no kernels and fail
// every CUDA call with RP_ERR_NO_CUDA and a message, never pretend to have computed anything.
#include <string.h>

#include "test_util.h"

int main() {
    Tally tally;
    tally.record(rp_has_cuda_kernels() == 0, "rp_has_cuda_kernels() == 0", "");

    int count = -1;
    int st = rp_cuda_device_count(&count);
    tally.record(st == RP_ERR_NO_CUDA && count == 0, "rp_cuda_device_count", fmt("%s, count %d", rp_status_name(st), count));

    float x[4] = {1, -2, 3, -4};
    st = rp_relu_cuda(x, x, 4, nullptr);
    const char *msg = rp_last_error();
    tally.record(st == RP_ERR_NO_CUDA && strstr(msg, "without nvcc"), "rp_relu_cuda returns RP_ERR_NO_CUDA",
                 fmt("%s: \"%s\"", rp_status_name(st), msg));
    tally.record(x[1] == -2.0f, "rp_relu_cuda left its output alone", "");
    st = rp_cuda_synchronize(nullptr);
    tally.record(st == RP_ERR_NO_CUDA, "rp_cuda_synchronize returns RP_ERR_NO_CUDA", rp_status_name(st));
    return tally.finish();
}
