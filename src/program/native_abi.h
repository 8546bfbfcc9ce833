/* What the library and a compiled model share: the functions the library lends the model
 * (exp, log and pow, so that both compute them with the same code) and the kernel the model
 * exports. Written in C, because the compiled backend (src/native) pastes this very text
 * into the code it generates. Keep it free of anything C lacks. */
#ifndef H2SIM_NATIVE_ABI_H
#define H2SIM_NATIVE_ABI_H

/* Raised whenever this file changes, so that a cached model built against another version
 * is built again rather than loaded. */
#define H2SIM_NATIVE_ABI 2

/* The lanes of a batch block: slot k of a block holds lanes [8k, 8k + 8). */
#define H2SIM_LANES 8

/* exp, log and pow of one value, and of H2SIM_LANES values (out may be in). */
struct h2sim_math {
  double (*exp1)(double);
  double (*log1)(double);
  double (*pow1)(double, double);
  void (*exp8)(const double* in, double* out);
  void (*log8)(const double* in, double* out);
  void (*pow8)(const double* base, const double* exponent, double* out);
};

/* The table a schedule reads in one lane (a lever's trajectory, bound per run): `count`
 * points (x increasing; a repeated x is a jump), read as h2sim_interpolate reads with `mode`.
 * The same layout as the library's BoundTable. */
struct h2sim_table {
  const double* x;
  const double* y;
  int count;
  int mode;
};

/* Runs the instructions of a program over its slots: one lane (slot k at slots[k]) or a block
 * of H2SIM_LANES (slot k at slots[8k..8k+7]). The lookup tables' points are the program's;
 * `schedules` holds schedule k's table for lane l at [k * lanes + l]. */
typedef void (*h2sim_code)(double* slots, const double* lookup_x, const double* lookup_y,
                           const struct h2sim_table* schedules);

struct h2sim_native_kernel {
  int abi;        /* H2SIM_NATIVE_ABI */
  int slot_count; /* the slots the code expects */
  h2sim_code init1, step1, init8, step8;
};

/* The one symbol a compiled model exports: given the library's functions, its kernel. */
#define H2SIM_NATIVE_ENTRY "h2sim_native_entry"
typedef const struct h2sim_native_kernel* (*h2sim_native_entry_fn)(const struct h2sim_math*);

#endif
