namespace NtkDsl.Cuda.Tests.Support;

/// <summary>
/// Hand-written CUDA C kernels: the same text goes to NVRTC on a GPU and to g++ with the compatibility header in the
/// emulation. Elementwise work of the structured NTK: an activation with its derivative, and a Hadamard accumulate.
/// </summary>
internal static class KernelSources
{
    public const string Elementwise = """
        // φ = erf and φ' = 2/√π·exp(−h²), float64.
        extern "C" __global__ void erf_forward(const double* __restrict__ h, double* __restrict__ phi, double* __restrict__ dphi, long long n)
        {
            long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n)
            {
                double x = h[i];
                phi[i] = erf(x);
                dphi[i] = 1.1283791670955125739 * exp(-x * x);
            }
        }

        // φ = tanh and φ' = 1 − tanh², float32.
        extern "C" __global__ void tanh_forward_f(const float* __restrict__ h, float* __restrict__ phi, float* __restrict__ dphi, long long n)
        {
            long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n)
            {
                float t = tanhf(h[i]);
                phi[i] = t;
                dphi[i] = 1.0f - t * t;
            }
        }

        // out += (cx·gx + cb) ⊙ gd: one layer's weight-and-bias term of the structured NTK (math.md §2).
        extern "C" __global__ void hadamard_accumulate(const double* __restrict__ gx, const double* __restrict__ gd, double* __restrict__ out, double cx, double cb, long long n)
        {
            long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) out[i] += (cx * gx[i] + cb) * gd[i];
        }

        // t = aᵀ for a rows × cols (row-major), on a 2-D grid of 2-D blocks.
        extern "C" __global__ void transpose2d(const double* __restrict__ a, double* __restrict__ t, int rows, int cols)
        {
            int c = blockIdx.x * blockDim.x + threadIdx.x;
            int r = blockIdx.y * blockDim.y + threadIdx.y;
            if (r < rows && c < cols) t[(long long)c * rows + r] = a[(long long)r * cols + c];
        }
        """;
}
