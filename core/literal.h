/* literal: a strict reader of the Lua-literal text that scripts/serial.lua's
 * write makes (the normalized scenario a partial summary carries), for text
 * that is not trusted: it builds the value with the Lua C API and never
 * compiles or runs anything, in time linear in the text's length, with a C
 * recursion bounded by FC_LITERAL_MAX_DEPTH and no C heap memory at all.
 *
 * Accepted, exactly (no whitespace, no comments, nothing else):
 *   value   := number | string | 'true' | 'false' | table
 *   table   := '{' { field ',' } '}'
 *   field   := NAME '=' value | '[' (integer | string) ']' '=' value
 *   NAME    := [A-Za-z_][A-Za-z0-9_]*, not one of Lua's 22 keywords
 *   number  := integer | float | '0/0' | '1/0' | '-1/0'
 *   integer := '-'? ('0' | [1-9][0-9]*), within int64: a Lua integer, exactly
 *              ("-0" is the integer 0, as Lua reads it)
 *   float   := '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ('e' [+-] [0-9]+)?, with
 *              a '.' or an 'e', finite, at most FC_LITERAL_MAX_NUMBER bytes:
 *              converted as Lua's own lexer converts it ("-0.0" is -0.0)
 *   string  := '"' { byte other than '"', '\\', a control byte (0-31, 127)
 *                    | '\\"' | '\\\\' | '\\' newline (a newline)
 *                    | '\\' 1-3 decimal digits (read greedily as Lua does)
 *                      naming a byte 0-31 or 127-255 } '"'
 *              (what string.format("%q") writes in Lua 5.4: it escapes '"',
 *              '\\' and newline with a backslash and iscntrl bytes as \ddd;
 *              127-255 are allowed as escapes, since iscntrl depends on the
 *              writer's locale; printable ASCII as \ddd is refused)
 * and in each table:
 *   - no key twice;
 *   - integer keys in increasing order, before any string key (the order
 *     serial.write sorts keys in);
 *   - at most FC_LITERAL_MAX_SPARSE integer keys outside the sequence
 *     1, 2, 3, ... that starts the integer keys. Lua hashes integer keys
 *     without a seed, so a text of many integers with the same residue would
 *     make every insertion walk one long chain (quadratic time); keys of the
 *     sequence live in the table's array part and cost nothing of the kind;
 *   - tables nested at most FC_LITERAL_MAX_DEPTH deep.
 * The value must take the whole text: a byte after it is refused, and the
 * text is exactly `len` bytes (a NUL is a byte like any other).
 */
#ifndef FC_LITERAL_H
#define FC_LITERAL_H

#include <stddef.h>

#include <lua.h>

#define FC_LITERAL_MAX_DEPTH 32
#define FC_LITERAL_MAX_SPARSE 256
#define FC_LITERAL_MAX_NUMBER 32

/* Reads the one value text[0..len) holds and pushes it: returns 0. Otherwise
 * pushes nothing and returns -1 with a message in err (errlen bytes, always
 * terminated; err may be NULL when errlen is 0):
 *   "<name>, byte <offset>: expected <what>[, got <what is there>]"
 * where offset counts from 0 (len for the end of the text).
 * Ownership: text and name are borrowed for the call only; the pushed value
 * belongs to L. The reader allocates nothing but Lua values, so a memory
 * error inside the Lua API (raised as a Lua error; call this from a Lua C
 * function or under lua_pcall) leaves no C memory behind. */
int fc_lua_read_literal(lua_State *L, const char *text, size_t len, const char *name,
                        char *err, size_t errlen);

/* Whether the n bytes at s are a field name the grammar takes bare (`s=`):
 * ASCII letters, digits and _, not starting with a digit, not a keyword. */
int fc_literal_is_name(const char *s, size_t n);

/* Adds read_literal(text [, name]) to the table on the stack top: it returns
 * the value, or raises the message above (a string, with no position of the
 * caller prefixed). name defaults to "literal". Also literal_name(key):
 * fc_literal_is_name for the writer (scripts/serial.lua). */
void fc_lua_literal_register(lua_State *L);

#endif
