// data.cpp - getting values out (item, to_data, str), dtypes, and freeing.
#include "tensor_handles.hpp"

#include <ATen/core/Formatting.h>

#include <sstream>

using rt_torch::run;
using rt_torch::run_void;
using rt_torch::tensor;
using rt_torch::wrap;

namespace {

const at::Tensor &real_valued(const at::Tensor &t) {
    if (t.is_complex())
        throw sffi::Error("a complex tensor has no real values (use eig_complex's real/imaginary parts)");
    return t;
}

at::ScalarType parse_dtype(const std::string &name) {
    if (name == "float32" || name == "float") return at::kFloat;
    if (name == "float64" || name == "double") return at::kDouble;
    if (name == "int64" || name == "long") return at::kLong;
    if (name == "int32" || name == "int") return at::kInt;
    if (name == "bool") return at::kBool;
    throw sffi::Error("unknown dtype '" + name + "' (known: float32, float64, int64, int32, bool)");
}

const char *dtype_name(at::ScalarType type) {
    switch (type) {
        case at::kFloat: return "float32";
        case at::kDouble: return "float64";
        case at::kLong: return "int64";
        case at::kInt: return "int32";
        case at::kBool: return "bool";
        default: return c10::toString(type);  // e.g. "ComplexFloat", "Half"
    }
}

}  // namespace

// The value of a one-element tensor (any dtype) as a double.
RT_TORCH_EXPORT double rt_torch_torchtensor_item(int64_t handle) {
    return run(__func__, 0.0, [&] { return real_valued(tensor(handle)).item().toDouble(); });
}

// All values, flattened in row-major order, converted to double, copied to the CPU.
RT_TORCH_EXPORT sffi_f64_slice rt_torch_torchtensor_to_data(int64_t handle) {
    return run(__func__, sffi_f64_slice{nullptr, 0}, [&] {
        at::Tensor t = real_valued(tensor(handle)).detach().to(at::kCPU).to(at::kDouble).contiguous();
        const double *p = t.const_data_ptr<double>();
        return rt_torch::results().set_f64s(std::vector<double>(p, p + t.numel()));
    });
}

// libtorch's printed form of the tensor (values, then "[ CPUFloatType{2,2} ]").
RT_TORCH_EXPORT const char *rt_torch_torchtensor_str(int64_t handle) {
    return run<const char *>(__func__, nullptr, [&] {
        std::ostringstream out;
        out << tensor(handle);
        return rt_torch::results().set_text(out.str());
    });
}

// "float32", "float64", "int64", "int32", "bool" (others by libtorch's name).
RT_TORCH_EXPORT const char *rt_torch_torchtensor_dtype(int64_t handle) {
    return run<const char *>(__func__, nullptr, [&] {
        return rt_torch::results().set_text(dtype_name(tensor(handle).scalar_type()));
    });
}

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_to_dtype(int64_t handle, const char *dtype) {
    return run(__func__, int64_t(0), [&] {
        if (dtype == nullptr) throw sffi::Error("dtype is nil");
        return wrap(tensor(handle).to(parse_dtype(dtype)));
    });
}

// Frees the handle. The tensor's memory goes once no other handle (a view,
// a gradient handle) shares it.
RT_TORCH_EXPORT void rt_torch_torchtensor_free(int64_t handle) {
    run_void(__func__, [&] {
        tensor(handle);  // a stream handle passed here is named as such
        rt_torch::tensors.erase(handle);
    });
}
