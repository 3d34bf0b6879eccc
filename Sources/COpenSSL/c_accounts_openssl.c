// SHA1_Init/Update/Final (deprecated in OpenSSL 3) back HMAC-SHA1; see c_accounts_hmac_sha1.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "c_accounts_openssl.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

// A non-NULL pointer for zero-length inputs: OpenSSL treats NULL as "no data" in some calls and rejects it in others.
static const uint8_t c_accounts_empty[1] = {0};

static const uint8_t *c_accounts_nonnull(const uint8_t *pointer) {
    return pointer != NULL ? pointer : c_accounts_empty;
}

int c_accounts_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *message, size_t message_len,
                         uint8_t *out) {
    // RFC 2104 over the low-level SHA-1 functions. OpenSSL 3's HMAC() fetches the algorithm and allocates a context
    // on every call, which costs more than hashing a 300-byte OAuth base string; SHA1_Init/Update/Final are
    // deprecated but run the same assembly without any of that. RFC 2202's vectors pin the result.
    if (out == NULL) {
        return 0;
    }
#if defined(OPENSSL_NO_DEPRECATED_3_0)
    // An OpenSSL built without the deprecated API: the one-shot HMAC() instead.
    if (key_len > INT_MAX) {
        return 0;
    }
    unsigned int out_len = 0;
    unsigned char *result = HMAC(EVP_sha1(), c_accounts_nonnull(key), (int)key_len, c_accounts_nonnull(message),
                                 message_len, out, &out_len);
    return result != NULL && out_len == 20 ? 1 : 0;
#else
    unsigned char block[64] = {0};
    SHA_CTX context;
    if (key_len > sizeof block) {
        if (SHA1_Init(&context) != 1 || SHA1_Update(&context, key, key_len) != 1 || SHA1_Final(block, &context) != 1) {
            OPENSSL_cleanse(&context, sizeof context);
            return 0;
        }
    } else if (key_len > 0) {
        memcpy(block, key, key_len);
    }
    unsigned char pad[64];
    unsigned char inner[20];
    for (size_t i = 0; i < sizeof pad; i++) {
        pad[i] = block[i] ^ 0x36;
    }
    int ok = SHA1_Init(&context) == 1 && SHA1_Update(&context, pad, sizeof pad) == 1 &&
             SHA1_Update(&context, c_accounts_nonnull(message), message_len) == 1 && SHA1_Final(inner, &context) == 1;
    if (ok) {
        for (size_t i = 0; i < sizeof pad; i++) {
            pad[i] = block[i] ^ 0x5c;
        }
        ok = SHA1_Init(&context) == 1 && SHA1_Update(&context, pad, sizeof pad) == 1 &&
             SHA1_Update(&context, inner, sizeof inner) == 1 && SHA1_Final(out, &context) == 1;
    }
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(&context, sizeof context);
    return ok ? 1 : 0;
#endif
}

int c_accounts_sha256(const uint8_t *data, size_t length, uint8_t *out) {
    if (out == NULL) {
        return 0;
    }
    unsigned int written = 0;
    if (EVP_Digest(c_accounts_nonnull(data), length, out, &written, EVP_sha256(), NULL) != 1) {
        return 0;
    }
    return written == 32 ? 1 : 0;
}

int c_accounts_random_bytes(uint8_t *buffer, size_t length) {
    while (length > 0) {
        int chunk = length > INT_MAX ? INT_MAX : (int)length;
        if (RAND_bytes(buffer, chunk) != 1) {
            return 0;
        }
        buffer += chunk;
        length -= (size_t)chunk;
    }
    return 1;
}

int c_accounts_constant_time_compare(const uint8_t *a, const uint8_t *b, size_t length) {
    if (length == 0) {
        return 0;
    }
    return CRYPTO_memcmp(a, b, length);
}

void c_accounts_cleanse(void *buffer, size_t length) {
    if (buffer != NULL && length > 0) {
        OPENSSL_cleanse(buffer, length);
    }
}

// AES-256-GCM fetched from the default provider once per process. Passing EVP_aes_256_gcm() to EVP_CipherInit_ex
// makes OpenSSL 3 fetch the provider implementation again on every call (a locked lookup and property query: about
// 2,900 instructions per seal or open); a fetched cipher skips that. It is never freed (one per process).
static EVP_CIPHER *c_accounts_gcm_fetched = NULL;
static CRYPTO_ONCE c_accounts_gcm_once = CRYPTO_ONCE_STATIC_INIT;

static void c_accounts_gcm_fetch(void) { c_accounts_gcm_fetched = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL); }

static const EVP_CIPHER *c_accounts_gcm_cipher(void) {
    if (CRYPTO_THREAD_run_once(&c_accounts_gcm_once, c_accounts_gcm_fetch) == 1 && c_accounts_gcm_fetched != NULL) {
        return c_accounts_gcm_fetched;
    }
    return EVP_aes_256_gcm();
}

