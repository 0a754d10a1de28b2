// CSQLite: the system SQLite, for basalt-bench only. The Basalt library never links SQLite.
#ifndef BASALT_CSQLITE_SHIM_H
#define BASALT_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import as a constant.
static inline sqlite3_destructor_type basalt_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// SQLITE_STATIC (a null destructor): SQLite may use the bound bytes only until the next
/// step/reset/rebind, so the caller must keep them alive and unchanged until then.
static inline sqlite3_destructor_type basalt_sqlite_static(void) { return SQLITE_STATIC; }

#endif
