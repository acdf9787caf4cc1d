// nn.cpp - functional neural-network operators, rt_torch_nn_* (Simple's
// names and parameter lists). Weights are tensors the script owns; an
// optional tensor argument (bias, norm weight and bias, running statistics)
// is handle 0 for "none". Sizes are [i64] lists handed to libtorch as they
// are: one value is used for both spatial dimensions, two are (height,
// width); an empty pooling stride means "the kernel size" (libtorch's rule).
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

RT_TORCH_EXPORT int64_t rt_torch_nn_conv2d(int64_t input, int64_t weight, int64_t bias, const int64_t *stride,
                                           int64_t stride_len, const int64_t *padding, int64_t padding_len,
                                           const int64_t *dilation, int64_t dilation_len, int64_t groups) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::conv2d(tensor(input), tensor(weight), optional_tensor(bias), int_list(stride, stride_len),
                               int_list(padding, padding_len), int_list(dilation, dilation_len), groups));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_nn_max_pool2d(int64_t input, const int64_t *kernel_size, int64_t kernel_len,
                                               const int64_t *stride, int64_t stride_len, const int64_t *padding,
                                               int64_t padding_len) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::max_pool2d(tensor(input), int_list(kernel_size, kernel_len), int_list(stride, stride_len),
                                   int_list(padding, padding_len)));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_nn_avg_pool2d(int64_t input, const int64_t *kernel_size, int64_t kernel_len,
                                               const int64_t *stride, int64_t stride_len, const int64_t *padding,
                                               int64_t padding_len) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::avg_pool2d(tensor(input), int_list(kernel_size, kernel_len), int_list(stride, stride_len),
                                   int_list(padding, padding_len)));
    });
}

// In training the running statistics (when given) are updated in place.
RT_TORCH_EXPORT int64_t rt_torch_nn_batch_norm(int64_t input, int64_t running_mean, int64_t running_var,
                                               int64_t weight, int64_t bias, bool training, double momentum,
                                               double eps) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::batch_norm(tensor(input), optional_tensor(weight), optional_tensor(bias),
                                   optional_tensor(running_mean), optional_tensor(running_var), training, momentum,
                                   eps, /*cudnn_enabled=*/true));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_nn_layer_norm(int64_t input, const int64_t *normalized_shape, int64_t ndims,
                                               int64_t weight, int64_t bias, double eps) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::layer_norm(tensor(input), int_list(normalized_shape, ndims), optional_tensor(weight),
                                   optional_tensor(bias), eps));
    });
}

// training = false is the identity (a new handle to the same values).
RT_TORCH_EXPORT int64_t rt_torch_nn_dropout(int64_t input, double p, bool training) {
    return run(__func__, int64_t(0), [&] { return wrap(at::dropout(tensor(input), p, training)); });
}

// y = input @ weight^T + bias; weight is [out_features, in_features].
RT_TORCH_EXPORT int64_t rt_torch_nn_linear(int64_t input, int64_t weight, int64_t bias) {
    return run(__func__, int64_t(0), [&] {
        return wrap(at::linear(tensor(input), tensor(weight), optional_tensor(bias)));
    });
}

// Rows of weight ([num_embeddings, dim]) picked by input, an int64 tensor of
// indices (torch.nn.functional.embedding(input, weight)).
RT_TORCH_EXPORT int64_t rt_torch_nn_embedding(int64_t input, int64_t weight) {
    return run(__func__, int64_t(0), [&] { return wrap(at::embedding(tensor(weight), tensor(input))); });
}
