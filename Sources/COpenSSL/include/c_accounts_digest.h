#ifndef C_ACCOUNTS_DIGEST_H
#define C_ACCOUNTS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256 of `length` bytes at `data` into the 32 bytes at `out`. Returns 1 on success, 0 on failure.
int c_accounts_sha256(const uint8_t *data, size_t length, uint8_t *out);

#endif
