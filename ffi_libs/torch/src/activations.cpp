// activations.cpp - activation functions.
#include "tensor_handles.hpp"

#include <ATen/ops/gelu.h>
#include <ATen/ops/leaky_relu.h>
#include <ATen/ops/log_softmax.h>
#include <ATen/ops/relu.h>
#include <ATen/ops/sigmoid.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/tanh.h>

using rt_torch::run;
using rt_torch::tensor;
using rt_torch::wrap;

RT_TORCH_UNARY(relu, at::relu(x))
RT_TORCH_UNARY(sigmoid, at::sigmoid(x))
RT_TORCH_UNARY(tanh, at::tanh(x))
RT_TORCH_UNARY(gelu, at::gelu(x))  // exact (erf) form, approximate="none"

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_leaky_relu(int64_t handle, double negative_slope) {
    return run(__func__, int64_t(0), [&] { return wrap(at::leaky_relu(tensor(handle), negative_slope)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_softmax(int64_t handle, int64_t dim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::softmax(tensor(handle), dim)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_log_softmax(int64_t handle, int64_t dim) {
    return run(__func__, int64_t(0), [&] { return wrap(at::log_softmax(tensor(handle), dim)); });
}
