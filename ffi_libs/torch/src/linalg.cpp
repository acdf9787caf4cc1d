// linalg.cpp - matrix products and linear algebra.
//
// Simple's contract returns one result where libtorch has several:
//   svd(A)          -> U            (reduced SVD, A = U @ diag(S) @ Vh)
//   eig(A)          -> L            real eigenvalues (an error if any is
//                                   complex: use eig_complex)
// and numbers for det and norm (norm: the 2-norm of all elements). The rest:
//   svd_parts(A)    -> [U, S, Vh]
//   eig_parts(A)    -> [L, V]       eigenvectors V in the columns
//   eig_complex(A)  -> [L_re, L_im, V_re, V_im]
//   det_tensor(A), norm_tensor(A, p) -> tensors (batched det; any p; autograd)
#include "tensor_handles.hpp"

#include <ATen/ops/abs.h>
#include <ATen/ops/dot.h>
#include <ATen/ops/imag.h>
#include <ATen/ops/linalg_det.h>
#include <ATen/ops/linalg_eig.h>
#include <ATen/ops/linalg_inv.h>
#include <ATen/ops/linalg_svd.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/max.h>
#include <ATen/ops/norm.h>
#include <ATen/ops/real.h>
#include <ATen/ops/t.h>
#include <ATen/ops/transpose.h>

using rt_torch::run;
using rt_torch::tensor;
using rt_torch::wrap;
using rt_torch::wrap_all;

RT_TORCH_BINARY(matmul, at::matmul(x, y))
RT_TORCH_BINARY(dot, at::dot(x, y))

RT_TORCH_UNARY(t, at::t(x))
RT_TORCH_UNARY(inverse, at::linalg_inv(x))
RT_TORCH_UNARY(det_tensor, at::linalg_det(x))
RT_TORCH_NUMBER(det, at::linalg_det(x))
RT_TORCH_NUMBER(norm, at::norm(x, 2.0))

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_transpose(int64_t handle, int64_t dim0, int64_t dim1) {
    return run(__func__, int64_t(0), [&] { return wrap(at::transpose(tensor(handle), dim0, dim1)); });
}

// The p-norm of all elements (p = 2: Euclidean / Frobenius), a 0-d tensor.
RT_TORCH_EXPORT int64_t rt_torch_torchtensor_norm_tensor(int64_t handle, double p) {
    return run(__func__, int64_t(0), [&] { return wrap(at::norm(tensor(handle), p)); });
}

namespace {

// linalg_eig's eigenvalues as a real tensor; an error when one is complex.
// LAPACK reports a real eigenvalue with an imaginary part of exactly 0.
at::Tensor real_eigenvalues(const at::Tensor &values) {
    const double worst = at::max(at::abs(at::imag(values))).item().toDouble();
    if (worst != 0.0)
        throw sffi::Error("the matrix has complex eigenvalues (|imaginary part| up to " + std::to_string(worst) +
                          "); use rt_torch_torchtensor_eig_complex");
    return at::real(values).clone();
}

}  // namespace

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_svd(int64_t handle) {
    return run(__func__, int64_t(0), [&] {
        return wrap(std::get<0>(at::linalg_svd(tensor(handle), /*full_matrices=*/false)));
    });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_svd_parts(int64_t handle) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        auto [u, s, vh] = at::linalg_svd(tensor(handle), /*full_matrices=*/false);
        return wrap_all({u, s, vh});
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_eig(int64_t handle) {
    return run(__func__, int64_t(0), [&] { return wrap(real_eigenvalues(std::get<0>(at::linalg_eig(tensor(handle))))); });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_eig_parts(int64_t handle) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        auto [values, vectors] = at::linalg_eig(tensor(handle));
        at::Tensor real = real_eigenvalues(values);
        return wrap_all({real, at::real(vectors).clone()});
    });
}

RT_TORCH_EXPORT sffi_i64_slice rt_torch_torchtensor_eig_complex(int64_t handle) {
    return run(__func__, sffi_i64_slice{nullptr, 0}, [&] {
        auto [values, vectors] = at::linalg_eig(tensor(handle));
        return wrap_all({at::real(values).clone(), at::imag(values).clone(), at::real(vectors).clone(),
                         at::imag(vectors).clone()});
    });
}
