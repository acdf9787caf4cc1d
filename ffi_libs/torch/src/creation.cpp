// creation.cpp - tensor creators rt_torch_tensor_*. Every float tensor they
// make is float32 on the CPU; from_i64 makes int64 (class indices, ids).
#include "tensor_handles.hpp"

#include <ATen/ops/arange.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/eye.h>
#include <ATen/ops/full.h>
#include <ATen/ops/linspace.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/rand.h>
#include <ATen/ops/randn.h>
#include <ATen/ops/scalar_tensor.h>
#include <ATen/ops/zeros.h>

#include <cstring>
#include <type_traits>

using rt_torch::float_options;
using rt_torch::int_list;
using rt_torch::run;
using rt_torch::wrap;

namespace {

std::string shape_text(c10::IntArrayRef dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

// The element count a shape describes; checks every dimension is >= 0.
int64_t shape_numel(c10::IntArrayRef dims) {
    int64_t n = 1;
    for (int64_t d : dims) {
        if (d < 0) throw sffi::Error("negative dimension " + std::to_string(d) + " in shape");
        if (__builtin_mul_overflow(n, d, &n)) throw sffi::Error("shape " + shape_text(dims) + " is too large");
    }
    return n;
}

template <typename T>
at::Tensor from_values(const T *data, int64_t len, c10::IntArrayRef dims, at::ScalarType dtype) {
    if (len < 0) throw sffi::Error("negative array length");
    const int64_t n = shape_numel(dims);
    if (n != len)
        throw sffi::Error(std::to_string(len) + " values do not fill shape " + shape_text(dims) + " (" +
                          std::to_string(n) + " elements)");
    constexpr auto source = std::is_same_v<T, double> ? at::kDouble : at::kLong;
    at::Tensor out = at::empty(dims, at::TensorOptions().dtype(source));
    if (n > 0) std::memcpy(out.data_ptr(), data, size_t(n) * sizeof(T));
    return source == dtype ? out : out.to(dtype);
}

}  // namespace

RT_TORCH_EXPORT int64_t rt_torch_tensor_zeros(const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(at::zeros(int_list(dims, ndims), float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_ones(const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(at::ones(int_list(dims, ndims), float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_randn(const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(at::randn(int_list(dims, ndims), float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_rand(const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(at::rand(int_list(dims, ndims), float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_empty(const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(at::empty(int_list(dims, ndims), float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_full(const int64_t *dims, int64_t ndims, double value) {
    return run(__func__, int64_t(0), [&] { return wrap(at::full(int_list(dims, ndims), value, float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_scalar(double value) {
    return run(__func__, int64_t(0), [&] { return wrap(at::scalar_tensor(value, float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_from_data(const double *data, int64_t len, const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(from_values(data, len, int_list(dims, ndims), at::kFloat)); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_from_i64(const int64_t *data, int64_t len, const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(from_values(data, len, int_list(dims, ndims), at::kLong)); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_arange(double start, double end, double step) {
    return run(__func__, int64_t(0), [&] { return wrap(at::arange(start, end, step, float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_linspace(double start, double end, int64_t steps) {
    return run(__func__, int64_t(0), [&] { return wrap(at::linspace(start, end, steps, float_options())); });
}

RT_TORCH_EXPORT int64_t rt_torch_tensor_eye(int64_t n) {
    return run(__func__, int64_t(0), [&] { return wrap(at::eye(n, float_options())); });
}
