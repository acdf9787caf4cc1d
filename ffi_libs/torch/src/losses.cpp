// losses.cpp - loss functions, all with mean reduction (a 0-d tensor).
// cross_entropy takes raw scores [N, C] and int64 class indices [N] (or class
// probabilities of the input's shape); nll_loss takes log-probabilities and
// int64 class indices; binary_cross_entropy takes probabilities in [0, 1].
#include "tensor_handles.hpp"

#include <ATen/core/Reduction.h>
#include <ATen/ops/binary_cross_entropy.h>
#include <ATen/ops/cross_entropy_loss.h>
#include <ATen/ops/mse_loss.h>
#include <ATen/ops/nll_loss.h>

using rt_torch::run;
using rt_torch::tensor;
using rt_torch::wrap;

RT_TORCH_BINARY(mse_loss, at::mse_loss(x, y, at::Reduction::Mean))
RT_TORCH_BINARY(cross_entropy, at::cross_entropy_loss(x, y, std::nullopt, at::Reduction::Mean))
RT_TORCH_BINARY(binary_cross_entropy, at::binary_cross_entropy(x, y, std::nullopt, at::Reduction::Mean))
RT_TORCH_BINARY(nll_loss, at::nll_loss(x, y, std::nullopt, at::Reduction::Mean))
