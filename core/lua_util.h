/* lua_util: the one way C calls into Lua (a protected call whose message
 * handler appends a traceback, as lua.c does), and small argument helpers
 * shared by the bindings. */
#ifndef FC_LUA_UTIL_H
#define FC_LUA_UTIL_H

#include <lua.h>

/* lua_pcall with a message handler that turns non-string errors into strings
 * and appends a traceback when traceback is nonzero. Returns the lua_pcall
 * status; on error the message is on the stack top. */
int fc_lua_pcall(lua_State *L, int nargs, int nresults, int traceback);

/* Raises a Lua error "<fn>: <arg>: expected <what>, got <value>" at the
 * caller's level. Never returns. */
int fc_lua_argfail(lua_State *L, const char *fn, const char *arg,
                   const char *what, int idx);

/* Whether the message of a failed call comes from a fault of the library
 * itself, not from its input: a runtime error inside the embedded scripts
 * (their messages begin with their chunk name) or a C-side internal error. */
int fc_lua_internal_fault(const char *msg);

#endif
