// common.hpp - shared pieces of the opencv FFI library (docs/opencv.md).
//
// Every image crosses the C boundary as an i64 handle into one HandleTable of
// cv::Mat. Every mat the library creates is 8-bit (CV_8UC1..CV_8UC4); the
// helpers below check that, and turn OpenCV's own exceptions into short
// messages before sffi::guard reports them with sffi_set_error.
#ifndef RT_OPENCV_COMMON_HPP
#define RT_OPENCV_COMMON_HPP

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "sffi_abi.h"
#include "sffi_cxx.hpp"

namespace rt_opencv {

// The one table of live mats ("mat" handles, tag 0x4f43 = "OC").
sffi::HandleTable<cv::Mat> &mats();

// Per-thread storage for text and array results.
sffi::ResultBuffer &results();

// The mat behind a handle: throws sffi::Error for an unknown/freed handle.
cv::Mat &mat(int64_t handle);

// Store a new mat and return its handle; the mat must be 8-bit, 1..4 channels.
int64_t keep(cv::Mat m);

// An integer argument that OpenCV takes as int: throws unless lo <= v <= hi.
int as_int(int64_t v, const char *what, int64_t lo, int64_t hi);

// A BGR(A) color from a [f64] argument of 1..4 values.
cv::Scalar color(const double *data, int64_t len);

// "1 channel" / "3 channels".
std::string channels_text(int n);

// Short message for a cv::Exception: OpenCV's own description and function,
// without the build path and version banner.
std::string trim(const cv::Exception &e);

// sffi::guard that first turns a cv::Exception into its trimmed message.
template <typename R, typename F>
R call(const char *name, R fallback, F &&fn) noexcept {
    return sffi::guard<R>(name, fallback, [&]() -> R {
        try {
            return fn();
        } catch (const cv::Exception &e) {
            throw sffi::Error(trim(e));
        }
    });
}

template <typename F>
void call_void(const char *name, F &&fn) noexcept {
    call<int>(name, 0, [&] { fn(); return 0; });
}

}  // namespace rt_opencv

#endif  // RT_OPENCV_COMMON_HPP
