// tensor_handles.hpp - internal header shared by the translation units of the
// torch FFI library (not installed, not part of the ABI).
//
// Every source includes this header first. It keeps the build fast: only the
// per-operator ATen headers are allowed (TORCH_ASSERT_ONLY_METHOD_OPERATORS
// turns an accidental include of <ATen/Functions.h> or <torch/torch.h> into a
// compile error), and each TU includes just the <ATen/ops/*.h> it calls.
//
// The tables and the result buffer are defined once, in library.cpp.
#ifndef RT_TORCH_TENSOR_HANDLES_HPP
#define RT_TORCH_TENSOR_HANDLES_HPP

#ifndef TORCH_ASSERT_ONLY_METHOD_OPERATORS
#define TORCH_ASSERT_ONLY_METHOD_OPERATORS
#endif

#include <ATen/core/Tensor.h>
#include <c10/core/Stream.h>
#include <c10/util/Exception.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sffi_cxx.hpp"

#define RT_TORCH_EXPORT extern "C" __attribute__((visibility("default")))

namespace rt_torch {

// Tensors and streams live in separate tables with different tags, so a
// stream handle passed as a tensor (or the reverse) is reported, not used.
constexpr uint16_t kTensorTag = 0x7454;  // "tT"
constexpr uint16_t kStreamTag = 0x7453;  // "tS"

extern sffi::HandleTable<at::Tensor> tensors;
extern sffi::HandleTable<c10::Stream> streams;

// The thread's buffer behind text and array results.
sffi::ResultBuffer &results();

// The first non-empty line of a libtorch message (c10::Error carries a long
// context and, depending on TORCH_SHOW_CPP_STACKTRACES, a backtrace).
std::string first_line(const char *message);

// Names the mix-up when a handle of the other table is passed (the tables'
// own message would only say "invalid ... handle").
[[noreturn]] void wrong_kind(int64_t handle, const char *is, const char *expected);

inline at::Tensor &tensor(int64_t handle) {
    if ((uint64_t(handle) >> 48) == kStreamTag) wrong_kind(handle, "stream", "tensor");
    return tensors.get(handle);
}

inline c10::Stream &stream(int64_t handle) {
    if ((uint64_t(handle) >> 48) == kTensorTag) wrong_kind(handle, "tensor", "stream");
    return streams.get(handle);
}

// Handle 0 stands for "no tensor" in optional arguments (bias, weight, ...).
inline std::optional<at::Tensor> optional_tensor(int64_t handle) {
    if (handle == 0) return std::nullopt;
    return tensor(handle);
}

inline int64_t wrap(at::Tensor t) { return tensors.insert(std::move(t)); }

// Several result tensors as one [i64] result, in the documented order.
sffi_i64_slice wrap_all(std::vector<at::Tensor> parts);

// An [i64] argument of tensor handles as the tensors (cat, stack).
std::vector<at::Tensor> tensor_list(const int64_t *handles, int64_t len);

// A one-element tensor's value as a double (the reductions that return a
// number); libtorch's error for any other size.
inline double number(const at::Tensor &t) { return t.item().toDouble(); }

// An [i64] argument as an ATen size list (a NULL pointer with length 0 is
// the empty list).
inline c10::IntArrayRef int_list(const int64_t *data, int64_t len) {
    if (len < 0) throw sffi::Error("negative array length");
    return len == 0 ? c10::IntArrayRef() : c10::IntArrayRef(data, size_t(len));
}

// Float32 on the CPU: the dtype of every tensor the creators make.
inline at::TensorOptions float_options() { return at::TensorOptions().dtype(at::kFloat); }

// CUDA: usable when a CUDA backend registered itself with c10 (libtorch_cuda
// is loaded) and it sees at least one device.
bool cuda_available();
// Throws sffi::Error("CUDA is not available ...") unless device_id names a GPU.
void require_cuda_device(int64_t device_id);

// Runs fn for an export: libtorch errors become sffi::Error with their first
// line, and sffi::guard turns any exception into sffi_set_error + fallback.
template <typename R, typename F>
R run(const char *name, R fallback, F &&fn) noexcept {
    return sffi::guard<R>(name, fallback, [&]() -> R {
        try {
            return fn();
        } catch (const c10::Error &e) {
            throw sffi::Error(first_line(e.what_without_backtrace()));
        }
    });
}

template <typename F>
void run_void(const char *name, F &&fn) noexcept {
    run<int>(name, 0, [&] {
        fn();
        return 0;
    });
}

}  // namespace rt_torch

// Exports of the common shapes: handle -> handle, (handle, handle) -> handle.
#define RT_TORCH_UNARY(NAME, EXPR)                                               \
    RT_TORCH_EXPORT int64_t rt_torch_torchtensor_##NAME(int64_t handle) {       \
        return rt_torch::run(__func__, int64_t(0), [&] {                         \
            const at::Tensor &x = rt_torch::tensor(handle);                      \
            return rt_torch::wrap(EXPR);                                         \
        });                                                                      \
    }

#define RT_TORCH_BINARY(NAME, EXPR)                                              \
    RT_TORCH_EXPORT int64_t rt_torch_torchtensor_##NAME(int64_t handle, int64_t other) { \
        return rt_torch::run(__func__, int64_t(0), [&] {                         \
            const at::Tensor &x = rt_torch::tensor(handle);                      \
            const at::Tensor &y = rt_torch::tensor(other);                       \
            return rt_torch::wrap(EXPR);                                         \
        });                                                                      \
    }

// handle -> number: the reductions that return f64 (EXPR is a one-element tensor).
#define RT_TORCH_NUMBER(NAME, EXPR)                                              \
    RT_TORCH_EXPORT double rt_torch_torchtensor_##NAME(int64_t handle) {        \
        return rt_torch::run(__func__, 0.0, [&] {                                \
            const at::Tensor &x = rt_torch::tensor(handle);                      \
            return rt_torch::number(EXPR);                                       \
        });                                                                      \
    }

#endif  // RT_TORCH_TENSOR_HANDLES_HPP
