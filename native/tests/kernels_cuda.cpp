// Compares every _cuda kernel with its _cpu twin (the specification) on the same random
// inputs, on the shapes of kernels_cpu plus larger ones. Exits 77, which ctest reports as
// skipped, when there is no CUDA device: it never passes without having run on a GPU.
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include <iterator>

#include <cuda_runtime.h>

#include "test_util.h"

static Tally tally;
static std::mt19937 rng(20240602);

static const double kAtol = 1e-6, kRtol = 1e-5;

static void die(const char *what, cudaError_t err) {
    printf("FATAL %s: %s\n", what, cudaGetErrorString(err));
    tally.failed++;
    exit(tally.finish());
}

// A device copy of a host tensor.
struct Dev {
    float *ptr = nullptr;
    int64_t n = 0;

    explicit Dev(int64_t count) : n(count) {
        cudaError_t err = cudaMalloc(&ptr, (size_t)(n > 0 ? n : 1) * sizeof(float));
        if (err != cudaSuccess) die("cudaMalloc", err);
        // NaN bytes, so an element the kernel forgets to write cannot pass by accident
        err = cudaMemset(ptr, 0xff, (size_t)(n > 0 ? n : 1) * sizeof(float));
        if (err != cudaSuccess) die("cudaMemset", err);
    }
    explicit Dev(const std::vector<float> &h) : Dev((int64_t)h.size()) {
        cudaError_t err = cudaMemcpy(ptr, h.data(), h.size() * sizeof(float), cudaMemcpyHostToDevice);
        if (err != cudaSuccess) die("cudaMemcpy to device", err);
    }
    Dev(const Dev &) = delete;
    Dev &operator=(const Dev &) = delete;
    ~Dev() { cudaFree(ptr); }

    std::vector<float> get() const {
        std::vector<float> h((size_t)n);
        cudaError_t err = cudaMemcpy(h.data(), ptr, h.size() * sizeof(float), cudaMemcpyDeviceToHost);
        if (err != cudaSuccess) die("cudaMemcpy to host", err);
        return h;
    }
};

// want: the CPU twin's output (st_cpu its status); got: the device output of the CUDA twin.
static void check(const char *kernel, const std::string &shape, int st_cpu, int st_cuda,
                  const std::vector<float> &want, const Dev &got) {
    std::string detail;
    bool ok = false;
    if (st_cpu != RP_OK) {
        detail = fmt("CPU twin returned %s: %s", rp_status_name(st_cpu), rp_last_error());
    } else if (st_cuda != RP_OK) {
        detail = fmt("returned %s: %s", rp_status_name(st_cuda), rp_last_error());
    } else if (int st = rp_cuda_synchronize(nullptr); st != RP_OK) {
        detail = fmt("rp_cuda_synchronize: %s: %s", rp_status_name(st), rp_last_error());
    } else {
        std::vector<float> h = got.get();
        ok = close(h.data(), want.data(), (int64_t)want.size(), kAtol, kRtol, &detail);
    }
    tally.record(ok, std::string(kernel) + " " + shape, detail);
}

// ---- elementwise -----------------------------------------------------------------------------

static void test_elementwise() {
    std::vector<int64_t> sizes(std::begin(kElementwiseN), std::end(kElementwiseN));
    sizes.push_back((int64_t(1) << 22) + 3);
    for (int64_t n : sizes) {
        const std::string shape = fmt("n=%lld", (long long)n);
        std::vector<float> x = uniform(rng, n, -6.0f, 6.0f), b = uniform(rng, n, -3.0f, 3.0f), want(n);
        Dev dx(x), db(b), dy(n);
        int st = rp_relu_cpu(x.data(), want.data(), n);
        check("rp_relu_cuda", shape, st, rp_relu_cuda(dx.ptr, dy.ptr, n, nullptr), want, dy);
        st = rp_gelu_cpu(x.data(), want.data(), n);
        check("rp_gelu_cuda", shape, st, rp_gelu_cuda(dx.ptr, dy.ptr, n, nullptr), want, dy);
        st = rp_add_cpu(x.data(), b.data(), want.data(), n);
        check("rp_add_cuda", shape, st, rp_add_cuda(dx.ptr, db.ptr, dy.ptr, n, nullptr), want, dy);
        // in place, last: it overwrites dx
        st = rp_gelu_cpu(x.data(), want.data(), n);
        check("rp_gelu_cuda", shape + " in-place", st, rp_gelu_cuda(dx.ptr, dx.ptr, n, nullptr), want, dx);
    }
}