// Shared setup: cipher, nonce length, key and nonce, then the associated data.
static int c_accounts_gcm_init(EVP_CIPHER_CTX *ctx, int encrypt, const uint8_t *key, const uint8_t *nonce,
                               size_t nonce_len, const uint8_t *aad, size_t aad_len) {
    if (nonce_len == 0 || nonce_len > INT_MAX || aad_len > INT_MAX) {
        return 0;
    }
    if (EVP_CipherInit_ex(ctx, c_accounts_gcm_cipher(), NULL, NULL, NULL, encrypt) != 1) {
        return 0;
    }
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)nonce_len, NULL) != 1) {
        return 0;
    }
    if (EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, encrypt) != 1) {
        return 0;
    }
    if (aad_len > 0) {
        int out_len = 0;
        if (EVP_CipherUpdate(ctx, NULL, &out_len, aad, (int)aad_len) != 1) {
            return 0;
        }
    }
    return 1;
}

int c_accounts_aes_256_gcm_seal(const uint8_t *key, const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                                size_t aad_len, const uint8_t *plaintext, size_t plaintext_len, uint8_t *ciphertext,
                                uint8_t *tag) {
    if (key == NULL || nonce == NULL || tag == NULL || plaintext_len > INT_MAX) {
        return 0;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return 0;
    }
    int status = 0;
    int out_len = 0;
    if (!c_accounts_gcm_init(ctx, 1, key, nonce, nonce_len, aad, aad_len)) {
        goto done;
    }
    if (plaintext_len > 0) {
        if (ciphertext == NULL || plaintext == NULL) {
            goto done;
        }
        if (EVP_EncryptUpdate(ctx, ciphertext, &out_len, plaintext, (int)plaintext_len) != 1 ||
            (size_t)out_len != plaintext_len) {
            goto done;
        }
    }
    if (EVP_EncryptFinal_ex(ctx, ciphertext != NULL ? ciphertext + out_len : NULL, &out_len) != 1 || out_len != 0) {
        goto done;
    }
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1) {
        goto done;
    }
    status = 1;
done:
    EVP_CIPHER_CTX_free(ctx);  // cleanses the key schedule
    return status;
}

int c_accounts_aes_256_gcm_open(const uint8_t *key, const uint8_t *nonce, size_t nonce_len, const uint8_t *aad,
                                size_t aad_len, const uint8_t *ciphertext, size_t ciphertext_len, const uint8_t *tag,
                                uint8_t *plaintext) {
    if (key == NULL || nonce == NULL || tag == NULL || ciphertext_len > INT_MAX) {
        return -1;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return -1;
    }
    int status = -1;
    int out_len = 0;
    if (!c_accounts_gcm_init(ctx, 0, key, nonce, nonce_len, aad, aad_len)) {
        goto done;
    }
    if (ciphertext_len > 0) {
        if (ciphertext == NULL || plaintext == NULL) {
            goto done;
        }
        if (EVP_DecryptUpdate(ctx, plaintext, &out_len, ciphertext, (int)ciphertext_len) != 1 ||
            (size_t)out_len != ciphertext_len) {
            goto done;
        }
    }
    // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads from it.
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) != 1) {
        goto done;
    }
    if (EVP_DecryptFinal_ex(ctx, plaintext != NULL ? plaintext + out_len : NULL, &out_len) == 1) {
        status = 1;
    } else {
        status = 0;
    }
done:
    if (status != 1 && plaintext != NULL) {
        c_accounts_cleanse(plaintext, ciphertext_len);
    }
    EVP_CIPHER_CTX_free(ctx);
    return status;
}

int c_accounts_scrypt(const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len, uint64_t n,
                      uint64_t r, uint64_t p, uint64_t max_memory, uint8_t *out, size_t out_len) {
    if (out == NULL || out_len == 0) {
        return 0;
    }
    return EVP_PBE_scrypt((const char *)c_accounts_nonnull(password), password_len, c_accounts_nonnull(salt),
                          salt_len, n, r, p, max_memory, out, out_len) == 1
               ? 1
               : 0;
}

int c_accounts_pbkdf2_hmac_sha256(const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len,
                                  uint32_t iterations, uint8_t *out, size_t out_len) {
    if (out == NULL || out_len == 0 || out_len > INT_MAX || password_len > INT_MAX || salt_len > INT_MAX ||
        iterations == 0 || iterations > INT_MAX) {
        return 0;
    }
    return PKCS5_PBKDF2_HMAC((const char *)c_accounts_nonnull(password), (int)password_len,
                             c_accounts_nonnull(salt), (int)salt_len, (int)iterations, EVP_sha256(), (int)out_len,
                             out) == 1
               ? 1
               : 0;
}
