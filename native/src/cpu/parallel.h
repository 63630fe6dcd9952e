// The CPU kernels' threads: a small pool of our own (std::thread, no OpenMP: libtorch brings its
// own OpenMP runtime into the process, and a second one there is trouble). Libtorch's threads
// and ours take turns (a kernel call and a libtorch call never overlap on one Java thread), and
// both sleep while idle (GOMP_SPINCOUNT=0 for libtorch's; a condition variable for ours).
#ifndef RP_PARALLEL_H
#define RP_PARALLEL_H

#include <stdint.h>

#include <functional>

namespace rp {

// Runs body(begin, end) over disjoint contiguous ranges that cover [0, n), on up to the pool's
// threads (the calling thread takes a range too) and returns when all are done. A range holds at
// least `grain` items; a small n, a pool of one, a call from inside a range, or a call while
// another thread holds the pool run body(0, n) on the calling thread. An exception of any
// range is rethrown here (the first one) after every range has finished.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)> &body);

// Work items per range below which splitting costs more than it saves, for loops that do a few
// arithmetic operations per element.
constexpr int64_t kElementGrain = 1 << 15;

} // namespace rp

#endif