static void test_channel_affine() {
    std::vector<AffineShape> shapes(std::begin(kAffineShapes), std::end(kAffineShapes));
    shapes.push_back({8, 64, 56 * 56});
    shapes.push_back({4096, 1000, 1});
    for (const AffineShape &s : shapes) {
        const int64_t total = s.n * s.c * s.hw;
        std::vector<float> x = uniform(rng, total, -3.0f, 3.0f), want(total);
        std::vector<float> scale = uniform(rng, s.c, -2.0f, 2.0f), shift = uniform(rng, s.c, -1.0f, 1.0f);
        Dev dx(x), dscale(scale), dshift(shift), dy(total);
        for (int variant = 0; variant < 8; variant++) {
            const bool use_scale = variant & 1, use_shift = variant & 2, relu = variant & 4;
            const std::string shape = fmt("n=%lld c=%lld hw=%lld scale=%s shift=%s relu=%d", (long long)s.n,
                                          (long long)s.c, (long long)s.hw, use_scale ? "yes" : "NULL",
                                          use_shift ? "yes" : "NULL", (int)relu);
            int st = rp_channel_affine_cpu(x.data(), want.data(), use_scale ? scale.data() : nullptr,
                                           use_shift ? shift.data() : nullptr, s.n, s.c, s.hw, relu);
            check("rp_channel_affine_cuda", shape, st,
                  rp_channel_affine_cuda(dx.ptr, dy.ptr, use_scale ? dscale.ptr : nullptr,
                                         use_shift ? dshift.ptr : nullptr, s.n, s.c, s.hw, relu, nullptr),
                  want, dy);
        }
    }
}

// ---- normalization ---------------------------------------------------------------------------

static void test_norm() {
    std::vector<RowShape> ln(std::begin(kLayernormShapes), std::end(kLayernormShapes));
    ln.push_back({8 * 197, 768});
    ln.push_back({64, 4096});
    ln.push_back({(int64_t(1) << 20) + 5, 3}); // more rows than blocks: the grid-stride loop
    for (const RowShape &s : ln) {
        const int64_t total = s.rows * s.cols;
        std::vector<float> x = uniform(rng, total, -2.0f, 2.0f), want(total);
        for (int64_t i = 0; i < total; i++) x[i] += 3.0f * (float)(i / s.cols % 3);
        std::vector<float> gamma = uniform(rng, s.cols, 0.5f, 1.5f), beta = uniform(rng, s.cols, -0.5f, 0.5f);
        Dev dx(x), dgamma(gamma), dbeta(beta), dy(total);
        const std::string shape = fmt("rows=%lld cols=%lld", (long long)s.rows, (long long)s.cols);
        int st = rp_layernorm_cpu(x.data(), want.data(), nullptr, nullptr, s.rows, s.cols, 1e-6f);
        check("rp_layernorm_cuda", shape + " gamma=beta=NULL", st,
              rp_layernorm_cuda(dx.ptr, dy.ptr, nullptr, nullptr, s.rows, s.cols, 1e-6f, nullptr), want, dy);
        st = rp_layernorm_cpu(x.data(), want.data(), gamma.data(), beta.data(), s.rows, s.cols, 1e-5f);
        check("rp_layernorm_cuda", shape, st,
              rp_layernorm_cuda(dx.ptr, dy.ptr, dgamma.ptr, dbeta.ptr, s.rows, s.cols, 1e-5f, nullptr), want, dy);
        check("rp_layernorm_cuda", shape + " in-place", st,
              rp_layernorm_cuda(dx.ptr, dx.ptr, dgamma.ptr, dbeta.ptr, s.rows, s.cols, 1e-5f, nullptr), want, dx);
    }

    std::vector<RowShape> sm(std::begin(kSoftmaxShapes), std::end(kSoftmaxShapes));
    sm.push_back({8 * 12 * 197, 197});
    sm.push_back({16, 10000});
    sm.push_back({(int64_t(1) << 20) + 5, 3});
    for (const RowShape &s : sm) {
        const int64_t total = s.rows * s.cols;
        std::vector<float> x = uniform(rng, total, -10.0f, 10.0f), want(total);
        x[0] = 100.0f;
        Dev dx(x), dy(total);
        const std::string shape = fmt("rows=%lld cols=%lld", (long long)s.rows, (long long)s.cols);
        int st = rp_softmax_cpu(x.data(), want.data(), s.rows, s.cols);
        check("rp_softmax_cuda", shape, st, rp_softmax_cuda(dx.ptr, dy.ptr, s.rows, s.cols, nullptr), want, dy);
        check("rp_softmax_cuda", shape + " in-place", st,
              rp_softmax_cuda(dx.ptr, dx.ptr, s.rows, s.cols, nullptr), want, dx);
    }
}

// ---- pooling ---------------------------------------------------------------------------------

