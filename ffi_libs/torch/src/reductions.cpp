// reductions.cpp - sums, means, extrema, arg-extrema, spread.
//
// The whole-tensor forms return a 0-d tensor; the _dim forms reduce one
// dimension (keepdim keeps it with size 1). max_dim / min_dim return
// [values, indices] (indices int64); argmax / argmin return int64 tensors,
// over the flattened tensor or along dim for the _dim forms. std and var
// use Bessel's correction (divide by N - 1), as libtorch does by default.
#include "tensor_handles.hpp"

#include <ATen/ops/argmax.h>
#include <ATen/ops/argmin.h>
#include <ATen/ops/max.h>
#include <ATen/ops/mean.h>
#include <ATen/ops/min.h>
#include <ATen/ops/std.h>
#include <ATen/ops/sum.h>
#include <ATen/ops/var.h>

using rt_torch::run;
using rt_torch::tensor;
using rt_torch::wrap;
using rt_torch::wrap_all;

RT_TORCH_UNARY(sum, at::sum(x))
RT_TORCH_UNARY(mean, at::mean(x))
RT_TORCH_UNARY(max, at::max(x))
RT_TORCH_UNARY(min, at::min(x))
RT_TORCH_UNARY(argmax, at::argmax(x))
RT_TORCH_UNARY(argmin, at::argmin(x))
RT_TORCH_UNARY(std, at::std(x, /*unbiased=*/true))
RT_TORCH_UNARY(var, at::var(x, /*unbiased=*/true))

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_sum_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::sum(tensor(handle), c10::IntArrayRef{dim}, keepdim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_mean_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::mean(tensor(handle), c10::IntArrayRef{dim}, keepdim)); });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_max_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        auto [values, indices] = at::max(tensor(handle), dim, keepdim);
        return wrap_all({values, indices});
    });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_min_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        auto [values, indices] = at::min(tensor(handle), dim, keepdim);
        return wrap_all({values, indices});
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_argmax_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::argmax(tensor(handle), dim, keepdim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_argmin_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::argmin(tensor(handle), dim, keepdim)); });
}
