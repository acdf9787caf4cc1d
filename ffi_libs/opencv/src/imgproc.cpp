// imgproc.cpp - operations that return a NEW mat handle, and statistics.
#include <climits>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "common.hpp"

using namespace rt_opencv;

namespace {

struct Named {
    const char *name;
    int value;
};

// Color conversions offered by rt_opencv_cvt_color, with the input channel
// counts OpenCV accepts for each (8-bit images).
struct Conversion {
    const char *name;
    int code;
    int in_lo, in_hi;  // accepted input channels
};

const Conversion kConversions[] = {
    {"BGR2GRAY", cv::COLOR_BGR2GRAY, 3, 4},   {"RGB2GRAY", cv::COLOR_RGB2GRAY, 3, 4},
    {"BGRA2GRAY", cv::COLOR_BGRA2GRAY, 3, 4}, {"RGBA2GRAY", cv::COLOR_RGBA2GRAY, 3, 4},
    {"GRAY2BGR", cv::COLOR_GRAY2BGR, 1, 1},   {"GRAY2RGB", cv::COLOR_GRAY2RGB, 1, 1},
    {"GRAY2BGRA", cv::COLOR_GRAY2BGRA, 1, 1}, {"GRAY2RGBA", cv::COLOR_GRAY2RGBA, 1, 1},
    {"BGR2RGB", cv::COLOR_BGR2RGB, 3, 4},     {"RGB2BGR", cv::COLOR_RGB2BGR, 3, 4},
    {"BGR2BGRA", cv::COLOR_BGR2BGRA, 3, 4},   {"BGRA2BGR", cv::COLOR_BGRA2BGR, 3, 4},
    {"RGB2RGBA", cv::COLOR_RGB2RGBA, 3, 4},   {"RGBA2RGB", cv::COLOR_RGBA2RGB, 3, 4},
    {"BGR2RGBA", cv::COLOR_BGR2RGBA, 3, 4},   {"RGBA2BGR", cv::COLOR_RGBA2BGR, 3, 4},
    {"BGRA2RGBA", cv::COLOR_BGRA2RGBA, 3, 4}, {"RGBA2BGRA", cv::COLOR_RGBA2BGRA, 3, 4},
    {"BGR2HSV", cv::COLOR_BGR2HSV, 3, 4},     {"RGB2HSV", cv::COLOR_RGB2HSV, 3, 4},
    {"HSV2BGR", cv::COLOR_HSV2BGR, 3, 3},     {"HSV2RGB", cv::COLOR_HSV2RGB, 3, 3},
    {"BGR2HSV_FULL", cv::COLOR_BGR2HSV_FULL, 3, 4}, {"HSV2BGR_FULL", cv::COLOR_HSV2BGR_FULL, 3, 3},
    {"BGR2HLS", cv::COLOR_BGR2HLS, 3, 4},     {"HLS2BGR", cv::COLOR_HLS2BGR, 3, 3},
    {"BGR2LAB", cv::COLOR_BGR2Lab, 3, 4},     {"LAB2BGR", cv::COLOR_Lab2BGR, 3, 3},
    {"RGB2LAB", cv::COLOR_RGB2Lab, 3, 4},     {"LAB2RGB", cv::COLOR_Lab2RGB, 3, 3},
    {"BGR2LUV", cv::COLOR_BGR2Luv, 3, 4},     {"LUV2BGR", cv::COLOR_Luv2BGR, 3, 3},
    {"BGR2YCRCB", cv::COLOR_BGR2YCrCb, 3, 4}, {"YCRCB2BGR", cv::COLOR_YCrCb2BGR, 3, 3},
    {"BGR2YUV", cv::COLOR_BGR2YUV, 3, 4},     {"YUV2BGR", cv::COLOR_YUV2BGR, 3, 3},
    {"BGR2XYZ", cv::COLOR_BGR2XYZ, 3, 4},     {"XYZ2BGR", cv::COLOR_XYZ2BGR, 3, 3},
};

const Named kInterpolations[] = {
    {"NEAREST", cv::INTER_NEAREST}, {"LINEAR", cv::INTER_LINEAR}, {"CUBIC", cv::INTER_CUBIC},
    {"AREA", cv::INTER_AREA}, {"LANCZOS4", cv::INTER_LANCZOS4},
    {"LINEAR_EXACT", cv::INTER_LINEAR_EXACT}, {"NEAREST_EXACT", cv::INTER_NEAREST_EXACT},
};

const Named kThresholdTypes[] = {
    {"BINARY", cv::THRESH_BINARY}, {"BINARY_INV", cv::THRESH_BINARY_INV}, {"TRUNC", cv::THRESH_TRUNC},
    {"TOZERO", cv::THRESH_TOZERO}, {"TOZERO_INV", cv::THRESH_TOZERO_INV},
};

const Named kThresholdFlags[] = {{"OTSU", cv::THRESH_OTSU}, {"TRIANGLE", cv::THRESH_TRIANGLE}};

template <typename T, size_t N>
std::string names_of(const T (&table)[N]) {
    std::string out;
    for (const T &t : table) {
        if (!out.empty()) out += ", ";
        out += t.name;
    }
    return out;
}

std::string upper(const char *s) {
    std::string out = s ? s : "";
    for (char &c : out) c = char(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return out;
}

template <size_t N>
int lookup(const Named (&table)[N], const std::string &name, const char *what) {
    for (const Named &n : table)
        if (name == n.name) return n.value;
    throw sffi::Error("unknown " + std::string(what) + " '" + name + "' (valid: " + names_of(table) + ")");
}

// "BINARY", "OTSU" (= BINARY+OTSU), "BINARY_INV+OTSU", "TOZERO|TRIANGLE" ...
int threshold_type(const char *text, bool &automatic) {
    const std::string all = upper(text);
    int type = -1, flag = 0;
    size_t start = 0;
    while (start <= all.size()) {
        size_t end = all.find_first_of("+|", start);
        std::string part = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
        bool known = false;
        for (const Named &f : kThresholdFlags)
            if (part == f.name) {
                if (flag) throw sffi::Error("threshold type '" + all + "' names both OTSU and TRIANGLE");
                flag = f.value;
                known = true;
            }
        if (!known) {
            for (const Named &t : kThresholdTypes)
                if (part == t.name) {
                    if (type >= 0) throw sffi::Error("threshold type '" + all + "' names two types");
                    type = t.value;
                    known = true;
                }
        }
        if (!known)
            throw sffi::Error("unknown threshold type '" + part + "' (valid: " + names_of(kThresholdTypes) +
                              ", optionally joined with +OTSU or +TRIANGLE, e.g. 'BINARY+OTSU'; 'OTSU' alone means BINARY+OTSU)");
        if (end == std::string::npos) break;
        start = end + 1;
    }
    automatic = flag != 0;
    return (type < 0 ? cv::THRESH_BINARY : type) | flag;
}

int64_t concat(const char *name, int64_t a, int64_t b, bool horizontal) {
    return call<int64_t>(name, 0, [&] {
        const cv::Mat &left = mat(a);
        const cv::Mat &right = mat(b);
        if (left.channels() != right.channels())
            throw sffi::Error("images differ in channels (" + std::to_string(left.channels()) + " and " +
                              std::to_string(right.channels()) + "); convert one with rt_opencv_cvt_color");
        if (horizontal && left.rows != right.rows)
            throw sffi::Error("images differ in rows (" + std::to_string(left.rows) + " and " +
                              std::to_string(right.rows) + "); resize one first");
        if (!horizontal && left.cols != right.cols)
            throw sffi::Error("images differ in cols (" + std::to_string(left.cols) + " and " +
                              std::to_string(right.cols) + "); resize one first");
        cv::Mat dst;
        if (horizontal) cv::hconcat(left, right, dst);
        else cv::vconcat(left, right, dst);
        return keep(std::move(dst));
    });
}

}  // namespace

extern "C" {

int64_t rt_opencv_resize(int64_t handle, int64_t width, int64_t height, const char *interpolation) {
    return call<int64_t>("rt_opencv_resize", 0, [&] {
        const cv::Mat &src = mat(handle);
        int w = as_int(width, "width", 1, 1 << 20);
        int h = as_int(height, "height", 1, 1 << 20);
        if (int64_t(w) * h * src.channels() > (int64_t(1) << 31))
            throw sffi::Error("resized image would be larger than the 2 GiB limit");
        int interp = lookup(kInterpolations, upper(interpolation), "interpolation");
        cv::Mat dst;
        cv::resize(src, dst, cv::Size(w, h), 0, 0, interp);
        return keep(std::move(dst));
    });
}

int64_t rt_opencv_cvt_color(int64_t handle, const char *code) {
    return call<int64_t>("rt_opencv_cvt_color", 0, [&]() -> int64_t {
        const cv::Mat &src = mat(handle);
        const std::string name = upper(code);
        for (const Conversion &c : kConversions) {
            if (name != c.name) continue;
            int cn = src.channels();
            if (cn < c.in_lo || cn > c.in_hi)
                throw sffi::Error(name + " needs an image of " +
                                  (c.in_lo == c.in_hi ? channels_text(c.in_lo)
                                                      : std::to_string(c.in_lo) + " or " + channels_text(c.in_hi)) +
                                  ", got " + channels_text(cn));
            cv::Mat dst;
            cv::cvtColor(src, dst, c.code);
            return keep(std::move(dst));
        }
        throw sffi::Error("unknown conversion code '" + std::string(code ? code : "") +
                          "' (valid: " + names_of(kConversions) + ")");
    });
}

int64_t rt_opencv_gaussian_blur(int64_t handle, int64_t ksize, double sigma) {
    return call<int64_t>("rt_opencv_gaussian_blur", 0, [&] {
        const cv::Mat &src = mat(handle);
        if (!std::isfinite(sigma)) throw sffi::Error("sigma is not a finite number");
        // Range only; OpenCV itself rejects an even or non-positive size
        // (ksize 0 with sigma > 0 lets OpenCV compute the size from sigma).
        int k = as_int(ksize, "ksize", -(1 << 20), 1 << 20);
        cv::Mat dst;
        cv::GaussianBlur(src, dst, cv::Size(k, k), sigma, sigma);
        return keep(std::move(dst));
    });
}

int64_t rt_opencv_canny(int64_t handle, double threshold1, double threshold2) {
    return call<int64_t>("rt_opencv_canny", 0, [&] {
        const cv::Mat &src = mat(handle);
        if (!std::isfinite(threshold1) || !std::isfinite(threshold2))
            throw sffi::Error("thresholds must be finite numbers");
        cv::Mat dst;
        cv::Canny(src, dst, threshold1, threshold2);
        return keep(std::move(dst));
    });
}

int64_t rt_opencv_threshold(int64_t handle, double thresh, double maxval, const char *type) {
    return call<int64_t>("rt_opencv_threshold", 0, [&] {
        const cv::Mat &src = mat(handle);
        if (!std::isfinite(thresh) || !std::isfinite(maxval))
            throw sffi::Error("thresh and maxval must be finite numbers");
        bool automatic = false;
        int t = threshold_type(type, automatic);
        if (automatic && src.channels() != 1)
            throw sffi::Error(std::string("OTSU and TRIANGLE need a 1-channel image, got ") + channels_text(src.channels()));
        cv::Mat dst;
        cv::threshold(src, dst, thresh, maxval, t);
        return keep(std::move(dst));
    });
}

int64_t rt_opencv_count_non_zero(int64_t handle) {
    return call<int64_t>("rt_opencv_count_non_zero", 0, [&] {
        const cv::Mat &src = mat(handle);
        if (src.channels() != 1)
            throw sffi::Error("count_non_zero needs a 1-channel image, got " + channels_text(src.channels()) +
                              " (convert with rt_opencv_cvt_color first)");
        return int64_t(cv::countNonZero(src));
    });
}

sffi_f64_slice rt_opencv_mean(int64_t handle) {
    return call<sffi_f64_slice>("rt_opencv_mean", sffi_f64_slice{nullptr, 0}, [&] {
        const cv::Mat &src = mat(handle);
        cv::Scalar m = cv::mean(src);
        std::vector<double> out(m.val, m.val + src.channels());
        return results().set_f64s(std::move(out));
    });
}

sffi_f64_slice rt_opencv_min_max(int64_t handle) {
    return call<sffi_f64_slice>("rt_opencv_min_max", sffi_f64_slice{nullptr, 0}, [&] {
        const cv::Mat &src = mat(handle);
        double lo = 0, hi = 0;
        // Over every element of every channel (minMaxLoc takes one channel).
        cv::minMaxLoc(src.reshape(1), &lo, &hi);
        return results().set_f64s({lo, hi});
    });
}

int64_t rt_opencv_hconcat(int64_t left, int64_t right) {
    return concat("rt_opencv_hconcat", left, right, true);
}

int64_t rt_opencv_vconcat(int64_t top, int64_t bottom) {
    return concat("rt_opencv_vconcat", top, bottom, false);
}

}  // extern "C"
