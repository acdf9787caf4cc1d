/* rt_store_*: SQLite 3 through its C API (found by pkg-config: the [[dependency]] of sffi.toml). */
#include <sqlite3.h>
#include <stddef.h>

#include "sffi_abi.h"

/* The first column of the first row of `sql` on an in-memory database, as an integer. */
int64_t rt_store_eval(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int64_t value = -1;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        sffi_set_error("sqlite3_open failed");
    } else if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        sffi_set_error(sqlite3_errmsg(db));
    } else if (sqlite3_step(stmt) == SQLITE_ROW) {
        value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

/* The major version of the SQLite linked in (3). */
int64_t rt_store_major(void)
{
    return sqlite3_libversion_number() / 1000000;
}
