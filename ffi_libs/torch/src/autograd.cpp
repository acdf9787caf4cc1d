// autograd.cpp - gradients through libtorch's autograd engine.
//
// no_grad_begin / no_grad_end nest: a per-thread depth counter; the first
// begin turns gradient recording off (c10::GradMode) and remembers the
// previous mode, the matching last end restores it. An end without a begin
// is an error.
#include "tensor_handles.hpp"

#include <c10/core/GradMode.h>

using rt_torch::run;
using rt_torch::run_void;
using rt_torch::tensor;
using rt_torch::wrap;

namespace {
thread_local int64_t no_grad_depth = 0;
thread_local bool grad_mode_before = true;
}  // namespace

// Only floating-point (and complex) tensors can require gradients; libtorch says so.
RT_TORCH_EXPORT void rt_torch_torchtensor_set_requires_grad(int64_t handle, bool flag) {
    run_void(__func__, [&] { tensor(handle).requires_grad_(flag); });
}

RT_TORCH_EXPORT bool rt_torch_torchtensor_requires_grad(int64_t handle) {
    return run(__func__, false, [&] { return tensor(handle).requires_grad(); });
}

RT_TORCH_EXPORT bool rt_torch_torchtensor_has_grad(int64_t handle) {
    return run(__func__, false, [&] { return tensor(handle).grad().defined(); });
}

// A new handle to the accumulated gradient (it shares storage with it, so
// zero_grad is visible through it). Error when there is none yet.
RT_TORCH_EXPORT int64_t rt_torch_torchtensor_grad(int64_t handle) {
    return run(__func__, int64_t(0), [&] {
        const at::Tensor &g = tensor(handle).grad();
        if (!g.defined())
            throw sffi::Error("the tensor has no gradient (set requires_grad on it and call backward on a "
                              "result that depends on it)");
        return wrap(g);
    });
}

// Backpropagates from a scalar (one-element) tensor, accumulating .grad in
// every leaf that requires grad. The graph is freed afterwards.
RT_TORCH_EXPORT void rt_torch_torchtensor_backward(int64_t handle) {
    run_void(__func__, [&] { tensor(handle).backward(); });
}

// Sets an existing gradient to zeros in place (a no-op when there is none).
RT_TORCH_EXPORT void rt_torch_torchtensor_zero_grad(int64_t handle) {
    run_void(__func__, [&] {
        at::Tensor &g = tensor(handle).mutable_grad();
        if (g.defined()) {
            c10::AutoGradMode off(false);
            g.zero_();
        }
    });
}

RT_TORCH_UNARY(detach, x.detach())

RT_TORCH_EXPORT void rt_torch_no_grad_begin() {
    run_void(__func__, [] {
        if (no_grad_depth == 0) {
            grad_mode_before = c10::GradMode::is_enabled();
            c10::GradMode::set_enabled(false);
        }
        ++no_grad_depth;
    });
}

RT_TORCH_EXPORT void rt_torch_no_grad_end() {
    run_void(__func__, [] {
        if (no_grad_depth == 0) throw sffi::Error("no_grad_end without a matching no_grad_begin");
        if (--no_grad_depth == 0) c10::GradMode::set_enabled(grad_mode_before);
    });
}

RT_TORCH_EXPORT bool rt_torch_is_grad_enabled() {
    return run(__func__, false, [] { return c10::GradMode::is_enabled(); });
}
