// clock_gettime and CLOCK_MONOTONIC under a strict -std=c11 as well.
#define _POSIX_C_SOURCE 200809L

#include "c_baselines.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    c_baseline_nonce_len = 12,
    c_baseline_tag_len = 16,
    c_baseline_max_header = 2 + 255,
    // The associated data of a value: three 4-byte lengths, the header, the purpose and the row key.
    c_baseline_max_aad = 12 + c_baseline_max_header + 256 + 256,
};

static const uint8_t c_baseline_format_version = 0x01;

uint64_t c_baseline_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static int64_t c_baseline_realtime_us(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000 + (int64_t)(now.tv_nsec / 1000);
}

const char *c_baseline_sqlite_version(void) { return sqlite3_libversion(); }

const char *c_baseline_openssl_version(void) { return OpenSSL_version(OPENSSL_VERSION); }

// MARK: - AES-256-GCM in KeyRing's format

static void c_baseline_put_length(uint8_t *out, size_t length) {
    out[0] = (uint8_t)(length >> 24);
    out[1] = (uint8_t)(length >> 16);
    out[2] = (uint8_t)(length >> 8);
    out[3] = (uint8_t)length;
}

// len ‖ field, appended at *offset; 0 when it does not fit.
static int c_baseline_append_field(uint8_t *out, size_t capacity, size_t *offset, const uint8_t *field,
                                   size_t length) {
    if (capacity - *offset < 4 || capacity - *offset - 4 < length) {
        return 0;
    }
    c_baseline_put_length(out + *offset, length);
    memcpy(out + *offset + 4, field, length);
    *offset += 4 + length;
    return 1;
}

static size_t c_baseline_header(const char *key_id, uint8_t *out) {
    size_t id_len = strlen(key_id);
    if (id_len == 0 || id_len > 255) {
        return 0;
    }
    out[0] = c_baseline_format_version;
    out[1] = (uint8_t)id_len;
    memcpy(out + 2, key_id, id_len);
    return 2 + id_len;
}

static size_t c_baseline_aad_for_header(const uint8_t *header, size_t header_len, const char *purpose,
                                        const char *row_key, uint8_t *out, size_t capacity) {
    size_t offset = 0;
    if (!c_baseline_append_field(out, capacity, &offset, header, header_len) ||
        !c_baseline_append_field(out, capacity, &offset, (const uint8_t *)purpose, strlen(purpose)) ||
        !c_baseline_append_field(out, capacity, &offset, (const uint8_t *)row_key, strlen(row_key))) {
        return 0;
    }
    return offset;
}

size_t c_baseline_associated_data(const char *key_id, const char *purpose, const char *row_key, uint8_t *out,
                                  size_t capacity) {
    uint8_t header[c_baseline_max_header];
    size_t header_len = c_baseline_header(key_id, header);
    if (header_len == 0) {
        return 0;
    }
    return c_baseline_aad_for_header(header, header_len, purpose, row_key, out, capacity);
}

size_t c_baseline_sealed_length(const char *key_id, size_t plaintext_len) {
    return 2 + strlen(key_id) + c_baseline_nonce_len + plaintext_len + c_baseline_tag_len;
}

// The OpenSSL state one run keeps, depending on its mode.
typedef struct {
    int mode;
    const uint8_t *key;
    EVP_CIPHER *fetched;   // C_BASELINE_GCM_FETCHED_CIPHER
    EVP_CIPHER_CTX *ctx;   // C_BASELINE_GCM_REUSED_CONTEXT and C_BASELINE_GCM_REUSED_KEY
} c_baseline_gcm;

