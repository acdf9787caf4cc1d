// indexing.cpp - slicing, picking along a dimension, joining and splitting.
//
// slice(h, dim, start, end, step) is Python's h[..., start:end:step] along
// dim: negative start/end count from the end, an end past the size is cut to
// it, step must be positive; the result is a view. index_select and gather
// take an int64 index tensor. cat joins along an existing dim, stack along a
// new one; chunk splits into at most `chunks` views of equal size (the last
// one smaller), returned as an [i64] of new handles.
#include "tensor_handles.hpp"

#include <ATen/ops/cat.h>
#include <ATen/ops/chunk.h>
#include <ATen/ops/gather.h>
#include <ATen/ops/index_select.h>
#include <ATen/ops/slice.h>
#include <ATen/ops/stack.h>

using rt_torch::run;
using rt_torch::tensor;
using rt_torch::tensor_list;
using rt_torch::wrap;
using rt_torch::wrap_all;

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_slice(int64_t handle, int64_t dim, int64_t start, int64_t end,
                                                   int64_t step) {
    return run(__func__, int64_t(0), [&] { return wrap(at::slice(tensor(handle), dim, start, end, step)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_index_select(int64_t handle, int64_t dim, int64_t index) {
    return run(__func__, int64_t(0), [&] { return wrap(at::index_select(tensor(handle), dim, tensor(index))); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_gather(int64_t handle, int64_t dim, int64_t index) {
    return run(__func__, int64_t(0), [&] { return wrap(at::gather(tensor(handle), dim, tensor(index))); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_cat(const int64_t *handles, int64_t len, int64_t dim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::cat(tensor_list(handles, len), dim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_stack(const int64_t *handles, int64_t len, int64_t dim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::stack(tensor_list(handles, len), dim)); });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_chunk(int64_t handle, int64_t chunks, int64_t dim) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] { return wrap_all(at::chunk(tensor(handle), chunks, dim)); });
}
