#ifndef PIXELRELAY_CCRC32C_H
#define PIXELRELAY_CCRC32C_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has a CRC-32C instruction (x86-64 SSE4.2 or AArch64 CRC), else 0.
int pr_crc32c_hardware(void);
/// Continues the raw (not pre- or post-inverted) CRC-32C register `crc` over `count` bytes with the
/// CPU instruction. Only call it when pr_crc32c_hardware() returned 1.
uint32_t pr_crc32c_update(uint32_t crc, const void *bytes, size_t count);
#endif