static int c_baseline_gcm_begin(c_baseline_gcm *gcm, int mode, const uint8_t *key, int encrypt) {
    memset(gcm, 0, sizeof(*gcm));
    gcm->mode = mode;
    gcm->key = key;
    switch (mode) {
    case C_BASELINE_GCM_FRESH_CONTEXT:
        return 1;
    case C_BASELINE_GCM_FETCHED_CIPHER:
        gcm->fetched = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
        return gcm->fetched != NULL;
    case C_BASELINE_GCM_REUSED_CONTEXT:
    case C_BASELINE_GCM_REUSED_KEY:
        gcm->ctx = EVP_CIPHER_CTX_new();
        if (gcm->ctx == NULL ||
            EVP_CipherInit_ex(gcm->ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) != 1 ||
            EVP_CIPHER_CTX_ctrl(gcm->ctx, EVP_CTRL_GCM_SET_IVLEN, c_baseline_nonce_len, NULL) != 1) {
            return 0;
        }
        if (mode == C_BASELINE_GCM_REUSED_KEY && EVP_CipherInit_ex(gcm->ctx, NULL, NULL, key, NULL, encrypt) != 1) {
            return 0;
        }
        return 1;
    default:
        return 0;
    }
}

static void c_baseline_gcm_release(c_baseline_gcm *gcm, EVP_CIPHER_CTX *ctx);

static void c_baseline_gcm_end(c_baseline_gcm *gcm) {
    EVP_CIPHER_CTX_free(gcm->ctx);
    EVP_CIPHER_free(gcm->fetched);
    memset(gcm, 0, sizeof(*gcm));
}

// A context ready for one operation with `nonce` and `aad` absorbed; the caller releases it with
// c_baseline_gcm_release.
static EVP_CIPHER_CTX *c_baseline_gcm_acquire(c_baseline_gcm *gcm, int encrypt, const uint8_t *nonce,
                                              const uint8_t *aad, size_t aad_len) {
    EVP_CIPHER_CTX *ctx = gcm->ctx;
    switch (gcm->mode) {
    case C_BASELINE_GCM_FRESH_CONTEXT:
    case C_BASELINE_GCM_FETCHED_CIPHER: {
        const EVP_CIPHER *cipher = gcm->mode == C_BASELINE_GCM_FRESH_CONTEXT ? EVP_aes_256_gcm() : gcm->fetched;
        ctx = EVP_CIPHER_CTX_new();
        if (ctx == NULL) {
            return NULL;
        }
        if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, encrypt) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, c_baseline_nonce_len, NULL) != 1 ||
            EVP_CipherInit_ex(ctx, NULL, NULL, gcm->key, nonce, encrypt) != 1) {
            EVP_CIPHER_CTX_free(ctx);
            return NULL;
        }
        break;
    }
    case C_BASELINE_GCM_REUSED_CONTEXT:
        if (EVP_CipherInit_ex(ctx, NULL, NULL, gcm->key, nonce, encrypt) != 1) {
            return NULL;
        }
        break;
    case C_BASELINE_GCM_REUSED_KEY:
        if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, encrypt) != 1) {
            return NULL;
        }
        break;
    default:
        return NULL;
    }
    int out_len = 0;
    if (EVP_CipherUpdate(ctx, NULL, &out_len, aad, (int)aad_len) != 1) {
        c_baseline_gcm_release(gcm, ctx);
        return NULL;
    }
    return ctx;
}

static void c_baseline_gcm_release(c_baseline_gcm *gcm, EVP_CIPHER_CTX *ctx) {
    if (ctx != gcm->ctx) {
        EVP_CIPHER_CTX_free(ctx);
    }
}

