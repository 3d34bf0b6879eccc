// The only header of this package that includes OpenSSL. Every function returns an int status:
// 1 for success, 0 for failure (for c_accounts_aes_256_gcm_open: 0 means the tag did not verify,
// -1 means any other failure). Lengths are size_t; pointers may be NULL only when their length is 0.
#ifndef C_ACCOUNTS_OPENSSL_H
#define C_ACCOUNTS_OPENSSL_H

#include <stddef.h>
#include <stdint.h>

/// HMAC-SHA1 of `message` under `key`; writes 20 bytes to `out`.
int c_accounts_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *message, size_t message_len,
                         uint8_t *out);

/// SHA-256 of `length` bytes at `data`; writes 32 bytes to `out`.
int c_accounts_sha256(const uint8_t *data, size_t length, uint8_t *out);

/// Fills `buffer` with `length` bytes from OpenSSL's CSPRNG (RAND_bytes).
int c_accounts_random_bytes(uint8_t *buffer, size_t length);

/// CRYPTO_memcmp: returns 0 when the `length` bytes at `a` and `b` are equal, non-zero otherwise, in constant time.
int c_accounts_constant_time_compare(const uint8_t *a, const uint8_t *b, size_t length);

/// OPENSSL_cleanse: overwrites `length` bytes at `buffer` with zeros in a way the compiler does not remove.
void c_accounts_cleanse(void *buffer, size_t length);

/// AES-256-GCM encryption with a 32-byte key, a nonce of `nonce_len` bytes (12 recommended) and associated data.
/// Writes `plaintext_len` bytes to `ciphertext` and 16 bytes to `tag`.
int c_accounts_aes_256_gcm_seal(const uint8_t *key, const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                                size_t aad_len, const uint8_t *plaintext, size_t plaintext_len, uint8_t *ciphertext,
                                uint8_t *tag);

/// AES-256-GCM decryption; writes `ciphertext_len` bytes to `plaintext` (cleansed again when the tag fails).
/// Returns 1 when the 16-byte tag verifies, 0 when it does not, -1 on any other failure.
int c_accounts_aes_256_gcm_open(const uint8_t *key, const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                                size_t aad_len, const uint8_t *ciphertext, size_t ciphertext_len, const uint8_t *tag,
                                uint8_t *plaintext);

/// scrypt (RFC 7914) through EVP_PBE_scrypt; `max_memory` bounds the memory OpenSSL may use (0 = its 32 MiB default).
int c_accounts_scrypt(const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len, uint64_t n,
                      uint64_t r, uint64_t p, uint64_t max_memory, uint8_t *out, size_t out_len);

/// PBKDF2 with HMAC-SHA-256 (PKCS5_PBKDF2_HMAC, EVP_sha256).
int c_accounts_pbkdf2_hmac_sha256(const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len,
                                  uint32_t iterations, uint8_t *out, size_t out_len);

#endif
