// nn.cpp - functional neural-network operators. Weights are tensors the
// script owns; an optional tensor argument (bias, norm weight, running
// statistics) is 0 for "none". Sizes that are pairs in libtorch (stride,
// padding, kernel) are one number used for both spatial dimensions.
#include "tensor_handles.hpp"

#include <ATen/ops/avg_pool2d.h>
#include <ATen/ops/batch_norm.h>
#include <ATen/ops/conv2d.h>
#include <ATen/ops/dropout.h>
#include <ATen/ops/embedding.h>
#include <ATen/ops/layer_norm.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/max_pool2d.h>

using rt_torch::int_list;
using rt_torch::optional_tensor;
using rt_torch::run;
using rt_torch::tensor;
using rt_torch::wrap;

namespace {
c10::IntArrayRef pair(const int64_t &v) { return c10::IntArrayRef(&v, 1); }  // libtorch expands 1 -> 2
}  // namespace

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_conv2d(int64_t input, int64_t weight, int64_t bias, int64_t stride,
                                                    int64_t padding, int64_t dilation, int64_t groups) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::conv2d(tensor(input), tensor(weight), optional_tensor(bias), pair(stride), pair(padding),
                               pair(dilation), groups));
    });
}

// stride 0 means "the kernel size" (libtorch's default).
RT_TORCH_EXPORT int64_t rt_torch_torchtensor_max_pool2d(int64_t input, int64_t kernel_size, int64_t stride,
                                                        int64_t padding) {
    return run(__func__, int64_t(0), [&] {
        const int64_t s = stride == 0 ? kernel_size : stride;
        return wrap(at::max_pool2d(tensor(input), pair(kernel_size), pair(s), pair(padding)));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_avg_pool2d(int64_t input, int64_t kernel_size, int64_t stride,
                                                        int64_t padding) {
    return run(__func__, int64_t(0), [&] {
        const int64_t s = stride == 0 ? kernel_size : stride;
        return wrap(at::avg_pool2d(tensor(input), pair(kernel_size), pair(s), pair(padding)));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_batch_norm(int64_t input, int64_t weight, int64_t bias,
                                                        int64_t running_mean, int64_t running_var, bool training,
                                                        double momentum, double eps) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::batch_norm(tensor(input), optional_tensor(weight), optional_tensor(bias),
                                   optional_tensor(running_mean), optional_tensor(running_var), training, momentum,
                                   eps, /*cudnn_enabled=*/true));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_layer_norm(int64_t input, const int64_t *normalized_shape, int64_t ndims,
                                                        int64_t weight, int64_t bias, double eps) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::layer_norm(tensor(input), int_list(normalized_shape, ndims), optional_tensor(weight),
                                   optional_tensor(bias), eps));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_dropout(int64_t input, double p, bool train) {
    return run(__func__, int64_t(0), [&] { return wrap(at::dropout(tensor(input), p, train)); });
}

// y = input @ weight^T + bias; weight is [out_features, in_features].
RT_TORCH_EXPORT int64_t rt_torch_torchtensor_linear(int64_t input, int64_t weight, int64_t bias) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::linear(tensor(input), tensor(weight), optional_tensor(bias)));
    });
}

// Rows of weight ([num_embeddings, dim]) picked by an int64 tensor of indices.
RT_TORCH_EXPORT int64_t rt_torch_torchtensor_embedding(int64_t weight, int64_t indices) {
    return run(__func__, int64_t(0), [&] { return wrap(at::embedding(tensor(weight), tensor(indices))); });
}
