#ifndef C_FUZZ_DRIVER_H
#define C_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that bring their own main (LLVM 11 and later); linked with -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// 1 in builds made for libFuzzer (FUZZING defined), 0 otherwise.
int c_fuzz_driver_available(void);

#endif
