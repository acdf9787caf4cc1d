// autograd.cpp - gradients through libtorch's autograd engine, rt_torch_autograd_*.
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
RT_TORCH_EXPORT void rt_torch_autograd_set_requires_grad(int64_t h, bool flag) {
    run_void(__func__, [&] { tensor(h).requires_grad_(flag); });
}

RT_TORCH_EXPORT bool rt_torch_autograd_requires_grad(int64_t h) {
    return run(__func__, false, [&] { return tensor(h).requires_grad(); });
}

RT_TORCH_EXPORT bool rt_torch_autograd_has_grad(int64_t h) {
    return run(__func__, false, [&] { return tensor(h).grad().defined(); });
}

// A new handle to the accumulated gradient (it shares storage with it, so
// zero_grad is visible through it), or 0 ("none", like PyTorch's None) when
// the tensor has no gradient yet.
RT_TORCH_EXPORT int64_t rt_torch_autograd_grad(int64_t h) {
    return run(__func__, int64_t(0), [&] {
        const at::Tensor &g = tensor(h).grad();
        return g.defined() ? wrap(g) : int64_t(0);
    });
}

// Backpropagates from a scalar (one-element) tensor, accumulating .grad in
// every leaf that requires grad. The graph is freed afterwards.
RT_TORCH_EXPORT void rt_torch_autograd_backward(int64_t h) {
    run_void(__func__, [&] { tensor(h).backward(); });
}

// Sets an existing gradient to zeros in place (a no-op when there is none).
RT_TORCH_EXPORT void rt_torch_autograd_zero_grad(int64_t h) {
    run_void(__func__, [&] {
        at::Tensor &g = tensor(h).mutable_grad();
        if (g.defined()) {
            c10::AutoGradMode off(false);
            g.zero_();
        }
    });
}

RT_TORCH_EXPORT int64_t rt_torch_autograd_detach(int64_t h) {
    return run(__func__, int64_t(0), [&] { return wrap(tensor(h).detach()); });
}

RT_TORCH_EXPORT void rt_torch_autograd_no_grad_begin() {
    run_void(__func__, [] {
        if (no_grad_depth == 0) {
            grad_mode_before = c10::GradMode::is_enabled();
            c10::GradMode::set_enabled(false);
        }
        ++no_grad_depth;
    });
}

RT_TORCH_EXPORT void rt_torch_autograd_no_grad_end() {
    run_void(__func__, [] {
        if (no_grad_depth == 0) throw sffi::Error("no_grad_end without a matching no_grad_begin");
        if (--no_grad_depth == 0) c10::GradMode::set_enabled(grad_mode_before);
    });
}

RT_TORCH_EXPORT bool rt_torch_autograd_is_grad_enabled() {
    return run(__func__, false, [] { return c10::GradMode::is_enabled(); });
}
