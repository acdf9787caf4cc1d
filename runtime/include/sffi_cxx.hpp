// sffi_cxx.hpp - helpers for FFI libraries written in C++ (see docs/abi.md).
//
//   sffi::HandleTable<T>  i64 handles to library objects; a freed, unknown or
//                         foreign handle is detected, never dereferenced.
//   sffi::guard(name, fallback, fn)
//                         runs fn, turning any C++ exception into
//                         sffi_set_error("name: what()") and returning fallback,
//                         so exceptions never cross the C boundary.
//   sffi::ResultBuffer    thread-local storage for text and array results, which
//                         the ABI says stay valid until the next call into the
//                         library on the same thread.
#ifndef SFFI_CXX_HPP
#define SFFI_CXX_HPP

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sffi_abi.h"

namespace sffi {

// Raised inside an export for a bad argument; guard() reports it like any exception.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A handle is (tag << 48) | (generation << 24) | (slot + 1). The tag tells
// tables apart (a tensor handle passed where a stream is expected is an
// error), the generation catches use after free when a slot is reused.
template <typename T>
class HandleTable {
public:
    HandleTable(const char *kind, uint16_t tag) : kind_(kind), tag_(tag) {}

    int64_t insert(T value) {
        std::lock_guard<std::mutex> lock(mu_);
        size_t slot;
        if (!free_.empty()) {
            slot = free_.back();
            free_.pop_back();
        } else {
            slot = slots_.size();
            if (slot >= (1u << 24) - 1) throw Error(std::string("too many live ") + kind_ + " handles");
            slots_.emplace_back();
        }
        Slot &s = slots_[slot];
        s.value = std::make_unique<T>(std::move(value));
        return (int64_t(tag_) << 48) | (int64_t(s.generation) << 24) | int64_t(slot + 1);
    }

    // The object behind `handle`; throws sffi::Error naming the kind otherwise.
    // The table's bookkeeping is locked, the object is not: the reference
    // stays valid until erase(handle), so a library whose scripts may share a
    // handle across threads must not free it on one thread while another
    // uses it (the reference runtime runs a script on one thread).
    T &get(int64_t handle) {
        std::lock_guard<std::mutex> lock(mu_);
        return *locate(handle).value;
    }

    void erase(int64_t handle) {
        std::lock_guard<std::mutex> lock(mu_);
        Slot &s = locate(handle);
        s.value.reset();
        s.generation = (s.generation + 1) & 0xffffff;
        free_.push_back(size_t(handle & 0xffffff) - 1);
    }

    size_t live() const {
        std::lock_guard<std::mutex> lock(mu_);
        return slots_.size() - free_.size();
    }

private:
    struct Slot {
        std::unique_ptr<T> value;
        uint32_t generation = 1;
    };

    Slot &locate(int64_t handle) {
        const uint64_t h = uint64_t(handle);
        const size_t idx = size_t(h & 0xffffff);
        const uint32_t gen = uint32_t((h >> 24) & 0xffffff);
        if (handle <= 0 || (h >> 48) != tag_ || idx == 0 || idx > slots_.size())
            throw Error(std::string("invalid ") + kind_ + " handle " + std::to_string(handle));
        Slot &s = slots_[idx - 1];
        if (!s.value || s.generation != gen)
            throw Error(std::string(kind_) + " handle " + std::to_string(handle) + " was already freed");
        return s;
    }

    const char *kind_;
    uint16_t tag_;
    mutable std::mutex mu_;
    std::vector<Slot> slots_;
    std::vector<size_t> free_;
};

template <typename R, typename F>
R guard(const char *name, R fallback, F &&fn) noexcept {
    try {
        return fn();
    } catch (const std::exception &e) {
        sffi_set_error((std::string(name) + ": " + e.what()).c_str());
    } catch (...) {
        sffi_set_error((std::string(name) + ": unknown C++ exception").c_str());
    }
    return fallback;
}

template <typename F>
void guard_void(const char *name, F &&fn) noexcept {
    guard<int>(name, 0, [&] { fn(); return 0; });
}

// Per-thread storage behind text and array results.
struct ResultBuffer {
    std::string text;
    std::vector<int64_t> i64s;
    std::vector<double> f64s;
    std::vector<std::string> texts;
    std::vector<const char *> text_ptrs;

    const char *set_text(std::string s) {
        text = std::move(s);
        return text.c_str();
    }
    sffi_i64_slice set_i64s(std::vector<int64_t> v) {
        i64s = std::move(v);
        return sffi_i64_slice{i64s.data(), int64_t(i64s.size())};
    }
    sffi_f64_slice set_f64s(std::vector<double> v) {
        f64s = std::move(v);
        return sffi_f64_slice{f64s.data(), int64_t(f64s.size())};
    }
    sffi_text_slice set_texts(std::vector<std::string> v) {
        texts = std::move(v);
        text_ptrs.clear();
        for (const auto &t : texts) text_ptrs.push_back(t.c_str());
        return sffi_text_slice{text_ptrs.data(), int64_t(text_ptrs.size())};
    }
};

}  // namespace sffi

#endif  // SFFI_CXX_HPP