static void test_pool() {
    std::vector<PoolShape> shapes(std::begin(kPoolShapes), std::end(kPoolShapes));
    shapes.push_back({8, 64, 112, 112, 3, 3, 2, 2, 1, 1});
    for (const PoolShape &s : shapes) {
        const int64_t oh = pool_out(s.h, s.kh, s.sh, s.ph), ow = pool_out(s.w, s.kw, s.sw, s.pw);
        std::vector<float> x = uniform(rng, s.n * s.c * s.h * s.w, -5.0f, 5.0f), want(s.n * s.c * oh * ow);
        for (size_t i = 0; i < x.size(); i += 2) x[i] = -fabsf(x[i]) - 0.1f; // padding must not win
        Dev dx(x), dy((int64_t)want.size());
        const std::string shape = fmt("n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld",
                                      (long long)s.n, (long long)s.c, (long long)s.h, (long long)s.w,
                                      (long long)s.kh, (long long)s.kw, (long long)s.sh, (long long)s.sw,
                                      (long long)s.ph, (long long)s.pw);
        int st = rp_max_pool2d_cpu(x.data(), want.data(), s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, oh, ow);
        check("rp_max_pool2d_cuda", shape, st,
              rp_max_pool2d_cuda(dx.ptr, dy.ptr, s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, oh, ow, nullptr),
              want, dy);
        st = rp_avg_pool2d_cpu(x.data(), want.data(), s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, oh, ow);
        check("rp_avg_pool2d_cuda", shape, st,
              rp_avg_pool2d_cuda(dx.ptr, dy.ptr, s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, oh, ow, nullptr),
              want, dy);
    }

    std::vector<AdaptiveShape> ad(std::begin(kAdaptiveShapes), std::end(kAdaptiveShapes));
    ad.push_back({32, 512, 7, 7, 1, 1});
    ad.push_back({4, 64, 56, 56, 7, 7});
    for (const AdaptiveShape &s : ad) {
        std::vector<float> x = uniform(rng, s.n * s.c * s.h * s.w, -5.0f, 5.0f), want(s.n * s.c * s.oh * s.ow);
        Dev dx(x), dy((int64_t)want.size());
        const std::string shape = fmt("n=%lld c=%lld %lldx%lld -> %lldx%lld", (long long)s.n, (long long)s.c,
                                      (long long)s.h, (long long)s.w, (long long)s.oh, (long long)s.ow);
        int st = rp_adaptive_avg_pool2d_cpu(x.data(), want.data(), s.n, s.c, s.h, s.w, s.oh, s.ow);
        check("rp_adaptive_avg_pool2d_cuda", shape, st,
              rp_adaptive_avg_pool2d_cuda(dx.ptr, dy.ptr, s.n, s.c, s.h, s.w, s.oh, s.ow, nullptr), want, dy);
    }
}

// ---- vision transformer layout ---------------------------------------------------------------

static void test_vit_layout() {
    std::vector<EmbedShape> es(std::begin(kEmbedShapes), std::end(kEmbedShapes));
    es.push_back({8, 768, 196});
    for (const EmbedShape &s : es) {
        std::vector<float> patches = uniform(rng, s.b * s.d * s.g, -1.0f, 1.0f);
        std::vector<float> cls = uniform(rng, s.d, -1.0f, 1.0f), pos = uniform(rng, (1 + s.g) * s.d, -1.0f, 1.0f);
        std::vector<float> want(s.b * (1 + s.g) * s.d);
        Dev dp(patches), dc(cls), dpos(pos), dt((int64_t)want.size());
        int st = rp_vit_embed_cpu(patches.data(), cls.data(), pos.data(), want.data(), s.b, s.d, s.g);
        check("rp_vit_embed_cuda", fmt("b=%lld d=%lld g=%lld", (long long)s.b, (long long)s.d, (long long)s.g), st,
              rp_vit_embed_cuda(dp.ptr, dc.ptr, dpos.ptr, dt.ptr, s.b, s.d, s.g, nullptr), want, dt);
    }

    std::vector<HeadShape> hs(std::begin(kHeadShapes), std::end(kHeadShapes));
    hs.push_back({8, 197, 12, 64});
    for (const HeadShape &s : hs) {
        const std::string shape = fmt("b=%lld n=%lld h=%lld dh=%lld", (long long)s.b, (long long)s.n,
                                      (long long)s.h, (long long)s.dh);
        const int64_t per = s.b * s.n * s.h * s.dh;
        std::vector<float> qkv = uniform(rng, 3 * per, -1.0f, 1.0f), want(3 * per);
        Dev dqkv(qkv), dout(3 * per);
        int st = rp_split_heads_cpu(qkv.data(), want.data(), s.b, s.n, s.h, s.dh);
        check("rp_split_heads_cuda", shape, st, rp_split_heads_cuda(dqkv.ptr, dout.ptr, s.b, s.n, s.h, s.dh, nullptr),
              want, dout);

        std::vector<float> x = uniform(rng, per, -1.0f, 1.0f), mwant(per);
        Dev dx(x), dy(per);
        st = rp_merge_heads_cpu(x.data(), mwant.data(), s.b, s.h, s.n, s.dh);
        check("rp_merge_heads_cuda", shape, st, rp_merge_heads_cuda(dx.ptr, dy.ptr, s.b, s.h, s.n, s.dh, nullptr),
              mwant, dy);
    }

    std::vector<SelectShape> ss(std::begin(kSelectShapes), std::end(kSelectShapes));
    ss.push_back({8, 197, 768, 196});
    for (const SelectShape &s : ss) {
        std::vector<float> x = uniform(rng, s.b * s.n * s.d, -1.0f, 1.0f), want(s.b * s.d);
        Dev dx(x), dy((int64_t)want.size());
        int st = rp_select_token_cpu(x.data(), want.data(), s.b, s.n, s.d, s.index);
        check("rp_select_token_cuda",
              fmt("b=%lld n=%lld d=%lld index=%lld", (long long)s.b, (long long)s.n, (long long)s.d, (long long)s.index),
              st, rp_select_token_cuda(dx.ptr, dy.ptr, s.b, s.n, s.d, s.index, nullptr), want, dy);
    }
}

// ---- runtime API, streams, validation --------------------------------------------------------

