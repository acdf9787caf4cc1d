// device.cpp - devices and CUDA streams.
//
// Everything here goes through c10's device-generic interfaces
// (DeviceGuardImplInterface, c10::Stream, StreamGuard), so the library
// compiles without CUDA headers and works with a CUDA libtorch when
// libtorch_cuda is linked. Without CUDA every CUDA call fails with
// "CUDA is not available ..." (a byte count of a GPU that is not there would
// be a made-up number), except empty_cache, which then has nothing to release
// and returns at once (as torch.cuda.empty_cache() does).
#include "tensor_handles.hpp"

#include <c10/core/CachingDeviceAllocator.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/VirtualGuardImpl.h>

using rt_torch::require_cuda_device;
using rt_torch::run;
using rt_torch::run_void;
using rt_torch::tensor;
using rt_torch::wrap;

namespace {
at::Tensor to_device(const at::Tensor &t, c10::Device device, bool non_blocking) {
    return t.to(t.options().device(device), non_blocking, /*copy=*/false);
}
}  // namespace

RT_TORCH_EXPORT int64_t rt_torch_torchtensor_cuda(int64_t handle, int32_t device_id) {
    return run(__func__, int64_t(0), [&] {
        const at::Tensor &t = tensor(handle);
        require_cuda_device(device_id);
        return wrap(to_device(t, c10::Device(c10::DeviceType::CUDA, c10::DeviceIndex(device_id)), false));
    });
}

RT_TORCH_UNARY(cpu, x.cpu())
RT_TORCH_UNARY(clone, x.clone())

RT_TORCH_EXPORT bool rt_torch_torchtensor_is_cuda(int64_t handle) {
    return run(__func__, false, [&] { return tensor(handle).is_cuda(); });
}

// The CUDA device index of the tensor, -1 when it is not on a GPU (the CPU).
RT_TORCH_EXPORT int32_t rt_torch_torchtensor_device(int64_t handle) {
    return run(__func__, int32_t(-1), [&] {
        const at::Tensor &t = tensor(handle);
        return t.is_cuda() ? int32_t(t.get_device()) : int32_t(-1);
    });
}

// "cpu", "cuda:0", ...
RT_TORCH_EXPORT const char *rt_torch_torchtensor_device_name(int64_t handle) {
    return run<const char *>(__func__, nullptr, [&] { return rt_torch::results().set_text(tensor(handle).device().str()); });
}

// Copies the tensor to GPU device_id, enqueued on `stream` (a stream of that
// device) without waiting: sync the stream before relying on the result.
RT_TORCH_EXPORT int64_t rt_torch_torchtensor_to_stream(int64_t handle, int32_t device_id, int64_t stream) {
    return run(__func__, int64_t(0), [&] {
        const at::Tensor &t = tensor(handle);
        require_cuda_device(device_id);
        const c10::Stream &s = rt_torch::stream(stream);
        if (s.device_index() != device_id)
            throw sffi::Error("stream " + std::to_string(stream) + " belongs to " + s.device().str() +
                              ", not cuda:" + std::to_string(device_id));
        c10::StreamGuard on_stream(s);
        return wrap(to_device(t, s.device(), /*non_blocking=*/true));
    });
}

// A stream from libtorch's pool for GPU device_id.
RT_TORCH_EXPORT int64_t rt_torch_stream_create(int32_t device_id) {
    return run(__func__, int64_t(0), [&] {
        require_cuda_device(device_id);
        c10::impl::VirtualGuardImpl impl(c10::DeviceType::CUDA);
        return rt_torch::streams.insert(
            impl.getStreamFromGlobalPool(c10::Device(c10::DeviceType::CUDA, c10::DeviceIndex(device_id))));
    });
}

// Waits until all work queued on the stream has finished.
RT_TORCH_EXPORT void rt_torch_torchstream_sync(int64_t handle) {
    run_void(__func__, [&] { rt_torch::stream(handle).synchronize(); });
}

// True when all work queued on the stream has finished.
RT_TORCH_EXPORT bool rt_torch_torchstream_query(int64_t handle) {
    return run(__func__, false, [&] { return rt_torch::stream(handle).query(); });
}

RT_TORCH_EXPORT void rt_torch_torchstream_free(int64_t handle) {
    run_void(__func__, [&] {
        rt_torch::stream(handle);  // a tensor handle passed here is named as such
        rt_torch::streams.erase(handle);
    });
}

namespace {
// The CUDA caching allocator's statistics for device_id (an error without CUDA).
c10::CachingAllocator::Stat allocated_bytes(int32_t device_id) {
    require_cuda_device(device_id);
    const auto stats = c10::getDeviceAllocator(c10::DeviceType::CUDA)->getDeviceStats(c10::DeviceIndex(device_id));
    return stats.allocated_bytes[size_t(c10::CachingAllocator::StatType::AGGREGATE)];
}
}  // namespace

// Bytes of GPU memory that tensors occupy now (torch.cuda.memory_allocated).
RT_TORCH_EXPORT int64_t rt_torch_cuda_memory_allocated(int32_t device) {
    return run(__func__, int64_t(0), [&] { return int64_t(allocated_bytes(device).current); });
}

// The most bytes tensors occupied at once (torch.cuda.max_memory_allocated).
RT_TORCH_EXPORT int64_t rt_torch_cuda_max_memory_allocated(int32_t device) {
    return run(__func__, int64_t(0), [&] { return int64_t(allocated_bytes(device).peak); });
}

// Returns the caching allocator's unused cached blocks to the driver.
RT_TORCH_EXPORT void rt_torch_cuda_empty_cache() {
    run_void(__func__, [] {
        if (rt_torch::cuda_available()) c10::getDeviceAllocator(c10::DeviceType::CUDA)->emptyCache();
    });
}
