// The kernel thread pool behind rp::parallel_for (parallel.h) and rp_set_num_threads.
#include "parallel.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "../common/rp_check.h"

namespace {

class Pool {
  public:
    int size() {
        std::lock_guard<std::mutex> lock(call_);
        return (int)workers_.size() + 1;
    }

    void resize(int threads) {
        std::lock_guard<std::mutex> lock(call_);
        stop_workers();
        // new workers wait for the next loop, not the last one
        const uint64_t current = generation_;
        for (int t = 1; t < threads; t++) workers_.emplace_back([this, t, current] { work(t, current); });
    }

    // false when the pool is busy (another caller, or a range calling back in): the caller then
    // runs the loop itself
    bool run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)> &body) {
        std::unique_lock<std::mutex> call(call_, std::try_to_lock);
        if (!call.owns_lock() || in_range_) return false;
        int64_t ranges = (int64_t)workers_.size() + 1;
        if (grain < 1) grain = 1;
        if (ranges > n / grain) ranges = n / grain;
        if (ranges < 2) return false;
        {
            std::lock_guard<std::mutex> lock(m_);
            body_ = &body;
            n_ = n;
            ranges_ = ranges;
            pending_ = ranges - 1;
            error_ = nullptr;
            generation_++;
        }
        wake_.notify_all();
        run_range(0);
        std::unique_lock<std::mutex> lock(m_);
        done_.wait(lock, [this] { return pending_ == 0; });
        body_ = nullptr;
        if (error_) std::rethrow_exception(error_);
        return true;
    }

  private:
    void run_range(int64_t r) {
        const int64_t begin = n_ * r / ranges_, end = n_ * (r + 1) / ranges_;
        in_range_ = true;
        try {
            (*body_)(begin, end);
        } catch (...) {
            std::lock_guard<std::mutex> lock(m_);
            if (!error_) error_ = std::current_exception();
        }
        in_range_ = false;
    }

    void work(int index, uint64_t seen) {
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(m_);
                wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
                if (stop_) return;
                seen = generation_;
                if (index >= ranges_) continue; // not needed for this loop
            }
            run_range(index);
            std::lock_guard<std::mutex> lock(m_);
            if (--pending_ == 0) done_.notify_one();
        }
    }

    void stop_workers() {
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        wake_.notify_all();
        for (auto &w : workers_) w.join();
        workers_.clear();
        stop_ = false;
    }

    std::mutex call_; // one loop at a time
    std::mutex m_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> workers_;
    const std::function<void(int64_t, int64_t)> *body_ = nullptr;
    int64_t n_ = 0, ranges_ = 0, pending_ = 0;
    uint64_t generation_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
    static thread_local bool in_range_;
};

thread_local bool Pool::in_range_ = false;

// never destroyed: its threads must outlive every kernel call, also during the JVM's shutdown
Pool &pool() {
    static Pool *p = new Pool;
    return *p;
}

} // namespace

namespace rp {

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)> &body) {
    if (n <= 0) return;
    if (!pool().run(n, grain, body)) body(0, n);
}

} // namespace rp

int rp_set_num_threads(int threads) try {
    if (threads < 1 || threads > 1024) {
        rp_set_error("rp_set_num_threads: threads must be in [1, 1024], got %d", threads);
        return RP_ERR_INVALID_ARGUMENT;
    }
    pool().resize(threads);
    return RP_OK;
} catch (...) {
    return rp_internal_error("rp_set_num_threads");
}

int rp_get_num_threads(void) { return pool().size(); }