static void test_runtime() {
    int count = -1;
    int st = rp_cuda_device_count(&count);
    tally.record(st == RP_OK && count > 0 && rp_has_cuda_kernels() == 1, "rp_cuda_device_count / rp_has_cuda_kernels",
                 fmt("status %s, count %d, has_cuda_kernels %d", rp_status_name(st), count, rp_has_cuda_kernels()));

    // a non-default stream: the kernel must run on it and rp_cuda_synchronize(stream) wait for it
    cudaStream_t stream = nullptr;
    cudaError_t err = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    if (err != cudaSuccess) die("cudaStreamCreate", err);
    const int64_t n = (int64_t(1) << 20) + 7;
    std::vector<float> x = uniform(rng, n, -3.0f, 3.0f), want(n);
    Dev dx(x), dy(n);
    // the non-blocking stream does not wait for the copies and memsets on the default stream
    err = cudaDeviceSynchronize();
    if (err != cudaSuccess) die("cudaDeviceSynchronize", err);
    int st_cpu = rp_relu_cpu(x.data(), want.data(), n);
    st = rp_relu_cuda(dx.ptr, dy.ptr, n, stream);
    int st_sync = rp_cuda_synchronize(stream);
    std::string detail = fmt("launch %s, synchronize %s", rp_status_name(st), rp_status_name(st_sync));
    bool ok = st_cpu == RP_OK && st == RP_OK && st_sync == RP_OK;
    if (ok) {
        std::vector<float> got = dy.get();
        ok = close(got.data(), want.data(), n, kAtol, kRtol, &detail);
    }
    tally.record(ok, "rp_relu_cuda on a non-default stream", detail);
    cudaStreamDestroy(stream);

    // validation is shared with the CPU twins; spot-check that the CUDA twins use it
    float *p = dx.ptr;
    st = rp_max_pool2d_cuda(p, p, 1, 1, 5, 5, 3, 3, 2, 2, 1, 1, 2, 3, nullptr);
    const char *msg = rp_last_error();
    tally.record(st == RP_ERR_INVALID_ARGUMENT && strstr(msg, "rp_max_pool2d_cuda") && strstr(msg, "oh"),
                 "rp_max_pool2d_cuda rejects wrong oh", fmt("%s: \"%s\"", rp_status_name(st), msg));
    st = rp_layernorm_cuda(p, p, nullptr, nullptr, 2, 3, -1.0f, nullptr);
    msg = rp_last_error();
    tally.record(st == RP_ERR_INVALID_ARGUMENT && strstr(msg, "rp_layernorm_cuda") && strstr(msg, "eps"),
                 "rp_layernorm_cuda rejects negative eps", fmt("%s: \"%s\"", rp_status_name(st), msg));
    st = rp_relu_cuda(nullptr, p, 5, nullptr);
    msg = rp_last_error();
    tally.record(st == RP_ERR_INVALID_ARGUMENT && strstr(msg, "rp_relu_cuda"), "rp_relu_cuda rejects NULL x",
                 fmt("%s: \"%s\"", rp_status_name(st), msg));
    st = rp_softmax_cuda(nullptr, nullptr, 0, 7, nullptr);
    tally.record(st == RP_OK, "rp_softmax_cuda on an empty tensor", rp_status_name(st));
}

// ---- LRP stages and structured masks -----------------------------------------------------------

