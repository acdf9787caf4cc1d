// reductions.cpp - sums, means, extrema, arg-extrema, spread.
//
// Simple's contract: the whole-tensor reductions (sum, mean, max, min, std,
// var) return the number (f64). Their _tensor forms return the 0-d tensor
// instead, which keeps the autograd graph (a loss to call backward on). The
// _dim forms reduce one dimension (keepdim keeps it with size 1).
// max_dim / min_dim return the values; the indices come from argmax / argmin
// with the same dim and keepdim, or both from max_dim_parts / min_dim_parts
// ([values, indices], indices int64). argmax / argmin reduce one dimension
// (negative dims count from the end, as in libtorch); argmax_flat /
// argmin_flat index the flattened tensor. std and var use Bessel's correction
// (divide by N - 1), as libtorch does by default.
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

RT_TORCH_NUMBER(sum, at::sum(x))
RT_TORCH_NUMBER(mean, at::mean(x))
RT_TORCH_NUMBER(max, at::max(x))
RT_TORCH_NUMBER(min, at::min(x))
RT_TORCH_NUMBER(std, at::std(x, /*unbiased=*/true))
RT_TORCH_NUMBER(var, at::var(x, /*unbiased=*/true))

RT_TORCH_UNARY(sum_tensor, at::sum(x))
RT_TORCH_UNARY(mean_tensor, at::mean(x))
RT_TORCH_UNARY(max_tensor, at::max(x))
RT_TORCH_UNARY(min_tensor, at::min(x))
RT_TORCH_UNARY(std_tensor, at::std(x, /*unbiased=*/true))
RT_TORCH_UNARY(var_tensor, at::var(x, /*unbiased=*/true))
RT_TORCH_UNARY(argmax_flat, at::argmax(x))
RT_TORCH_UNARY(argmin_flat, at::argmin(x))

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_sum_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::sum(tensor(handle), c10::IntArrayRef{dim}, keepdim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_mean_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::mean(tensor(handle), c10::IntArrayRef{dim}, keepdim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_max_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(std::get<0>(at::max(tensor(handle), dim, keepdim))); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_min_dim(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(std::get<0>(at::min(tensor(handle), dim, keepdim))); });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_max_dim_parts(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        auto [values, indices] = at::max(tensor(handle), dim, keepdim);
        return wrap_all({values, indices});
    });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_min_dim_parts(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        auto [values, indices] = at::min(tensor(handle), dim, keepdim);
        return wrap_all({values, indices});
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_argmax(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::argmax(tensor(handle), dim, keepdim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_argmin(int64_t handle, int64_t dim, bool keepdim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::argmin(tensor(handle), dim, keepdim)); });
}
