// The limits `accounts-bench` compares the project with, measured in the same process: bare OpenSSL 3 (EVP
// AES-256-GCM, HMAC, scrypt) and the bare SQLite C API with prepared statements, doing the same work as
// AccountCrypto and AccountStore. Every function that can fail returns an int status: 1 for success, 0 for failure.
// Timed loops report their own elapsed time (CLOCK_MONOTONIC, the clock of c_baseline_monotonic_ns) so that input
// preparation stays outside the measurement.
#ifndef C_BASELINES_H
#define C_BASELINES_H

#include <stddef.h>
#include <stdint.h>

// How c_baseline_gcm_*_run uses OpenSSL:
// a new EVP_CIPHER_CTX per call, EVP_aes_256_gcm(), key and nonce set per call: what AccountCrypto's shim does.
#define C_BASELINE_GCM_FRESH_CONTEXT 0
// the same, with the cipher fetched once for the run (EVP_CIPHER_fetch) instead of implicitly on every init.
#define C_BASELINE_GCM_FETCHED_CIPHER 1
// one EVP_CIPHER_CTX for the run, key and nonce set per call (the key schedule is still expanded per call).
#define C_BASELINE_GCM_REUSED_CONTEXT 2
// one EVP_CIPHER_CTX for the run, the key set once, only the nonce per call: the ceiling for one key.
#define C_BASELINE_GCM_REUSED_KEY 3

/// Nanoseconds on CLOCK_MONOTONIC.
uint64_t c_baseline_monotonic_ns(void);

/// The SQLite library version in use (sqlite3_libversion).
const char *c_baseline_sqlite_version(void);

/// The OpenSSL library version in use (OpenSSL_version(OPENSSL_VERSION)).
const char *c_baseline_openssl_version(void);

/// Writes KeyRing's associated data for a value sealed under `key_id`: len ‖ header ‖ len ‖ purpose ‖ len ‖ row key,
/// each length 4 bytes big-endian, header = 0x01 ‖ len(key id) (1 byte) ‖ key id. Returns the length written, or 0
/// when it does not fit in `capacity` or the key id is not 1–255 bytes.
size_t c_baseline_associated_data(const char *key_id, const char *purpose, const char *row_key, uint8_t *out,
                                  size_t capacity);

/// The length of a sealed value of `plaintext_len` bytes under `key_id`: header ‖ 12-byte nonce ‖ ciphertext ‖ tag.
size_t c_baseline_sealed_length(const char *key_id, size_t plaintext_len);

/// Seals once, in KeyRing's format, with a fresh random nonce (mode C_BASELINE_GCM_FRESH_CONTEXT).
int c_baseline_gcm_seal(const uint8_t *key, const char *key_id, const char *purpose, const char *row_key,
                        const uint8_t *plaintext, size_t plaintext_len, uint8_t *sealed, size_t sealed_capacity,
                        size_t *sealed_len);

/// Opens one value in KeyRing's format sealed under `key` with id `key_id`; 0 when it does not verify.
int c_baseline_gcm_open(const uint8_t *key, const char *key_id, const char *purpose, const char *row_key,
                        const uint8_t *sealed, size_t sealed_len, uint8_t *plaintext, size_t plaintext_capacity,
                        size_t *plaintext_len);

/// Seals `plaintext` `iterations` times (each with a fresh RAND_bytes nonce and the associated data built per call)
/// in `mode`; writes the time the loop took.
int c_baseline_gcm_seal_run(int mode, const uint8_t *key, const char *key_id, const char *purpose,
                            const char *row_key, const uint8_t *plaintext, size_t plaintext_len, uint64_t iterations,
                            uint64_t *elapsed_ns);

/// Opens `sealed` `iterations` times (header parsed, associated data built, tag checked per call) in `mode`.
int c_baseline_gcm_open_run(int mode, const uint8_t *key, const char *key_id, const char *purpose,
                            const char *row_key, const uint8_t *sealed, size_t sealed_len, uint64_t iterations,
                            uint64_t *elapsed_ns);

/// One-shot HMAC(EVP_sha1(), …) of `message` under `key`, `iterations` times.
int c_baseline_hmac_sha1_run(const uint8_t *key, size_t key_len, const uint8_t *message, size_t message_len,
                             uint64_t iterations, uint64_t *elapsed_ns);

/// One EVP_PBE_scrypt derivation, as PasswordHasher calls it.
int c_baseline_scrypt(const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len, uint64_t n,
                      uint64_t r, uint64_t p, uint64_t max_memory, uint8_t *out, size_t out_len);

/// A Twitter v1.1 verify_credentials user object for `twitter_id` (about 1.5 KB, the shape the allauth peer stores);
/// returns its length, or 0 when it does not fit in `capacity` (which must leave room for a NUL).
size_t c_baseline_profile_json(uint64_t twitter_id, char *out, size_t capacity);

/// A connection to a migrated accounts database with the registration statements prepared once.
typedef struct c_baseline_registrar c_baseline_registrar;

/// Opens `path` (WAL, `synchronous` = "FULL" or "NORMAL", foreign keys on) and prepares the statements of
/// AccountStore's Twitter registration; sealed secrets are sealed with `key` (32 bytes) under `key_id`.
int c_baseline_registrar_open(const char *path, const char *synchronous, const uint8_t *key, const char *key_id,
                              c_baseline_registrar **registrar);

/// Registers one account per Twitter id, `per_transaction` registrations in each BEGIN IMMEDIATE … COMMIT (1 for
/// the benchmark, large to seed). Inputs (names, profile JSON, token) are made before the clock starts; the public
/// id, timestamps, seal and event details are made per registration, inside the timed loop, as the store does.
int c_baseline_registrar_run(c_baseline_registrar *registrar, const uint64_t *twitter_ids, size_t count,
                             size_t per_transaction, uint64_t *elapsed_ns);

/// Finalizes the statements and closes the connection.
void c_baseline_registrar_close(c_baseline_registrar *registrar);

/// The already-registered lookup (TwitterLookup's SQL) on its own read-only connection with one prepared statement:
/// `warmup` untimed lookups of the first ids, then one timed lookup per id, each latency written to `latencies_ns`.
/// Fails if an id is not registered.
int c_baseline_lookup_run(const char *path, const uint64_t *twitter_ids, size_t count, size_t warmup,
                          uint64_t *latencies_ns);

/// Creates a new database at `path` (WAL, synchronous FULL, foreign keys on) and runs each script in its own
/// BEGIN IMMEDIATE … COMMIT.
int c_baseline_migrate(const char *path, const char *const *scripts, size_t count);

#endif