static void test_lrp() {
    std::vector<LrpShape> shapes(std::begin(kLrpShapes), std::end(kLrpShapes));
    shapes.push_back({32, 64, 56 * 56, 1});     // a ResNet conv
    shapes.push_back({32 * 197, 768, 1, 197});  // a ViT-B/16 MLP layer, read out per image
    int set_index = 0;
    for (const auto &set : kSignalSets) {
        const int64_t k = (int64_t)set.size();
        std::vector<double> specs;
        for (const auto &sp : set) specs.insert(specs.end(), sp.begin(), sp.end());
        for (const LrpShape &sh : shapes) {
            const int64_t n = sh.outer * sh.c * sh.inner, groups = sh.outer / sh.group;
            std::vector<float> r = uniform(rng, n, -2.0f, 2.0f), z = uniform(rng, n, -3.0f, 3.0f);
            std::vector<float> u = uniform(rng, n, 0.0f, 4.0f), off = uniform(rng, n, -1.0f, 1.0f), bias = uniform(rng, sh.c, -1.0f, 1.0f);
            if (n > 1) z[1] = 0.0f;
            std::vector<float> s(n * k), sums(groups * sh.c), abs_sums(groups * sh.c);
            Dev dr(r), dz(z), du(u), doff(off), db(bias), ds(n * k), dsum(groups * sh.c), dabs(groups * sh.c);
            const std::string shape = fmt("rule %d outer=%lld c=%lld inner=%lld group=%lld", set_index, (long long)sh.outer, (long long)sh.c,
                                          (long long)sh.inner, (long long)sh.group);
            int st = rp_lrp_signals_cpu(r.data(), z.data(), u.data(), bias.data(), off.data(), specs.data(), k, sh.outer, sh.c, sh.inner,
                                        s.data(), sh.group, sums.data(), abs_sums.data());
            int stc = rp_lrp_signals_cuda(dr.ptr, dz.ptr, du.ptr, db.ptr, doff.ptr, specs.data(), k, sh.outer, sh.c, sh.inner, ds.ptr,
                                          sh.group, dsum.ptr, dabs.ptr, nullptr);
            check("rp_lrp_signals_cuda", shape, st, stc, s, ds);
            check("rp_lrp_signals_cuda sums", shape, st, stc, sums, dsum);
            check("rp_lrp_signals_cuda abs_sums", shape, st, stc, abs_sums, dabs);

            // combine the signals back with the x factors
            // (the z-box pair: x - low and x - high, when there are two signal blocks to reuse)
            const std::vector<double> terms = k == 1 ? std::vector<double>{0, 1}
                                              : set_index % 2 == 0 ? std::vector<double>{1, 1, 2, 1} : std::vector<double>{4, 3.0, 4, -3.0};
            const int64_t kt = (int64_t)terms.size() / 2;
            if (kt <= k) {
                std::vector<float> x = uniform(rng, n, -3.0f, 3.0f), out(n);
                Dev dx(x), dout(n);
                st = rp_lrp_combine_cpu(s.data(), x.data(), terms.data(), kt, sh.outer, sh.c, sh.inner, out.data());
                // the CPU's s as input on both sides: combine is tested on its own
                Dev dsin(s);
                check("rp_lrp_combine_cuda", shape, st,
                      rp_lrp_combine_cuda(dsin.ptr, dx.ptr, terms.data(), kt, sh.outer, sh.c, sh.inner, dout.ptr, nullptr), out, dout);
            }
        }
        set_index++;
    }
    std::vector<int64_t> sizes(std::begin(kElementwiseN), std::end(kElementwiseN));
    sizes.push_back((int64_t(1) << 22) + 3);
    for (int64_t n : sizes) {
        std::vector<float> num = uniform(rng, n, -2.0f, 2.0f), den = uniform(rng, n, -3.0f, 3.0f), x = uniform(rng, n, -1.0f, 1.0f), out(n);
        den[0] = 0.0f;
        Dev dnum(num), dden(den), dx(x), dout(n);
        const std::string shape = fmt("n=%lld", (long long)n);
        int st = rp_lrp_ratio_cpu(num.data(), den.data(), nullptr, out.data(), n, 0.25);
        check("rp_lrp_ratio_cuda", shape, st, rp_lrp_ratio_cuda(dnum.ptr, dden.ptr, nullptr, dout.ptr, n, 0.25, nullptr), out, dout);
        st = rp_lrp_ratio_cpu(num.data(), den.data(), x.data(), out.data(), n, 1e-6);
        check("rp_lrp_ratio_cuda", shape + " times x", st, rp_lrp_ratio_cuda(dnum.ptr, dden.ptr, dx.ptr, dout.ptr, n, 1e-6, nullptr), out, dout);
    }
    std::vector<PoolShape> pools(std::begin(kPoolShapes), std::end(kPoolShapes));
    pools.push_back({8, 64, 112, 112, 3, 3, 2, 2, 1, 1});
    for (const PoolShape &p : pools) {
        const int64_t oh = pool_out(p.h, p.kh, p.sh, p.ph), ow = pool_out(p.w, p.kw, p.sw, p.pw);
        const int64_t nx = p.n * p.c * p.h * p.w;
        // a coarse grid: ties are common and the first maximum must win; some -inf windows too
        std::vector<float> x(nx), r = uniform(rng, p.n * p.c * oh * ow, -1.0f, 1.0f), out(nx);
        std::uniform_int_distribution<int> grid(-4, 1);
        for (float &v : x) v = (float)grid(rng) - 0.5f;
        for (int64_t i = 0; i < nx; i += 7) x[i] = -INFINITY;
        Dev dx(x), dr(r), dout(nx);
        const std::string shape = fmt("n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld", (long long)p.n, (long long)p.c,
                                      (long long)p.h, (long long)p.w, (long long)p.kh, (long long)p.kw, (long long)p.sh, (long long)p.sw,
                                      (long long)p.ph, (long long)p.pw);
        int st = rp_lrp_max_pool2d_winners_cpu(x.data(), r.data(), out.data(), p.n, p.c, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, oh, ow);
        check("rp_lrp_max_pool2d_winners_cuda", shape, st,
              rp_lrp_max_pool2d_winners_cuda(dx.ptr, dr.ptr, dout.ptr, p.n, p.c, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, oh, ow, nullptr),
              out, dout);
    }
}