// One seal in KeyRing's format: header ‖ random nonce ‖ ciphertext ‖ tag.
static int c_baseline_seal_one(c_baseline_gcm *gcm, const char *key_id, const char *purpose, const char *row_key,
                               const uint8_t *plaintext, size_t plaintext_len, uint8_t *sealed, size_t capacity,
                               size_t *sealed_len) {
    if (plaintext_len > INT_MAX || capacity < c_baseline_sealed_length(key_id, plaintext_len)) {
        return 0;
    }
    size_t header_len = c_baseline_header(key_id, sealed);
    if (header_len == 0) {
        return 0;
    }
    uint8_t *nonce = sealed + header_len;
    uint8_t *ciphertext = nonce + c_baseline_nonce_len;
    uint8_t *tag = ciphertext + plaintext_len;
    if (RAND_bytes(nonce, c_baseline_nonce_len) != 1) {
        return 0;
    }
    uint8_t aad[c_baseline_max_aad];
    size_t aad_len = c_baseline_aad_for_header(sealed, header_len, purpose, row_key, aad, sizeof(aad));
    if (aad_len == 0) {
        return 0;
    }
    EVP_CIPHER_CTX *ctx = c_baseline_gcm_acquire(gcm, 1, nonce, aad, aad_len);
    if (ctx == NULL) {
        return 0;
    }
    int status = 0;
    int out_len = 0;
    int final_len = 0;
    if (EVP_EncryptUpdate(ctx, ciphertext, &out_len, plaintext, (int)plaintext_len) == 1 &&
        (size_t)out_len == plaintext_len && EVP_EncryptFinal_ex(ctx, ciphertext + out_len, &final_len) == 1 &&
        final_len == 0 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, c_baseline_tag_len, tag) == 1) {
        *sealed_len = header_len + c_baseline_nonce_len + plaintext_len + c_baseline_tag_len;
        status = 1;
    }
    c_baseline_gcm_release(gcm, ctx);
    return status;
}

// One open of a value in KeyRing's format: header checked against the one key, tag verified.
static int c_baseline_open_one(c_baseline_gcm *gcm, const char *key_id, const char *purpose, const char *row_key,
                               const uint8_t *sealed, size_t sealed_len, uint8_t *plaintext, size_t capacity,
                               size_t *plaintext_len) {
    size_t id_len = strlen(key_id);
    if (sealed_len < 2 || sealed[0] != c_baseline_format_version || sealed[1] != id_len ||
        sealed_len < 2 + id_len + c_baseline_nonce_len + c_baseline_tag_len ||
        memcmp(sealed + 2, key_id, id_len) != 0) {
        return 0;
    }
    size_t header_len = 2 + id_len;
    const uint8_t *nonce = sealed + header_len;
    const uint8_t *ciphertext = nonce + c_baseline_nonce_len;
    size_t ciphertext_len = sealed_len - header_len - c_baseline_nonce_len - c_baseline_tag_len;
    const uint8_t *tag = ciphertext + ciphertext_len;
    if (ciphertext_len > INT_MAX || capacity < ciphertext_len) {
        return 0;
    }
    uint8_t aad[c_baseline_max_aad];
    size_t aad_len = c_baseline_aad_for_header(sealed, header_len, purpose, row_key, aad, sizeof(aad));
    if (aad_len == 0) {
        return 0;
    }
    EVP_CIPHER_CTX *ctx = c_baseline_gcm_acquire(gcm, 0, nonce, aad, aad_len);
    if (ctx == NULL) {
        return 0;
    }
    int status = 0;
    int out_len = 0;
    int final_len = 0;
    if (EVP_DecryptUpdate(ctx, plaintext, &out_len, ciphertext, (int)ciphertext_len) == 1 &&
        (size_t)out_len == ciphertext_len &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, c_baseline_tag_len, (void *)tag) == 1 &&
        EVP_DecryptFinal_ex(ctx, plaintext + out_len, &final_len) == 1) {
        *plaintext_len = ciphertext_len;
        status = 1;
    }
    c_baseline_gcm_release(gcm, ctx);
    return status;
}

int c_baseline_gcm_seal(const uint8_t *key, const char *key_id, const char *purpose, const char *row_key,
                        const uint8_t *plaintext, size_t plaintext_len, uint8_t *sealed, size_t sealed_capacity,
                        size_t *sealed_len) {
    c_baseline_gcm gcm;
    if (!c_baseline_gcm_begin(&gcm, C_BASELINE_GCM_FRESH_CONTEXT, key, 1)) {
        return 0;
    }
    int status = c_baseline_seal_one(&gcm, key_id, purpose, row_key, plaintext, plaintext_len, sealed,
                                     sealed_capacity, sealed_len);
    c_baseline_gcm_end(&gcm);
    return status;
}

