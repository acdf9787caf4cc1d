/* hash.c - file digests through OpenSSL's libcrypto (EVP). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sffi_abi.h"
#include "core_internal.h"

/* SHA-256 of the file's bytes as 64 lowercase hex digits; nil when the
 * file cannot be read (Simple's interpreter gives nil too). */
const char *rt_file_hash_sha256(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    unsigned char buf[65536];
    while (ok) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
    }
    close(fd);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &md_len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return NULL;
    char *hex = malloc(2 * md_len + 1);
    if (!hex)
        return NULL;
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < md_len; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * md_len] = '\0';
    return sffi_core_keep_text(hex);
}

/* Simple's rt_file_hash: a content digest; here the same SHA-256. */
const char *rt_file_hash(const char *path)
{
    return rt_file_hash_sha256(path);
}
