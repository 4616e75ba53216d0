/* fuzz_partial: arbitrary bytes as a partial summary (core/partial.h).
 * fc_partial_decode must refuse anything it cannot trust with a message, and
 * what it accepts must merge (`funnelcast merge FILE`: the file's head read
 * by path, its scenario text read back and compiled, the file streamed into
 * the merge within the memory limit, the report) or be refused cleanly.
 * The checksum would stop almost every mutation at the door, so when the
 * byte just before the trailing 8-byte checksum is odd, the harness first
 * rewrites the checksum to match what precedes it: the decoder's length and
 * consistency checks get fuzzed too, not only its checksum test. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "fuzz_lua.h"
#include "partial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size)
        memcpy(buf, data, size);
    if (size >= 16 && (data[size - 9] & 1)) {
        uint64_t c = fc_checksum(buf, size - 8);
        for (int i = 0; i < 8; i++)
            buf[size - 8 + i] = (unsigned char)(c >> (8 * i));
    }
    fc_partial p;
    char err[512];
    int ok = fc_partial_decode(buf, size, "fuzz.bin", &p, err, sizeof err) == 0;
    if (ok)
        fc_partial_free(&p);
    if (ok) {
        const char *path = fuzz_write_scratch(buf, size, ".bin");
        lua_State *L = fuzz_lua_new();
        if (L != NULL) {
            lua_createtable(L, 0, 4);
            lua_pushstring(L, "merge");
            lua_setfield(L, -2, "command");
            lua_createtable(L, 1, 0);
            lua_pushstring(L, path);
            lua_rawseti(L, -2, 1);
            lua_setfield(L, -2, "files");
            lua_pushstring(L, size & 1 ? "json" : "text");
            lua_setfield(L, -2, "format");
            fuzz_main(L);
            fuzz_lua_close(L);
        }
    }
    free(buf);
    return 0;
}