int c_baseline_gcm_open(const uint8_t *key, const char *key_id, const char *purpose, const char *row_key,
                        const uint8_t *sealed, size_t sealed_len, uint8_t *plaintext, size_t plaintext_capacity,
                        size_t *plaintext_len) {
    c_baseline_gcm gcm;
    if (!c_baseline_gcm_begin(&gcm, C_BASELINE_GCM_FRESH_CONTEXT, key, 0)) {
        return 0;
    }
    int status = c_baseline_open_one(&gcm, key_id, purpose, row_key, sealed, sealed_len, plaintext,
                                     plaintext_capacity, plaintext_len);
    c_baseline_gcm_end(&gcm);
    return status;
}

int c_baseline_gcm_seal_run(int mode, const uint8_t *key, const char *key_id, const char *purpose,
                            const char *row_key, const uint8_t *plaintext, size_t plaintext_len, uint64_t iterations,
                            uint64_t *elapsed_ns) {
    size_t capacity = c_baseline_sealed_length(key_id, plaintext_len);
    uint8_t *sealed = malloc(capacity);
    c_baseline_gcm gcm;
    if (sealed == NULL || !c_baseline_gcm_begin(&gcm, mode, key, 1)) {
        free(sealed);
        return 0;
    }
    int status = 1;
    size_t sealed_len = 0;
    uint64_t start = c_baseline_monotonic_ns();
    for (uint64_t i = 0; i < iterations && status; i++) {
        status = c_baseline_seal_one(&gcm, key_id, purpose, row_key, plaintext, plaintext_len, sealed, capacity,
                                     &sealed_len);
    }
    *elapsed_ns = c_baseline_monotonic_ns() - start;
    c_baseline_gcm_end(&gcm);
    free(sealed);
    return status;
}

int c_baseline_gcm_open_run(int mode, const uint8_t *key, const char *key_id, const char *purpose,
                            const char *row_key, const uint8_t *sealed, size_t sealed_len, uint64_t iterations,
                            uint64_t *elapsed_ns) {
    uint8_t *plaintext = malloc(sealed_len);
    c_baseline_gcm gcm;
    if (plaintext == NULL || !c_baseline_gcm_begin(&gcm, mode, key, 0)) {
        free(plaintext);
        return 0;
    }
    int status = 1;
    size_t plaintext_len = 0;
    uint64_t start = c_baseline_monotonic_ns();
    for (uint64_t i = 0; i < iterations && status; i++) {
        status = c_baseline_open_one(&gcm, key_id, purpose, row_key, sealed, sealed_len, plaintext, sealed_len,
                                     &plaintext_len);
    }
    *elapsed_ns = c_baseline_monotonic_ns() - start;
    c_baseline_gcm_end(&gcm);
    OPENSSL_cleanse(plaintext, sealed_len);
    free(plaintext);
    return status;
}

// MARK: - HMAC-SHA1 and scrypt

int c_baseline_hmac_sha1_run(const uint8_t *key, size_t key_len, const uint8_t *message, size_t message_len,
                             uint64_t iterations, uint64_t *elapsed_ns) {
    if (key_len > INT_MAX) {
        return 0;
    }
    uint8_t out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;
    int status = 1;
    uint64_t start = c_baseline_monotonic_ns();
    for (uint64_t i = 0; i < iterations && status; i++) {
        status = HMAC(EVP_sha1(), key, (int)key_len, message, message_len, out, &out_len) != NULL && out_len == 20;
    }
    *elapsed_ns = c_baseline_monotonic_ns() - start;
    return status;
}

