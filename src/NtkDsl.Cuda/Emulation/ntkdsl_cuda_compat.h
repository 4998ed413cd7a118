// NtkDsl CUDA C compatibility header for the host emulation (NtkDsl.Cuda.Emulation.EmulatedNvrtc).
// It lets the exact kernel text that NVRTC compiles for the GPU be compiled by the host g++ into a shared library:
// the CUDA qualifiers become plain C++, threadIdx/blockIdx/blockDim/gridDim are per-launch variables, and every
// exported kernel gets a launcher that runs it over the whole grid, one thread after another.
// Limits (by design, reported at compile time): no __shared__ memory and no __syncthreads(), because threads of a
// block run sequentially here. Elementwise and per-entry kernels (what NtkDsl emits) need neither.
#pragma once
#include <math.h>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <type_traits>
#include <utility>

struct uint3 { unsigned int x, y, z; };
struct dim3
{
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};

namespace ntkemu
{
    inline thread_local uint3 thread_idx{0, 0, 0};
    inline thread_local uint3 block_idx{0, 0, 0};
    inline thread_local dim3 block_dim{1, 1, 1};
    inline thread_local dim3 grid_dim{1, 1, 1};
}

#define threadIdx (::ntkemu::thread_idx)
#define blockIdx (::ntkemu::block_idx)
#define blockDim (::ntkemu::block_dim)
#define gridDim (::ntkemu::grid_dim)
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __launch_bounds__(...)
#define __shared__ static_assert(false, "ntkdsl emulation: __shared__ memory is not supported (threads of a block run sequentially)");
#define __syncthreads() static_assert(false, "ntkdsl emulation: __syncthreads() is not supported (threads of a block run sequentially)")

// Device math functions that the host C library does not have under the same name.
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double normcdf(double x) { return 0.5 * std::erfc(-x * 0.70710678118654752440); }
inline float normcdff(float x) { return 0.5f * std::erfc(-x * 0.70710678118654752440f); }
inline double rcp(double x) { return 1.0 / x; }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float x, float y) { return x / y; }
inline double __ddiv_rn(double x, double y) { return x / y; }
// Round-to-nearest arithmetic that NVRTC never contracts into an FMA. The host build contracts a·b + c only when
// the program is compiled without --fmad=false (as NVRTC would); the volatile result keeps these calls rounded then.
inline double __dmul_rn(double x, double y) { volatile double r = x * y; return r; }
inline double __dadd_rn(double x, double y) { volatile double r = x + y; return r; }
inline double __dsub_rn(double x, double y) { volatile double r = x - y; return r; }
inline double __fma_rn(double x, double y, double z) { return std::fma(x, y, z); }
inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
inline void sincos(double x, double* s, double* c) { *s = std::sin(x); *c = std::cos(x); }
inline void sincosf(float x, float* s, float* c) { *s = std::sin(x); *c = std::cos(x); }
template <typename T> inline T __ldg(const T* p) { return *p; }
// Threads run one after another, so atomics are plain read-modify-write.
inline double atomicAdd(double* a, double v) { double o = *a; *a = o + v; return o; }
inline float atomicAdd(float* a, float v) { float o = *a; *a = o + v; return o; }
inline int atomicAdd(int* a, int v) { int o = *a; *a = o + v; return o; }
using std::min;
using std::max;

namespace ntkemu
{
    // One character per kernel parameter: P mutable pointer, C const pointer, d double, f float, i int,
    // u unsigned, l 64-bit integer. Anything else does not compile (by design).
    template <typename T> constexpr char code()
    {
        using U = std::remove_cv_t<T>;
        if constexpr (std::is_pointer_v<U>) return std::is_const_v<std::remove_pointer_t<U>> ? 'C' : 'P';
        else if constexpr (std::is_same_v<U, double>) return 'd';
        else if constexpr (std::is_same_v<U, float>) return 'f';
        else if constexpr (std::is_same_v<U, int>) return 'i';
        else if constexpr (std::is_same_v<U, unsigned int>) return 'u';
        else if constexpr (std::is_integral_v<U> && sizeof(U) == 8) return 'l';
        else static_assert(sizeof(U) == 0, "ntkdsl emulation: kernel parameters must be pointers, double, float, int, unsigned or 64-bit integers");
    }

    template <typename... A> const char* signature(void (*)(A...))
    {
        static const char s[] = {code<A>()..., '\0'};
        return s;
    }

    template <typename... A, std::size_t... I>
    inline void call(void (*f)(A...), void** args, std::index_sequence<I...>)
    {
        f(*static_cast<std::remove_cv_t<A>*>(args[I])...);
    }

    template <typename... A>
    int launch(void (*f)(A...), unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, void** args)
    {
        grid_dim = dim3(gx, gy, gz);
        block_dim = dim3(bx, by, bz);
        for (unsigned z = 0; z < gz; z++)
            for (unsigned y = 0; y < gy; y++)
                for (unsigned x = 0; x < gx; x++)
                {
                    block_idx = uint3{x, y, z};
                    for (unsigned tz = 0; tz < bz; tz++)
                        for (unsigned ty = 0; ty < by; ty++)
                            for (unsigned tx = 0; tx < bx; tx++)
                            {
                                thread_idx = uint3{tx, ty, tz};
                                call(f, args, std::index_sequence_for<A...>{});
                            }
                }
        return 0;
    }
}

#define NTKEMU_EXPORT(name) \
    extern "C" int ntkemu_launch_##name(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, void** args) \
    { return ::ntkemu::launch(name, gx, gy, gz, bx, by, bz, args); } \
    extern "C" const char* ntkemu_signature_##name() { return ::ntkemu::signature(name); }
