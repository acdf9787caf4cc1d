// losses.cpp - loss functions, rt_torch_nn_*, all with mean reduction.
// Simple's names return the loss as a number (f64); the _tensor forms return
// it as a 0-d tensor, which keeps the autograd graph (call backward on it).
// cross_entropy takes raw scores [N, C] and int64 class indices [N] (or class
// probabilities of the input's shape); nll_loss takes log-probabilities and
// int64 class indices; binary_cross_entropy takes probabilities in [0, 1].
#include "tensor_handles.hpp"

#include <ATen/core/Reduction.h>
#include <ATen/ops/binary_cross_entropy.h>
#include <ATen/ops/cross_entropy_loss.h>
#include <ATen/ops/mse_loss.h>
#include <ATen/ops/nll_loss.h>

namespace {

at::Tensor mse(const at::Tensor &x, const at::Tensor &y) { return at::mse_loss(x, y, at::Reduction::Mean); }
at::Tensor cross_entropy(const at::Tensor &x, const at::Tensor &y) {
    return at::cross_entropy_loss(x, y, std::nullopt, at::Reduction::Mean);
}
at::Tensor bce(const at::Tensor &x, const at::Tensor &y) {
    return at::binary_cross_entropy(x, y, std::nullopt, at::Reduction::Mean);
}
at::Tensor nll(const at::Tensor &x, const at::Tensor &y) { return at::nll_loss(x, y, std::nullopt, at::Reduction::Mean); }

}  // namespace

// rt_torch_nn_NAME(input, target) -> f64 and rt_torch_nn_NAME_tensor(input, target) -> i64.
#define RT_TORCH_LOSS(NAME, FN)                                                               \
    RT_TORCH_EXPORT double rt_torch_nn_##NAME(int64_t input, int64_t target) {               \
        return rt_torch::run(__func__, 0.0, [&] {                                             \
            return rt_torch::number(FN(rt_torch::tensor(input), rt_torch::tensor(target)));   \
        });                                                                                   \
    }                                                                                         \
    RT_TORCH_EXPORT int64_t rt_torch_nn_##NAME##_tensor(int64_t input, int64_t target) {     \
        return rt_torch::run(__func__, int64_t(0), [&] {                                      \
            return rt_torch::wrap(FN(rt_torch::tensor(input), rt_torch::tensor(target)));     \
        });                                                                                   \
    }

RT_TORCH_LOSS(mse_loss, mse)
RT_TORCH_LOSS(cross_entropy, cross_entropy)
RT_TORCH_LOSS(binary_cross_entropy, bce)
RT_TORCH_LOSS(nll_loss, nll)