int c_baseline_scrypt(const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len, uint64_t n,
                      uint64_t r, uint64_t p, uint64_t max_memory, uint8_t *out, size_t out_len) {
    return EVP_PBE_scrypt((const char *)password, password_len, salt, salt_len, n, r, p, max_memory, out,
                          out_len) == 1;
}

// MARK: - SQLite: the Twitter registration

size_t c_baseline_profile_json(uint64_t twitter_id, char *out, size_t capacity) {
    char sn[24];
    snprintf(sn, sizeof(sn), "u%llx", (unsigned long long)twitter_id);
    unsigned long long id = (unsigned long long)twitter_id;
    // json.dumps of allauth_bench.py's profile_json(tid, sn), key for key.
    int written = snprintf(
        out, capacity,
        "{\"id\": %llu, \"id_str\": \"%llu\", \"name\": \"Bench User %s\", \"screen_name\": \"%s\", "
        "\"location\": \"Lisbon, Portugal\", \"description\": \"Writes software, reads papers, drinks too much "
        "coffee. Opinions are my own and occasionally my cat's.\", \"url\": \"https://t.co/AbCdEf1234\", "
        "\"entities\": {\"url\": {\"urls\": [{\"url\": \"https://t.co/AbCdEf1234\", \"expanded_url\": "
        "\"https://example.org/%s\", \"display_url\": \"example.org/%s\", \"indices\": [0, 23]}]}, "
        "\"description\": {\"urls\": []}}, \"protected\": false, \"followers_count\": 1234, \"friends_count\": 567, "
        "\"listed_count\": 12, \"created_at\": \"Wed Jun 03 14:22:51 +0000 2009\", \"favourites_count\": 8910, "
        "\"utc_offset\": null, \"time_zone\": null, \"geo_enabled\": false, \"verified\": false, "
        "\"statuses_count\": 4321, \"lang\": null, \"profile_background_color\": \"C0DEED\", "
        "\"profile_image_url\": \"http://pbs.twimg.com/profile_images/1234567890123456789/AbCdEfGh_normal.jpg\", "
        "\"profile_image_url_https\": "
        "\"https://pbs.twimg.com/profile_images/1234567890123456789/AbCdEfGh_normal.jpg\", "
        "\"profile_banner_url\": \"https://pbs.twimg.com/profile_banners/%llu/1600000000\", "
        "\"profile_link_color\": \"1DA1F2\", \"profile_sidebar_border_color\": \"C0DEED\", "
        "\"profile_sidebar_fill_color\": \"DDEEF6\", \"profile_text_color\": \"333333\", "
        "\"profile_use_background_image\": true, \"default_profile\": false, \"default_profile_image\": false, "
        "\"following\": false, \"notifications\": false, \"translator_type\": \"none\", \"email\": "
        "\"%s@example.org\"}",
        id, id, sn, sn, sn, sn, id, sn);
    if (written < 0 || (size_t)written >= capacity) {
        return 0;
    }
    return (size_t)written;
}

enum {
    c_baseline_statement_begin,
    c_baseline_statement_commit,
    c_baseline_statement_rollback,
    c_baseline_statement_user,
    c_baseline_statement_identity,
    c_baseline_statement_credential,
    c_baseline_statement_event,
    c_baseline_statement_count,
};

// The statements AccountStore.createAccount(_:linking:credential:consumingDraft:) runs, in its column order.
static const char *const c_baseline_registration_sql[c_baseline_statement_count] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "INSERT INTO users (id, public_id, username, email, email_mailbox, email_rules_version, first_name, last_name, "
    "password_hash, status, created_at, updated_at, last_sign_in_at) "
    "VALUES (NULL, ?, ?, ?, ?, ?, NULL, NULL, NULL, 'active', ?, ?, NULL)",
    "INSERT INTO twitter_identities (id, user_id, twitter_user_id, screen_name, display_name, profile_json, "
    "linked_at, last_seen_at) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO twitter_credentials (identity_id, access_token, sealed_secret, key_id, updated_at) "
    "VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (identity_id) DO UPDATE SET access_token = excluded.access_token, "
    "sealed_secret = excluded.sealed_secret, key_id = excluded.key_id, updated_at = excluded.updated_at",
    "INSERT INTO account_events (subject, kind, actor, details, occurred_at) VALUES (?, ?, ?, ?, ?)",
};

