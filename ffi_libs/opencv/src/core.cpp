// core.cpp - handles, version, image files and element access.
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common.hpp"

namespace rt_opencv {

namespace {

// OpenCV logs warnings on stderr for files it cannot open or decode; the
// library reports those as script errors instead, so quiet the logger once,
// unless the user asked for a level with OPENCV_LOG_LEVEL.
void quiet_logging() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (std::getenv("OPENCV_LOG_LEVEL") == nullptr)
            cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    });
}

// Largest mat the library creates, in bytes (rows * cols * channels).
constexpr int64_t kMaxBytes = int64_t(1) << 31;

std::string collapse(const std::string &s) {
    // OpenCV's multi-line messages ("> Invalid number ...\n> where\n> ...")
    // become one line.
    std::string out;
    bool space = false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\n' || c == '\r' || c == '\t') { space = !out.empty(); continue; }
        if (c == '>' && (i == 0 || s[i - 1] == '\n') ) { space = !out.empty(); continue; }
        if (c == ' ' && (out.empty() || space)) continue;
        if (space) { out += ' '; space = false; }
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string short_function(const std::string &func) {
    // "cv::impl::{anonymous}::CvtHelper<VScn, ...>::CvtHelper(...) [with ...]"
    // -> "cv::impl::{anonymous}::CvtHelper::CvtHelper"
    std::string out;
    int depth = 0;
    for (char c : func) {
        if (c == '(' && depth == 0) break;
        if (c == '<') { ++depth; continue; }
        if (c == '>') { if (depth > 0) --depth; continue; }
        if (depth == 0) out += c;
    }
    size_t space = out.rfind(' ');  // drop a return type
    if (space != std::string::npos) out = out.substr(space + 1);
    return out;
}

}  // namespace

sffi::HandleTable<cv::Mat> &mats() {
    static sffi::HandleTable<cv::Mat> table("mat", 0x4f43);
    return table;
}

sffi::ResultBuffer &results() {
    thread_local sffi::ResultBuffer buffer;
    return buffer;
}

cv::Mat &mat(int64_t handle) { return mats().get(handle); }

int64_t keep(cv::Mat m) {
    if (m.empty()) throw sffi::Error("OpenCV returned an empty image");
    if (m.depth() != CV_8U || m.channels() < 1 || m.channels() > 4 || m.dims != 2)
        throw sffi::Error("OpenCV returned a mat of type " + cv::typeToString(m.type()) +
                          "; this library holds 8-bit images of 1 to 4 channels only");
    return mats().insert(std::move(m));
}

int as_int(int64_t v, const char *what, int64_t lo, int64_t hi) {
    if (v < lo || v > hi)
        throw sffi::Error(std::string(what) + " " + std::to_string(v) + " is out of range " +
                          std::to_string(lo) + ".." + std::to_string(hi));
    return int(v);
}

cv::Scalar color(const double *data, int64_t len) {
    if (len < 1 || len > 4 || data == nullptr)
        throw sffi::Error("a color is 1 to 4 numbers (B, G, R[, A]; one for gray), got " +
                          std::to_string(len));
    cv::Scalar s(0, 0, 0, 0);
    for (int64_t i = 0; i < len; ++i) {
        if (!std::isfinite(data[i])) throw sffi::Error("color component " + std::to_string(i) + " is not a finite number");
        s[int(i)] = data[i];
    }
    return s;
}

std::string channels_text(int n) {
    return std::to_string(n) + (n == 1 ? " channel" : " channels");
}

std::string trim(const cv::Exception &e) {
    std::string text = "OpenCV: ";
    if (e.code == cv::Error::StsAssert) text += "assertion failed: ";
    text += collapse(e.err);
    std::string func = short_function(e.func);
    if (!func.empty()) text += " (in " + func + ")";
    return text;
}

}  // namespace rt_opencv

using namespace rt_opencv;

namespace {

int64_t imread_with(const char *name, const char *path, int flags) {
    return call<int64_t>(name, 0, [&]() -> int64_t {
        if (path == nullptr || *path == '\0') throw sffi::Error("empty path");
        quiet_logging();
        // Say why a file cannot be opened (imread only returns an empty mat).
        std::FILE *f = std::fopen(path, "rb");
        if (f == nullptr)
            throw sffi::Error(std::string("cannot read image '") + path + "': " + std::strerror(errno));
        std::fclose(f);
        cv::Mat m = cv::imread(path, flags);
        if (m.empty())
            throw sffi::Error(std::string("cannot read image '") + path +
                              "': not an image in a format this OpenCV can decode");
        if (m.depth() != CV_8U) m.convertTo(m, CV_8U);  // not reached with these flags
        return keep(std::move(m));
    });
}

uchar *element(cv::Mat &m, int64_t row, int64_t col, int64_t channel) {
    int r = as_int(row, "row", 0, m.rows - 1);
    int c = as_int(col, "col", 0, m.cols - 1);
    int ch = as_int(channel, "channel", 0, m.channels() - 1);
    return m.ptr<uchar>(r) + size_t(c) * m.channels() + ch;
}

}  // namespace

