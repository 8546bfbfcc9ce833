// exp, log and pow through SLEEF's deterministic functions (transcendental.hpp says why).
//
// The SLEEF prototypes are declared here rather than taken from <sleef.h>, which declares a
// vector unit's functions only when the file is compiled for that unit; each wrapper below is
// compiled for its unit with a target attribute, and chosen only where the processor has it.
#include "program/transcendental.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

extern "C" {
// One value: FMA ("finz", purecfma) and without ("cinz", purec); the same bits as the vector
// functions of the same family.
double Sleef_finz_expd1_u10purecfma(double);
double Sleef_finz_logd1_u10purecfma(double);
double Sleef_finz_powd1_u10purecfma(double, double);
double Sleef_cinz_expd1_u10purec(double);
double Sleef_cinz_logd1_u10purec(double);
double Sleef_cinz_powd1_u10purec(double, double);
#if defined(__x86_64__)
__m512d Sleef_finz_expd8_u10avx512f(__m512d);
__m512d Sleef_finz_logd8_u10avx512f(__m512d);
__m512d Sleef_finz_powd8_u10avx512f(__m512d, __m512d);
__m256d Sleef_finz_expd4_u10avx2(__m256d);
__m256d Sleef_finz_logd4_u10avx2(__m256d);
__m256d Sleef_finz_powd4_u10avx2(__m256d, __m256d);
__m128d Sleef_cinz_expd2_u10sse2(__m128d);
__m128d Sleef_cinz_logd2_u10sse2(__m128d);
__m128d Sleef_cinz_powd2_u10sse2(__m128d, __m128d);
#endif
}

namespace h2sim::detail {

namespace {

static_assert(H2SIM_LANES == 8, "the vector wrappers below fill eight lanes");

// Eight lanes one value at a time (a processor with FMA but without AVX2).
void exp8_fma(const double* in, double* out) {
  for (int l = 0; l < 8; ++l) out[l] = Sleef_finz_expd1_u10purecfma(in[l]);
}
void log8_fma(const double* in, double* out) {
  for (int l = 0; l < 8; ++l) out[l] = Sleef_finz_logd1_u10purecfma(in[l]);
}
void pow8_fma(const double* a, const double* b, double* out) {
  for (int l = 0; l < 8; ++l) out[l] = Sleef_finz_powd1_u10purecfma(a[l], b[l]);
}
void exp8_plain(const double* in, double* out) {
  for (int l = 0; l < 8; ++l) out[l] = Sleef_cinz_expd1_u10purec(in[l]);
}
void log8_plain(const double* in, double* out) {
  for (int l = 0; l < 8; ++l) out[l] = Sleef_cinz_logd1_u10purec(in[l]);
}
void pow8_plain(const double* a, const double* b, double* out) {
  for (int l = 0; l < 8; ++l) out[l] = Sleef_cinz_powd1_u10purec(a[l], b[l]);
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) void exp8_avx512(const double* in, double* out) {
  _mm512_storeu_pd(out, Sleef_finz_expd8_u10avx512f(_mm512_loadu_pd(in)));
}
__attribute__((target("avx512f"))) void log8_avx512(const double* in, double* out) {
  _mm512_storeu_pd(out, Sleef_finz_logd8_u10avx512f(_mm512_loadu_pd(in)));
}
__attribute__((target("avx512f"))) void pow8_avx512(const double* a, const double* b, double* out) {
  _mm512_storeu_pd(out, Sleef_finz_powd8_u10avx512f(_mm512_loadu_pd(a), _mm512_loadu_pd(b)));
}
__attribute__((target("avx2,fma"))) void exp8_avx2(const double* in, double* out) {
  const __m256d low = Sleef_finz_expd4_u10avx2(_mm256_loadu_pd(in));
  const __m256d high = Sleef_finz_expd4_u10avx2(_mm256_loadu_pd(in + 4));
  _mm256_storeu_pd(out, low);
  _mm256_storeu_pd(out + 4, high);
}
__attribute__((target("avx2,fma"))) void log8_avx2(const double* in, double* out) {
  const __m256d low = Sleef_finz_logd4_u10avx2(_mm256_loadu_pd(in));
  const __m256d high = Sleef_finz_logd4_u10avx2(_mm256_loadu_pd(in + 4));
  _mm256_storeu_pd(out, low);
  _mm256_storeu_pd(out + 4, high);
}
__attribute__((target("avx2,fma"))) void pow8_avx2(const double* a, const double* b, double* out) {
  const __m256d low = Sleef_finz_powd4_u10avx2(_mm256_loadu_pd(a), _mm256_loadu_pd(b));
  const __m256d high = Sleef_finz_powd4_u10avx2(_mm256_loadu_pd(a + 4), _mm256_loadu_pd(b + 4));
  _mm256_storeu_pd(out, low);
  _mm256_storeu_pd(out + 4, high);
}
void exp8_sse2(const double* in, double* out) {
  for (int l = 0; l < 8; l += 2)
    _mm_storeu_pd(out + l, Sleef_cinz_expd2_u10sse2(_mm_loadu_pd(in + l)));
}
void log8_sse2(const double* in, double* out) {
  for (int l = 0; l < 8; l += 2)
    _mm_storeu_pd(out + l, Sleef_cinz_logd2_u10sse2(_mm_loadu_pd(in + l)));
}
void pow8_sse2(const double* a, const double* b, double* out) {
  for (int l = 0; l < 8; l += 2)
    _mm_storeu_pd(out + l, Sleef_cinz_powd2_u10sse2(_mm_loadu_pd(a + l), _mm_loadu_pd(b + l)));
}
#endif

struct Choice {
  h2sim_math functions;
  const char* name;
};

Choice choose() {
  constexpr h2sim_math fma_scalar = {Sleef_finz_expd1_u10purecfma,
                                     Sleef_finz_logd1_u10purecfma,
                                     Sleef_finz_powd1_u10purecfma,
                                     exp8_fma,
                                     log8_fma,
                                     pow8_fma};
  constexpr h2sim_math plain = {Sleef_cinz_expd1_u10purec,
                                Sleef_cinz_logd1_u10purec,
                                Sleef_cinz_powd1_u10purec,
                                exp8_plain,
                                log8_plain,
                                pow8_plain};
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("fma")) {
    h2sim_math f = fma_scalar;
    if (__builtin_cpu_supports("avx512f")) {
      f.exp8 = exp8_avx512;
      f.log8 = log8_avx512;
      f.pow8 = pow8_avx512;
      return {f, "SLEEF deterministic with FMA (finz), AVX-512 for blocks"};
    }
    if (__builtin_cpu_supports("avx2")) {
      f.exp8 = exp8_avx2;
      f.log8 = log8_avx2;
      f.pow8 = pow8_avx2;
      return {f, "SLEEF deterministic with FMA (finz), AVX2 for blocks"};
    }
    return {f, "SLEEF deterministic with FMA (finz), one value at a time"};
  }
  h2sim_math f = plain;
  f.exp8 = exp8_sse2;
  f.log8 = log8_sse2;
  f.pow8 = pow8_sse2;
  return {f, "SLEEF deterministic without FMA (cinz), SSE2 for blocks"};
#else
  (void)fma_scalar;
  return {plain, "SLEEF deterministic without FMA (cinz), one value at a time"};
#endif
}

const Choice& chosen() {
  static const Choice choice = choose();
  return choice;
}

}  // namespace

const h2sim_math& math_functions() { return chosen().functions; }
const char* math_functions_name() { return chosen().name; }

}  // namespace h2sim::detail