static void test_lrp_tensor_steps() {
    std::vector<PoolShape> pools(std::begin(kPoolShapes), std::end(kPoolShapes));
    pools.push_back({8, 64, 56, 56, 3, 3, 2, 2, 1, 1});
    for (const PoolShape &p : pools) {
        const int64_t oh = pool_out(p.h, p.kh, p.sh, p.ph), ow = pool_out(p.w, p.kw, p.sw, p.pw), nx = p.n * p.c * p.h * p.w;
        std::vector<float> g = uniform(rng, p.n * p.c * oh * ow, -2.0f, 2.0f), out(nx);
        Dev dg(g), dout(nx);
        const std::string shape = fmt("n=%lld c=%lld h=%lld w=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld", (long long)p.n, (long long)p.c,
                                      (long long)p.h, (long long)p.w, (long long)p.kh, (long long)p.kw, (long long)p.sh, (long long)p.sw,
                                      (long long)p.ph, (long long)p.pw);
        int st = rp_avg_pool2d_adjoint_cpu(g.data(), out.data(), p.n, p.c, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, oh, ow);
        check("rp_avg_pool2d_adjoint_cuda", shape, st,
              rp_avg_pool2d_adjoint_cuda(dg.ptr, dout.ptr, p.n, p.c, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, oh, ow, nullptr), out, dout);
    }
    std::vector<AdaptiveShape> ad(std::begin(kAdaptiveShapes), std::end(kAdaptiveShapes));
    ad.push_back({32, 2048, 7, 7, 1, 1});
    for (const AdaptiveShape &a : ad) {
        const int64_t nx = a.n * a.c * a.h * a.w;
        std::vector<float> g = uniform(rng, a.n * a.c * a.oh * a.ow, -2.0f, 2.0f), out(nx);
        Dev dg(g), dout(nx);
        const std::string shape = fmt("n=%lld c=%lld %lldx%lld -> %lldx%lld", (long long)a.n, (long long)a.c, (long long)a.h, (long long)a.w,
                                      (long long)a.oh, (long long)a.ow);
        int st = rp_adaptive_avg_pool2d_adjoint_cpu(g.data(), out.data(), a.n, a.c, a.h, a.w, a.oh, a.ow);
        check("rp_adaptive_avg_pool2d_adjoint_cuda", shape, st,
              rp_adaptive_avg_pool2d_adjoint_cuda(dg.ptr, dout.ptr, a.n, a.c, a.h, a.w, a.oh, a.ow, nullptr), out, dout);
    }
    std::vector<LrpShape> shapes(std::begin(kLrpShapes), std::end(kLrpShapes));
    shapes.push_back({32, 64, 56 * 56, 1});
    shapes.push_back({32 * 197, 768, 1, 197});
    for (const LrpShape &sh : shapes) {
        const int64_t n = sh.outer * sh.c * sh.inner, groups = sh.outer / sh.group;
        std::vector<float> x = uniform(rng, n, -2.0f, 2.0f), out(2 * n), sums(groups * sh.c), abs_sums(groups * sh.c);
        Dev dx(x), dout(2 * n), dsum(groups * sh.c), dabs(groups * sh.c);
        const std::string shape = fmt("outer=%lld c=%lld inner=%lld group=%lld", (long long)sh.outer, (long long)sh.c, (long long)sh.inner,
                                      (long long)sh.group);
        int st = rp_split_signs_cpu(x.data(), out.data(), sh.outer, sh.c, sh.inner);
        check("rp_split_signs_cuda", shape, st, rp_split_signs_cuda(dx.ptr, dout.ptr, sh.outer, sh.c, sh.inner, nullptr), out, dout);
        st = rp_feature_sums_cpu(x.data(), sh.outer, sh.c, sh.inner, sh.group, sums.data(), abs_sums.data());
        int stc = rp_feature_sums_cuda(dx.ptr, sh.outer, sh.c, sh.inner, sh.group, dsum.ptr, dabs.ptr, nullptr);
        check("rp_feature_sums_cuda sums", shape, st, stc, sums, dsum);
        check("rp_feature_sums_cuda abs_sums", shape, st, stc, abs_sums, dabs);
    }
    // the sign test: device flag, compared with the CPU twin's answer
    int *flag = nullptr;
    if (cudaMalloc(&flag, sizeof(int)) != cudaSuccess) die("cudaMalloc", cudaGetLastError());
    for (int variant = 0; variant < 4; variant++) {
        const int64_t n = (int64_t(1) << 20) + 7;
        std::vector<float> x = uniform(rng, n, 0.0f, 1.0f);
        if (variant == 1) x[n - 1] = -1e-30f;
        if (variant == 2) x[12345] = NAN;
        if (variant == 3) x[0] = -0.0f;
        Dev dx(x);
        int want = -1, got = -1;
        int st = rp_any_negative_cpu(x.data(), n, &want);
        int stc = rp_any_negative_cuda(dx.ptr, n, flag, nullptr);
        if (stc == RP_OK) stc = rp_cuda_synchronize(nullptr);
        if (stc == RP_OK && cudaMemcpy(&got, flag, sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess) got = -2;
        tally.record(st == RP_OK && stc == RP_OK && got == want, fmt("rp_any_negative_cuda variant %d", variant),
                     fmt("cpu %d, cuda %d (%s)", want, got, rp_status_name(stc)));
    }
    cudaFree(flag);
}

static void test_lrp_vit_steps() {
    std::vector<RowShape> rows(std::begin(kLayernormShapes), std::end(kLayernormShapes));
    rows.push_back({32 * 197, 768});
    for (const RowShape &sh : rows) {
        const int64_t n = sh.rows * sh.cols;
        std::vector<float> x = uniform(rng, n, -3.0f, 5.0f), gamma = uniform(rng, sh.cols, 0.5f, 1.5f), g = uniform(rng, n, -1.0f, 1.0f);
        std::vector<float> scale(n), out(n);
        Dev dx(x), dgamma(gamma), dg(g), dscale(n), dout(n);
        const std::string shape = fmt("rows=%lld cols=%lld", (long long)sh.rows, (long long)sh.cols);
        int st = rp_layernorm_scale_cpu(x.data(), gamma.data(), scale.data(), sh.rows, sh.cols, 1e-6f);
        check("rp_layernorm_scale_cuda", shape, st, rp_layernorm_scale_cuda(dx.ptr, dgamma.ptr, dscale.ptr, sh.rows, sh.cols, 1e-6f, nullptr), scale, dscale);
        Dev dscale_cpu(scale); // the adjoint on its own, from the same scale
        st = rp_layernorm_adjoint_cpu(g.data(), scale.data(), out.data(), sh.rows, sh.cols);
        check("rp_layernorm_adjoint_cuda", shape, st, rp_layernorm_adjoint_cuda(dg.ptr, dscale_cpu.ptr, dout.ptr, sh.rows, sh.cols, nullptr), out, dout);
    }
    std::vector<RowShape> srows(std::begin(kSoftmaxShapes), std::end(kSoftmaxShapes));
    srows.push_back({32 * 12 * 197, 197});
    for (const RowShape &sh : srows) {
        const int64_t n = sh.rows * sh.cols;
        std::vector<float> a = uniform(rng, n, 0.0f, 1.0f), ga = uniform(rng, n, -2.0f, 2.0f), out(n);
        Dev da(a), dga(ga), dout(n);
        int st = rp_softmax_adjoint_cpu(a.data(), ga.data(), out.data(), sh.rows, sh.cols);
        check("rp_softmax_adjoint_cuda", fmt("rows=%lld cols=%lld", (long long)sh.rows, (long long)sh.cols), st,
              rp_softmax_adjoint_cuda(da.ptr, dga.ptr, dout.ptr, sh.rows, sh.cols, nullptr), out, dout);
    }
    std::vector<HeadShape> heads(std::begin(kHeadShapes), std::end(kHeadShapes));
    heads.push_back({32, 197, 12, 64});
    for (const HeadShape &sh : heads) {
        const int64_t n1 = sh.b * sh.n * sh.h * sh.dh;
        std::vector<float> x = uniform(rng, n1, -1.0f, 1.0f), y(n1), parts = uniform(rng, 3 * n1, -1.0f, 1.0f), qkv(3 * n1);
        Dev dx(x), dy(n1), dparts(parts), dqkv(3 * n1);
        const std::string shape = fmt("b=%lld n=%lld h=%lld dh=%lld", (long long)sh.b, (long long)sh.n, (long long)sh.h, (long long)sh.dh);
        int st = rp_unmerge_heads_cpu(x.data(), y.data(), sh.b, sh.h, sh.n, sh.dh);
        check("rp_unmerge_heads_cuda", shape, st, rp_unmerge_heads_cuda(dx.ptr, dy.ptr, sh.b, sh.h, sh.n, sh.dh, nullptr), y, dy);
        st = rp_merge_qkv_cpu(parts.data(), qkv.data(), sh.b, sh.n, sh.h, sh.dh);
        check("rp_merge_qkv_cuda", shape, st, rp_merge_qkv_cuda(dparts.ptr, dqkv.ptr, sh.b, sh.n, sh.h, sh.dh, nullptr), qkv, dqkv);
    }
    std::vector<EmbedShape> es(std::begin(kEmbedShapes), std::end(kEmbedShapes));
    es.push_back({32, 768, 196});
    for (const EmbedShape &sh : es) {
        std::vector<float> tokens = uniform(rng, sh.b * (1 + sh.g) * sh.d, -1.0f, 1.0f), grid(sh.b * sh.d * sh.g);
        Dev dt(tokens), dgrid(sh.b * sh.d * sh.g);
        int st = rp_tokens_to_grid_cpu(tokens.data(), grid.data(), sh.b, sh.d, sh.g);
        check("rp_tokens_to_grid_cuda", fmt("b=%lld d=%lld g=%lld", (long long)sh.b, (long long)sh.d, (long long)sh.g), st,
              rp_tokens_to_grid_cuda(dt.ptr, dgrid.ptr, sh.b, sh.d, sh.g, nullptr), grid, dgrid);
    }
}

static void test_channel_mask() {
    struct MaskShape { int64_t groups, batch, c, inner; };
    const MaskShape shapes[] = {{1, 1, 1, 1}, {3, 2, 5, 7}, {20, 4, 6, 1}, {2, 3, 33, 129}, {20, 256, 64, 56 * 56 / 16}};
    for (const MaskShape &m : shapes) {
        const int64_t n = m.groups * m.batch * m.c * m.inner;
        std::vector<float> x = uniform(rng, n, -3.0f, 3.0f), y(n), mask = uniform(rng, m.groups * m.c, 0.0f, 1.0f);
        for (float &v : mask) v = v < 0.4f ? 0.0f : v < 0.9f ? 1.0f : v;
        Dev dx(x), dy(n), dmask(mask);
        const std::string shape = fmt("groups=%lld batch=%lld c=%lld inner=%lld", (long long)m.groups, (long long)m.batch, (long long)m.c,
                                      (long long)m.inner);
        int st = rp_channel_mask_cpu(x.data(), y.data(), mask.data(), m.groups, m.batch, m.c, m.inner);
        check("rp_channel_mask_cuda", shape, st, rp_channel_mask_cuda(dx.ptr, dy.ptr, dmask.ptr, m.groups, m.batch, m.c, m.inner, nullptr), y, dy);
        // in place, as the curve evaluation calls it
        check("rp_channel_mask_cuda", shape + " in place", st, rp_channel_mask_cuda(dx.ptr, dx.ptr, dmask.ptr, m.groups, m.batch, m.c, m.inner, nullptr),
              y, dx);
    }
}

static void test_gather_features() {
    struct GatherShape { int64_t outer, c_in, c_out, inner; };
    const GatherShape shapes[] = {{1, 1, 1, 1}, {3, 7, 4, 1}, {2, 5, 9, 7}, {256 * 8 * 8, 64, 40, 1}, {256, 64, 70, 64}};
    for (const GatherShape &g : shapes) {
        std::vector<float> x = uniform(rng, g.outer * g.c_in * g.inner, -2.0f, 2.0f), y((size_t)(g.outer * g.c_out * g.inner));
        std::vector<int64_t> index((size_t)g.c_out);
        for (int64_t j = 0; j < g.c_out; j++) index[j] = j % 5 == 2 ? -1 : (j * 7) % g.c_in;
        Dev dx(x), dy(g.outer * g.c_out * g.inner);
        int64_t *dindex = nullptr;
        cudaError_t err = cudaMalloc(&dindex, index.size() * sizeof(int64_t) + 8);
        if (err != cudaSuccess) die("cudaMalloc", err);
        err = cudaMemcpy(dindex, index.data(), index.size() * sizeof(int64_t), cudaMemcpyHostToDevice);
        if (err != cudaSuccess) die("cudaMemcpy to device", err);
        const std::string shape = fmt("outer=%lld c_in=%lld c_out=%lld inner=%lld", (long long)g.outer, (long long)g.c_in, (long long)g.c_out,
                                      (long long)g.inner);
        int st = rp_gather_features_cpu(x.data(), y.data(), index.data(), g.outer, g.c_in, g.c_out, g.inner);
        check("rp_gather_features_cuda", shape, st, rp_gather_features_cuda(dx.ptr, dy.ptr, dindex, g.outer, g.c_in, g.c_out, g.inner, nullptr), y, dy);
        cudaFree(dindex);
    }
}

// bf16 storage: bit-identical to the CPU twins, both ways, on random values (several
// magnitudes), exact ties, infinities, NaN and the largest float (rounds to infinity)
static void test_bf16() {
    std::vector<float> x = uniform(rng, 100003, -50.0f, 50.0f);
    for (int64_t i = 0; i < 3000; i++) x[i] = ldexpf(x[i], (int)(i % 250) - 130);
    const float special[] = {0.0f, -0.0f, 1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, INFINITY, -INFINITY, FLT_MAX, NAN, 0x1p-149f};
    x.insert(x.end(), std::begin(special), std::end(special));
    const int64_t n = (int64_t)x.size();
    std::vector<uint16_t> want(n), got(n);
    std::vector<float> wide(n), wide_got(n);
    Dev dx(x), dh(n), dw(n); // dh holds n bf16 in the first half of its bytes
    int st = rp_f32_to_bf16_cpu(x.data(), want.data(), n);
    int stc = rp_f32_to_bf16_cuda(dx.ptr, (uint16_t *)dh.ptr, n, nullptr);
    if (stc == RP_OK) stc = rp_cuda_synchronize(nullptr);
    if (stc == RP_OK && cudaMemcpy(got.data(), dh.ptr, n * sizeof(uint16_t), cudaMemcpyDeviceToHost) != cudaSuccess) stc = RP_ERR_CUDA;
    int64_t diff = -1;
    for (int64_t i = 0; st == RP_OK && stc == RP_OK && i < n && diff < 0; i++) if (got[i] != want[i]) diff = i;
    tally.record(st == RP_OK && stc == RP_OK && diff < 0, fmt("rp_f32_to_bf16_cuda n=%lld", (long long)n),
                 diff >= 0 ? fmt("element %lld: x %a, cuda 0x%04x, cpu 0x%04x", (long long)diff, x[diff], got[diff], want[diff])
                           : std::string(rp_status_name(stc)));
    st = rp_bf16_to_f32_cpu(want.data(), wide.data(), n);
    if (cudaMemcpy(dh.ptr, want.data(), n * sizeof(uint16_t), cudaMemcpyHostToDevice) != cudaSuccess) stc = RP_ERR_CUDA;
    else stc = rp_bf16_to_f32_cuda((const uint16_t *)dh.ptr, dw.ptr, n, nullptr);
    if (stc == RP_OK) stc = rp_cuda_synchronize(nullptr);
    if (stc == RP_OK) wide_got = dw.get();
    bool same = st == RP_OK && stc == RP_OK && memcmp(wide.data(), wide_got.data(), n * sizeof(float)) == 0;
    tally.record(same, fmt("rp_bf16_to_f32_cuda n=%lld", (long long)n), rp_status_name(stc));
}

int main() {
    int devices = 0;
    const cudaError_t err = cudaGetDeviceCount(&devices);
    if (err != cudaSuccess || devices == 0) {
        printf("SKIPPED: no CUDA device (%s)\n", err != cudaSuccess ? cudaGetErrorString(err) : "0 devices");
        return 77;
    }
    cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess)
        printf("device 0: %s (sm_%d%d)\n", prop.name, prop.major, prop.minor);

    test_runtime();
    test_elementwise();
    test_channel_affine();
    test_norm();
    test_pool();
    test_vit_layout();
    test_lrp();
    test_lrp_tensor_steps();
    test_lrp_vit_steps();
    test_channel_mask();
    test_gather_features();
    test_bf16();
    return tally.finish();
}