extern "C" {

const char *rt_opencv_version(void) {
    return call<const char *>("rt_opencv_version", nullptr, [] {
        return results().set_text(cv::getVersionString());
    });
}

int64_t rt_opencv_mat_live(void) {
    return call<int64_t>("rt_opencv_mat_live", 0, [] { return int64_t(mats().live()); });
}

int64_t rt_opencv_imread(const char *path) {
    return imread_with("rt_opencv_imread", path, cv::IMREAD_ANYCOLOR);
}

int64_t rt_opencv_imread_as(const char *path, const char *mode) {
    int flags = -1;
    if (mode != nullptr) {
        if (std::strcmp(mode, "ANYCOLOR") == 0) flags = cv::IMREAD_ANYCOLOR;
        else if (std::strcmp(mode, "COLOR") == 0) flags = cv::IMREAD_COLOR;
        else if (std::strcmp(mode, "GRAYSCALE") == 0) flags = cv::IMREAD_GRAYSCALE;
    }
    if (flags < 0)
        return call<int64_t>("rt_opencv_imread_as", 0, [&]() -> int64_t {
            throw sffi::Error(std::string("unknown mode '") + (mode ? mode : "") +
                              "' (valid: ANYCOLOR, COLOR, GRAYSCALE)");
        });
    return imread_with("rt_opencv_imread_as", path, flags);
}

bool rt_opencv_imwrite(const char *path, int64_t handle) {
    return call<bool>("rt_opencv_imwrite", false, [&] {
        if (path == nullptr || *path == '\0') throw sffi::Error("empty path");
        quiet_logging();
        const cv::Mat &m = mat(handle);
        bool ok = cv::imwrite(path, m);
        if (!ok) {
            // imwrite says only "false"; find out whether the file could be created.
            std::FILE *f = std::fopen(path, "ab");
            std::string why = f ? "the encoder failed" : std::strerror(errno);
            if (f) std::fclose(f);
            throw sffi::Error(std::string("cannot write image '") + path + "': " + why);
        }
        return true;
    });
}

int64_t rt_opencv_mat_zeros(int64_t rows, int64_t cols, int64_t channels) {
    return call<int64_t>("rt_opencv_mat_zeros", 0, [&] {
        int r = as_int(rows, "rows", 1, INT_MAX);
        int c = as_int(cols, "cols", 1, INT_MAX);
        int n = as_int(channels, "channels", 1, 4);
        if (int64_t(r) * c * n > kMaxBytes)
            throw sffi::Error("a " + std::to_string(rows) + "x" + std::to_string(cols) + " image of " +
                              channels_text(n) + " is larger than the 2 GiB limit");
        return keep(cv::Mat::zeros(r, c, CV_8UC(n)));
    });
}

int64_t rt_opencv_mat_rows(int64_t handle) {
    return call<int64_t>("rt_opencv_mat_rows", 0, [&] { return int64_t(mat(handle).rows); });
}

int64_t rt_opencv_mat_cols(int64_t handle) {
    return call<int64_t>("rt_opencv_mat_cols", 0, [&] { return int64_t(mat(handle).cols); });
}

int64_t rt_opencv_mat_channels(int64_t handle) {
    return call<int64_t>("rt_opencv_mat_channels", 0, [&] { return int64_t(mat(handle).channels()); });
}

void rt_opencv_mat_free(int64_t handle) {
    call_void("rt_opencv_mat_free", [&] { mats().erase(handle); });
}

int64_t rt_opencv_mat_clone(int64_t handle) {
    return call<int64_t>("rt_opencv_mat_clone", 0, [&] { return keep(mat(handle).clone()); });
}

double rt_opencv_mat_get(int64_t handle, int64_t row, int64_t col, int64_t channel) {
    return call<double>("rt_opencv_mat_get", 0.0, [&] {
        return double(*element(mat(handle), row, col, channel));
    });
}

void rt_opencv_mat_set(int64_t handle, int64_t row, int64_t col, int64_t channel, double value) {
    call_void("rt_opencv_mat_set", [&] {
        if (!std::isfinite(value)) throw sffi::Error("value is not a finite number");
        *element(mat(handle), row, col, channel) = cv::saturate_cast<uchar>(value);
    });
}

}  // extern "C"