struct c_baseline_registrar {
    sqlite3 *db;
    sqlite3_stmt *statements[c_baseline_statement_count];
    uint8_t key[32];
    char key_id[256];
    c_baseline_gcm gcm;  // C_BASELINE_GCM_FRESH_CONTEXT, as the store seals
};

// What a registration starts from: the profile as fetched and the token Twitter granted.
typedef struct {
    char twitter_id[24];
    char username[24];
    char email[48];
    char display_name[48];
    char token[80];
    char secret[48];
    char *profile;
    size_t profile_len;
} c_baseline_registration;

static int c_baseline_exec(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK; }

int c_baseline_registrar_open(const char *path, const char *synchronous, const uint8_t *key, const char *key_id,
                              c_baseline_registrar **registrar) {
    *registrar = NULL;
    if (strcmp(synchronous, "FULL") != 0 && strcmp(synchronous, "NORMAL") != 0 && strcmp(synchronous, "OFF") != 0) {
        return 0;
    }
    if (strlen(key_id) == 0 || strlen(key_id) > 255) {
        return 0;
    }
    c_baseline_registrar *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return 0;
    }
    memcpy(r->key, key, sizeof(r->key));
    strcpy(r->key_id, key_id);
    c_baseline_gcm_begin(&r->gcm, C_BASELINE_GCM_FRESH_CONTEXT, r->key, 1);
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA synchronous = %s", synchronous);
    int ok = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
             sqlite3_busy_timeout(r->db, 30000) == SQLITE_OK && c_baseline_exec(r->db, "PRAGMA journal_mode = WAL") &&
             c_baseline_exec(r->db, pragma) && c_baseline_exec(r->db, "PRAGMA foreign_keys = ON");
    for (int i = 0; ok && i < c_baseline_statement_count; i++) {
        ok = sqlite3_prepare_v3(r->db, c_baseline_registration_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &r->statements[i], NULL) == SQLITE_OK;
    }
    if (!ok) {
        fprintf(stderr, "c_baseline_registrar_open: %s\n", r->db != NULL ? sqlite3_errmsg(r->db) : "out of memory");
        c_baseline_registrar_close(r);
        return 0;
    }
    *registrar = r;
    return 1;
}

void c_baseline_registrar_close(c_baseline_registrar *registrar) {
    if (registrar == NULL) {
        return;
    }
    for (int i = 0; i < c_baseline_statement_count; i++) {
        sqlite3_finalize(registrar->statements[i]);
    }
    sqlite3_close_v2(registrar->db);
    OPENSSL_cleanse(registrar->key, sizeof(registrar->key));
    free(registrar);
}

// Steps a statement that returns no row and resets it (bindings stay until rebound).
static int c_baseline_step(sqlite3_stmt *statement) {
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    return rc == SQLITE_DONE;
}

static void c_baseline_random_text(char *out, size_t length) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t random[128];
    RAND_bytes(random, (int)length);
    for (size_t i = 0; i < length; i++) {
        out[i] = alphabet[random[i] % 62];
    }
    out[length] = '\0';
}

