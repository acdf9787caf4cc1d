// library.cpp - the shared state (handle tables, result buffer) and the
// library-level exports: available, version, cuda_available, manual_seed.
#include "tensor_handles.hpp"

#include <ATen/Context.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/version.h>  // from torch/csrc/api/include (the detector adds it)

namespace rt_torch {

sffi::HandleTable<at::Tensor> tensors("tensor", kTensorTag);
sffi::HandleTable<c10::Stream> streams("stream", kStreamTag);

sffi::ResultBuffer &results() {
    thread_local sffi::ResultBuffer buffer;
    return buffer;
}

std::string first_line(const char *message) {
    std::string text = message ? message : "";
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (line.find_first_not_of(" \t\r") != std::string::npos) return line;
        start = end + 1;
    }
    return "libtorch error (no message)";
}

void wrong_kind(int64_t handle, const char *is, const char *expected) {
    throw sffi::Error(std::string("handle ") + std::to_string(handle) + " is a " + is + " handle, not a " +
                      expected + " handle");
}

sffi_i64_slice wrap_all(std::vector<at::Tensor> parts) {
    std::vector<int64_t> handles;
    handles.reserve(parts.size());
    for (auto &part : parts) handles.push_back(wrap(std::move(part)));
    return results().set_i64s(std::move(handles));
}

std::vector<at::Tensor> tensor_list(const int64_t *handles, int64_t len) {
    if (len < 0) throw sffi::Error("negative array length");
    std::vector<at::Tensor> out;
    out.reserve(size_t(len));
    for (int64_t i = 0; i < len; ++i) out.push_back(tensor(handles[i]));
    return out;
}

bool cuda_available() {
    if (!c10::impl::hasDeviceGuardImpl(c10::DeviceType::CUDA)) return false;
    return c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->deviceCount() > 0;
}

void require_cuda_device(int64_t device_id) {
    if (!cuda_available())
        throw sffi::Error("CUDA is not available (libtorch " TORCH_VERSION
                          " was built without CUDA, libtorch_cuda is not linked, or no GPU is visible)");
    const int64_t count = c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->deviceCount();
    if (device_id < 0 || device_id >= count)
        throw sffi::Error("CUDA device " + std::to_string(device_id) + " does not exist (" +
                          std::to_string(count) + " visible)");
}

}  // namespace rt_torch

RT_TORCH_EXPORT bool rt_torch_available() { return true; }

RT_TORCH_EXPORT const char *rt_torch_version() {
    return rt_torch::run<const char *>(__func__, nullptr, [] { return rt_torch::results().set_text(TORCH_VERSION); });
}

RT_TORCH_EXPORT bool rt_torch_cuda_available() {
    return rt_torch::run(__func__, false, [] { return rt_torch::cuda_available(); });
}

// Seeds the default CPU generator and, where CUDA is in use, every GPU's
// (at::manual_seed does both).
RT_TORCH_EXPORT void rt_torch_manual_seed(int64_t seed) {
    rt_torch::run_void(__func__, [&] { at::manual_seed(uint64_t(seed)); });
}

// Number of live tensor handles: lets scripts and tests check they free what they make.
RT_TORCH_EXPORT int64_t rt_torch_live_tensors() {
    return rt_torch::run(__func__, int64_t(0), [] { return int64_t(rt_torch::tensors.live()); });
}
