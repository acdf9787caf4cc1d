// shape.cpp - shape queries and reshaping. view, permute, squeeze, unsqueeze,
// transpose and t return views that share storage with their input (as in
// libtorch); reshape and flatten copy only when they must.
#include "tensor_handles.hpp"

#include <ATen/ops/flatten.h>
#include <ATen/ops/permute.h>
#include <ATen/ops/reshape.h>
#include <ATen/ops/squeeze.h>
#include <ATen/ops/unsqueeze.h>
#include <ATen/ops/view.h>

using rt_torch::int_list;
using rt_torch::run;
using rt_torch::tensor;
using rt_torch::wrap;

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_ndim(int64_t handle) {
    return run(__func__, int64_t(0), [&] { return int64_t(tensor(handle).dim()); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_numel(int64_t handle) {
    return run(__func__, int64_t(0), [&] { return int64_t(tensor(handle).numel()); });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_shape(int64_t handle) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        return rt_torch::results().set_i64s(tensor(handle).sizes().vec());
    });
}

RT_TORCH_EXPORT bool rt_torch_torchtensor_is_contiguous(int64_t handle) {
    return run(__func__, false, [&] { return tensor(handle).is_contiguous(); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_reshape(int64_t handle, const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(at::reshape(tensor(handle), int_list(dims, ndims))); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_view(int64_t handle, const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(tensor(handle).view(int_list(dims, ndims))); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_permute(int64_t handle, const int64_t *dims, int64_t ndims) {
    return run(__func__, int64_t(0), [&] { return wrap(at::permute(tensor(handle), int_list(dims, ndims))); });
}

RT_TORCH_UNARY(squeeze, at::squeeze(x))
RT_TORCH_UNARY(contiguous, x.contiguous())

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_squeeze_dim(int64_t handle, int64_t dim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::squeeze(tensor(handle), dim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_unsqueeze(int64_t handle, int64_t dim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::unsqueeze(tensor(handle), dim)); });
}

// flatten (Simple's) makes a 1-d tensor; flatten_range flattens dims start_dim..end_dim.
RT_TORCH_UNARY(flatten, at::flatten(x))

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_flatten_range(int64_t handle, int64_t start_dim, int64_t end_dim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::flatten(tensor(handle), start_dim, end_dim)); });
}