// A lowercase random (version 4) UUID, as UserID.random() makes.
static int c_baseline_uuid(char out[37]) {
    uint8_t bytes[16];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
        return 0;
    }
    bytes[6] = (uint8_t)((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (uint8_t)((bytes[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[bytes[i] >> 4];
        out[o++] = hex[bytes[i] & 0x0f];
    }
    out[o] = '\0';
    return 1;
}

static int c_baseline_insert_event(c_baseline_registrar *r, const char *subject, const char *kind,
                                   const char *details, int64_t now) {
    sqlite3_stmt *s = r->statements[c_baseline_statement_event];
    sqlite3_bind_text(s, 1, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, "user", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, details, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now);
    return c_baseline_step(s);
}

static int c_baseline_register_one(c_baseline_registrar *r, const c_baseline_registration *in) {
    int64_t now = c_baseline_realtime_us();
    char public_id[37];
    uint8_t sealed[512];
    size_t sealed_len = 0;
    char details[160];
    if (!c_baseline_uuid(public_id) ||
        !c_baseline_seal_one(&r->gcm, r->key_id,
                             "twitter-credential", in->twitter_id, (const uint8_t *)in->secret, strlen(in->secret),
                             sealed, sizeof(sealed), &sealed_len)) {
        return 0;
    }
    snprintf(details, sizeof(details), "{\"screen_name\":\"%s\",\"twitter_id\":\"%s\"}", in->username,
             in->twitter_id);

    sqlite3_stmt *s = r->statements[c_baseline_statement_user];
    sqlite3_bind_text(s, 1, public_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, in->username, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, in->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, in->email, -1, SQLITE_STATIC);  // the normalised mailbox of an example.org address
    sqlite3_bind_int(s, 5, 1);
    sqlite3_bind_int64(s, 6, now);
    sqlite3_bind_int64(s, 7, now);
    if (!c_baseline_step(s)) {
        return 0;
    }
    sqlite3_int64 user_row = sqlite3_last_insert_rowid(r->db);

    s = r->statements[c_baseline_statement_identity];
    sqlite3_bind_int64(s, 1, user_row);
    sqlite3_bind_text(s, 2, in->twitter_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, in->username, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, in->display_name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, in->profile, (int)in->profile_len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, now);
    sqlite3_bind_int64(s, 7, now);
    if (!c_baseline_step(s)) {
        return 0;
    }
    sqlite3_int64 identity_row = sqlite3_last_insert_rowid(r->db);

    s = r->statements[c_baseline_statement_credential];
    sqlite3_bind_int64(s, 1, identity_row);
    sqlite3_bind_text(s, 2, in->token, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, sealed, (int)sealed_len, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, r->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now);
    if (!c_baseline_step(s)) {
        return 0;
    }
    return c_baseline_insert_event(r, public_id, "created", "{}", now) &&
           c_baseline_insert_event(r, public_id, "linked", details, now);
}

int c_baseline_registrar_run(c_baseline_registrar *registrar, const uint64_t *twitter_ids, size_t count,
                             size_t per_transaction, uint64_t *elapsed_ns) {
    enum { profile_capacity = 2048 };
    if (per_transaction == 0) {
        return 0;
    }
    c_baseline_registration *inputs = calloc(count > 0 ? count : 1, sizeof(*inputs));
    char *profiles = malloc((count > 0 ? count : 1) * profile_capacity);
    if (inputs == NULL || profiles == NULL) {
        free(inputs);
        free(profiles);
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        c_baseline_registration *in = &inputs[i];
        unsigned long long id = (unsigned long long)twitter_ids[i];
        snprintf(in->twitter_id, sizeof(in->twitter_id), "%llu", id);
        snprintf(in->username, sizeof(in->username), "u%llx", id);
        snprintf(in->email, sizeof(in->email), "u%llx@example.org", id);
        snprintf(in->display_name, sizeof(in->display_name), "Bench User u%llx", id);
        int prefix = snprintf(in->token, sizeof(in->token), "%llu-", id);
        c_baseline_random_text(in->token + prefix, 40);
        c_baseline_random_text(in->secret, 45);
        in->profile = profiles + i * profile_capacity;
        in->profile_len = c_baseline_profile_json(twitter_ids[i], in->profile, profile_capacity);
    }

    sqlite3_stmt *begin = registrar->statements[c_baseline_statement_begin];
    sqlite3_stmt *commit = registrar->statements[c_baseline_statement_commit];
    int status = 1;
    int in_transaction = 0;
    uint64_t start = c_baseline_monotonic_ns();
    for (size_t i = 0; i < count && status; i++) {
        if (!in_transaction) {
            status = c_baseline_step(begin);
            in_transaction = status;
        }
        status = status && c_baseline_register_one(registrar, &inputs[i]);
        if (status && ((i + 1) % per_transaction == 0 || i + 1 == count)) {
            status = c_baseline_step(commit);
            in_transaction = 0;
        }
    }
    *elapsed_ns = c_baseline_monotonic_ns() - start;
    if (!status) {
        fprintf(stderr, "c_baseline_registrar_run: %s\n", sqlite3_errmsg(registrar->db));
        if (in_transaction) {
            c_baseline_step(registrar->statements[c_baseline_statement_rollback]);
        }
    }
    free(inputs);
    free(profiles);
    return status;
}

// MARK: - SQLite: the already-registered lookup

// TwitterLookup.sql, verbatim.
static const char c_baseline_lookup_sql[] =
    "SELECT users.public_id FROM twitter_identities JOIN users ON users.id = twitter_identities.user_id\n"
    "WHERE twitter_identities.twitter_user_id = ?";

int c_baseline_lookup_run(const char *path, const uint64_t *twitter_ids, size_t count, size_t warmup,
                          uint64_t *latencies_ns) {
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    char(*keys)[24] = malloc((count > 0 ? count : 1) * sizeof(*keys));
    int status = keys != NULL &&
                 sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
                 sqlite3_busy_timeout(db, 30000) == SQLITE_OK &&
                 sqlite3_prepare_v3(db, c_baseline_lookup_sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) ==
                     SQLITE_OK;
    for (size_t i = 0; status && i < count; i++) {
        snprintf(keys[i], sizeof(keys[i]), "%llu", (unsigned long long)twitter_ids[i]);
    }
    char public_id[64];
    size_t rounds = warmup + count;
    for (size_t n = 0; status && n < rounds; n++) {
        size_t i = n < warmup ? n % (count > 0 ? count : 1) : n - warmup;
        uint64_t start = c_baseline_monotonic_ns();
        sqlite3_bind_text(statement, 1, keys[i], -1, SQLITE_STATIC);
        if (sqlite3_step(statement) == SQLITE_ROW) {
            const unsigned char *text = sqlite3_column_text(statement, 0);
            int length = sqlite3_column_bytes(statement, 0);
            if (text != NULL && length > 0 && (size_t)length < sizeof(public_id)) {
                memcpy(public_id, text, (size_t)length);
                public_id[length] = '\0';
            } else {
                status = 0;
            }
        } else {
            status = 0;
        }
        sqlite3_reset(statement);
        uint64_t end = c_baseline_monotonic_ns();
        if (n >= warmup) {
            latencies_ns[i] = end - start;
        }
    }
    if (!status && db != NULL) {
        fprintf(stderr, "c_baseline_lookup_run: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_finalize(statement);
    sqlite3_close_v2(db);
    free(keys);
    return status;
}

// MARK: - SQLite: migrating an empty database

int c_baseline_migrate(const char *path, const char *const *scripts, size_t count) {
    sqlite3 *db = NULL;
    int status =
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) ==
            SQLITE_OK &&
        c_baseline_exec(db, "PRAGMA journal_mode = WAL") && c_baseline_exec(db, "PRAGMA synchronous = FULL") &&
        c_baseline_exec(db, "PRAGMA foreign_keys = ON");
    for (size_t i = 0; status && i < count; i++) {
        status = c_baseline_exec(db, "BEGIN IMMEDIATE");
        if (status && !(c_baseline_exec(db, scripts[i]) && c_baseline_exec(db, "COMMIT"))) {
            c_baseline_exec(db, "ROLLBACK");
            status = 0;
        }
    }
    if (!status && db != NULL) {
        fprintf(stderr, "c_baseline_migrate: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_close_v2(db);
    return status;
}
