#include "c_accounts_digest.h"

#include <openssl/evp.h>

int c_accounts_sha256(const uint8_t *data, size_t length, uint8_t *out) {
    unsigned int written = 0;
    if (EVP_Digest(data, length, out, &written, EVP_sha256(), NULL) != 1) {
        return 0;
    }
    return written == 32 ? 1 : 0;
}
