// bf16 storage of float32 tensors: cached activations in half the memory. bf16 is the upper 16
// bits of a float32 (8 exponent bits, 7 mantissa bits), so widening is exact and narrowing is a
// rounding of the lower 16 bits.
#include <string.h>

#include "../common/rp_check.h"
#include "parallel.h"

// x: [n] float32 -> out: [n] bf16 bits, round to nearest, ties to even
int rp_f32_to_bf16_cpu(const float *x, uint16_t *out, int64_t n) try {
    int st = rp::check_bf16_convert("rp_f32_to_bf16_cpu", x, out, n);
    if (st != RP_OK) return st;
    rp::parallel_for(n, rp::kElementGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        if ((bits & 0x7fffffffu) > 0x7f800000u) {
            out[i] = (uint16_t)((bits >> 16) | 0x0040u); // NaN: keep the sign, make it quiet
            continue;
        }
        // add half an ulp of bf16 (minus one when the kept part is even: ties go to even);
        // a carry out of the mantissa bumps the exponent, up to infinity
        const uint32_t lsb = (bits >> 16) & 1u;
        out[i] = (uint16_t)((bits + 0x7fffu + lsb) >> 16);
    }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_f32_to_bf16_cpu");
}

// x: [n] bf16 bits -> out: [n] float32, exact
int rp_bf16_to_f32_cpu(const uint16_t *x, float *out, int64_t n) try {
    int st = rp::check_bf16_convert("rp_bf16_to_f32_cpu", x, out, n);
    if (st != RP_OK) return st;
    rp::parallel_for(n, rp::kElementGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) {
            const uint32_t bits = (uint32_t)x[i] << 16;
            memcpy(&out[i], &bits, sizeof bits);
        }
    });
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_bf16_to_f32_cpu");
}
