// Only what pixelrelay uses from OpenSSL's libcrypto: the EVP digest API.
#include <openssl/evp.h>
