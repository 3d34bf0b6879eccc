#include "c_fuzz_driver.h"

#ifdef FUZZING
// SwiftPM links each executable with `main` defined as `<module>_main` (so test bundles can link executables).
// Under libFuzzer the fuzz targets have no Swift entry point: these hand over to libFuzzer's driver, calling the
// target's `LLVMFuzzerTestOneInput` (a Swift `@_cdecl` function in each fuzz executable).
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

int fuzz_callback_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_twitter_json_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_oauth_form_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_sealed_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_password_hash_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_import_line_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_mailbox_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_names_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_text_misc_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_web_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_sandbox_main(int argc, char **argv) { return run(argc, argv); }
#endif

/// Keeps the translation unit non-empty in ordinary builds.
int c_fuzz_driver_available(void) {
#ifdef FUZZING
    return 1;
#else
    return 0;
#endif
}
