// draw.cpp - drawing: mutates the mat IN PLACE and returns nothing.
//
// Coordinates are pixels, x = column, y = row, origin top-left; shapes that
// leave the image are clipped. Lines are 8-connected (cv::LINE_8), text is
// cv::FONT_HERSHEY_SIMPLEX. thickness -1 fills rectangles and circles.
#include <string>

#include <opencv2/imgproc.hpp>

#include "common.hpp"

using namespace rt_opencv;

namespace {

constexpr int64_t kCoord = 1 << 24;  // |x|, |y|, radius limit (OpenCV works in int)

cv::Point point(int64_t x, int64_t y) {
    return cv::Point(as_int(x, "x", -kCoord, kCoord), as_int(y, "y", -kCoord, kCoord));
}

int thickness(int64_t t, bool fill_ok) {
    if (t == -1 && fill_ok) return cv::FILLED;
    return as_int(t, fill_ok ? "thickness (1..255, or -1 to fill)" : "thickness", 1, 255);
}

}  // namespace

extern "C" {

void rt_opencv_rectangle(int64_t handle, int64_t x1, int64_t y1, int64_t x2, int64_t y2,
                         const double *rgb, int64_t rgb_len, int64_t thick) {
    call_void("rt_opencv_rectangle", [&] {
        cv::Mat &m = mat(handle);
        cv::rectangle(m, point(x1, y1), point(x2, y2), color(rgb, rgb_len), thickness(thick, true), cv::LINE_8);
    });
}

void rt_opencv_circle(int64_t handle, int64_t cx, int64_t cy, int64_t radius,
                      const double *rgb, int64_t rgb_len, int64_t thick) {
    call_void("rt_opencv_circle", [&] {
        cv::Mat &m = mat(handle);
        int r = as_int(radius, "radius", 0, kCoord);
        cv::circle(m, point(cx, cy), r, color(rgb, rgb_len), thickness(thick, true), cv::LINE_8);
    });
}

void rt_opencv_line(int64_t handle, int64_t x1, int64_t y1, int64_t x2, int64_t y2,
                    const double *rgb, int64_t rgb_len, int64_t thick) {
    call_void("rt_opencv_line", [&] {
        cv::Mat &m = mat(handle);
        cv::line(m, point(x1, y1), point(x2, y2), color(rgb, rgb_len), thickness(thick, false), cv::LINE_8);
    });
}

void rt_opencv_put_text(int64_t handle, const char *text, int64_t x, int64_t y, double scale,
                        const double *rgb, int64_t rgb_len, int64_t thick) {
    call_void("rt_opencv_put_text", [&] {
        cv::Mat &m = mat(handle);
        if (!(scale > 0 && scale <= 100)) throw sffi::Error("scale must be in (0, 100]");
        cv::putText(m, text ? text : "", point(x, y), cv::FONT_HERSHEY_SIMPLEX, scale, color(rgb, rgb_len),
                    thickness(thick, false), cv::LINE_8);
    });
}

}  // extern "C"
