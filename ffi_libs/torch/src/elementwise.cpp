// elementwise.cpp - element-wise arithmetic (broadcasting as in libtorch) and
// the in-place updates used for manual optimisation steps under no_grad.
#include "tensor_handles.hpp"

#include <ATen/ops/abs.h>
#include <ATen/ops/add.h>
#include <ATen/ops/div.h>
#include <ATen/ops/exp.h>
#include <ATen/ops/log.h>
#include <ATen/ops/mul.h>
#include <ATen/ops/neg.h>
#include <ATen/ops/pow.h>
#include <ATen/ops/sqrt.h>
#include <ATen/ops/sub.h>

using rt_torch::run;
using rt_torch::run_void;
using rt_torch::tensor;
using rt_torch::wrap;

RT_TORCH_BINARY(add, at::add(x, y))
RT_TORCH_BINARY(sub, at::sub(x, y))
RT_TORCH_BINARY(mul, at::mul(x, y))
RT_TORCH_BINARY(div, at::div(x, y))
RT_TORCH_BINARY(pow_tensor, at::pow(x, y))  // element-wise exponents (broadcast)

RT_TORCH_UNARY(neg, at::neg(x))
RT_TORCH_UNARY(abs, at::abs(x))
RT_TORCH_UNARY(sqrt, at::sqrt(x))
RT_TORCH_UNARY(exp, at::exp(x))
RT_TORCH_UNARY(log, at::log(x))

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_add_scalar(int64_t handle, double value) {
    return run(__func__, int64_t(0), [&] { return wrap(at::add(tensor(handle), value)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_mul_scalar(int64_t handle, double value) {
    return run(__func__, int64_t(0), [&] { return wrap(at::mul(tensor(handle), value)); });
}

// pow is Simple's name, pow_scalar this library's first one: the same call.
RT_TORCH_EXPORT int64_t rt_torch_torchtensor_pow(int64_t handle, double exponent) {
    return run(__func__, int64_t(0), [&] { return wrap(at::pow(tensor(handle), exponent)); });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_pow_scalar(int64_t handle, double exponent) {
    return run(__func__, int64_t(0), [&] { return wrap(at::pow(tensor(handle), exponent)); });
}

// In place: handle's tensor -= other (broadcast into its shape). libtorch
// refuses this on a leaf that requires grad unless no_grad is active.
RT_TORCH_EXPORT void rt_torch_torchtensor_sub_(int64_t handle, int64_t other) {
    run_void(__func__, [&] { tensor(handle).sub_(tensor(other)); });
}

// In place: handle's tensor += alpha * other (one SGD step: alpha = -lr).
RT_TORCH_EXPORT void rt_torch_torchtensor_add_scaled_(int64_t handle, int64_t other, double alpha) {
    run_void(__func__, [&] { tensor(handle).add_(tensor(other), alpha); });
}

// In place: copy src's values into handle's tensor (shapes must broadcast).
RT_TORCH_EXPORT void rt_torch_torchtensor_copy_(int64_t handle, int64_t src) {
    run_void(__func__, [&] { tensor(handle).copy_(tensor(src)); });
}
