// libFuzzer's driver, declared for Swift. SwiftPM links an executable's `main` to its module's own entry point, so
// libFuzzer's `main` never runs; a fuzz target's `main` calls this instead (built with -sanitize=fuzzer, which links
// libFuzzer). Nothing references it in a normal build.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
