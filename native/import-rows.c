// An SQLite extension for the import's insert thread (table-sink.ts): one call inserts a whole
// batch of rows, parsed and bound in C, inside the connection's open transaction.
//
//   SELECT em_insert_rows(table, payload, kinds, rows)  ->  rows inserted
//
// payload: rows x columns fields joined by NUL (the reading thread's batch, CSV text as read), as
// text or as a blob of UTF-8 bytes (the native scanner's, csv-scan.c);
// kinds: one byte per column: 1 integer, 2 real, 3 boolean, 4 anything else (text); '' is NULL.
// Bound exactly as the JavaScript path binds them (better-sqlite3: numbers as REAL, the integer
// column's CAST(? AS INTEGER)): integers as INTEGER, reals and booleans (1.0, 0.0) as REAL, the
// rest as TEXT. A field that is not a number in a number column is NULL, as NaN was. Errors keep
// SQLite's code (SQLITE_FULL: the disk is full), so the caller tells them apart as before.
//
// Why: better-sqlite3 binds one value per N-API call, and the JavaScript side split the payload
// and converted each value first; that thread was the import's critical path.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

enum { K_INTEGER = 1, K_REAL = 2, K_BOOLEAN = 3, K_TEXT = 4 };

static int bind_field(sqlite3_stmt *st, int index, int kind, const char *s, int len) {
  if (len == 0) return sqlite3_bind_null(st, index);
  char buf[64];
  switch (kind) {
    case K_INTEGER:
    case K_REAL: {
      if (len >= (int)sizeof buf) return sqlite3_bind_null(st, index);
      memcpy(buf, s, (size_t)len);
      buf[len] = 0;
      char *end;
      if (kind == K_INTEGER) {
        errno = 0;
        long long v = strtoll(buf, &end, 10);
        if (*end == 0 && errno == 0) return sqlite3_bind_int64(st, index, v);
      }
      double d = strtod(buf, &end);
      if (*end != 0 || d != d) return sqlite3_bind_null(st, index);
      // As CAST(? AS INTEGER) makes a number: truncated, and held within 64 bits.
      if (kind == K_INTEGER)
        return sqlite3_bind_int64(st, index,
                                  d >= 9223372036854775807.0    ? INT64_MAX
                                  : d <= -9223372036854775808.0 ? INT64_MIN
                                                                : (sqlite3_int64)d);
      return sqlite3_bind_double(st, index, d);
    }
    case K_BOOLEAN:
      if (len == 4 && memcmp(s, "true", 4) == 0) return sqlite3_bind_double(st, index, 1.0);
      if (len == 5 && memcmp(s, "false", 5) == 0) return sqlite3_bind_double(st, index, 0.0);
      return sqlite3_bind_null(st, index);
    default:
      return sqlite3_bind_text(st, index, s, len, SQLITE_STATIC);
  }
}

static void fail(sqlite3_context *ctx, int code, const char *message) {
  sqlite3_result_error(ctx, message, -1);
  sqlite3_result_error_code(ctx, code);
}

static void insert_rows(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *table = (const char *)sqlite3_value_text(argv[0]);
  // The payload as text, or as a blob (the native scanner's bytes, bound from a Buffer).
  const char *payload = sqlite3_value_type(argv[1]) == SQLITE_BLOB
                            ? (const char *)sqlite3_value_blob(argv[1])
                            : (const char *)sqlite3_value_text(argv[1]);
  int bytes = sqlite3_value_bytes(argv[1]);
  const unsigned char *kinds = sqlite3_value_blob(argv[2]);
  int ncols = sqlite3_value_bytes(argv[2]);
  sqlite3_int64 rows = sqlite3_value_int64(argv[3]);
  if (!table || ncols <= 0 || rows < 0 || (!payload && bytes > 0)) {
    fail(ctx, SQLITE_MISUSE, "em_insert_rows(table, payload, kinds, rows)");
    return;
  }
  // The fields must be exactly rows x columns: count the separators first.
  sqlite3_int64 fields = rows == 0 ? 0 : 1;
  for (int i = 0; i < bytes; i++) fields += payload[i] == 0;
  if (fields != rows * ncols) {
    char message[128];
    sqlite3_snprintf(sizeof message, message, "batch holds %lld values, expected %lld",
                     (long long)fields, (long long)(rows * ncols));
    fail(ctx, SQLITE_MISMATCH, message);
    return;
  }
  if (rows == 0) {
    sqlite3_result_int64(ctx, 0);
    return;
  }
  // INSERT INTO "table" VALUES (?,?,...)
  sqlite3_str *sql = sqlite3_str_new(db);
  sqlite3_str_appendf(sql, "INSERT INTO \"%w\" VALUES (", table);
  for (int c = 0; c < ncols; c++) sqlite3_str_appendall(sql, c == 0 ? "?" : ",?");
  sqlite3_str_appendall(sql, ")");
  char *text = sqlite3_str_finish(sql);
  if (!text) {
    fail(ctx, SQLITE_NOMEM, "out of memory");
    return;
  }
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, text, -1, &st, NULL);
  sqlite3_free(text);
  if (rc != SQLITE_OK) {
    fail(ctx, rc, sqlite3_errmsg(db));
    return;
  }
  const char *p = payload;
  const char *end = payload + bytes;
  sqlite3_int64 done = 0;
  for (; done < rows && rc == SQLITE_OK; done++) {
    for (int c = 0; c < ncols && rc == SQLITE_OK; c++) {
      const char *f = p;
      while (p < end && *p != 0) p++;
      rc = bind_field(st, c + 1, kinds[c], f, (int)(p - f));
      p++; // past the separator (or the end)
    }
    if (rc != SQLITE_OK) break;
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) rc = sqlite3_reset(st);
    else {
      sqlite3_reset(st);
      rc = sqlite3_extended_errcode(db) & 0xff;
      if (rc == SQLITE_OK) rc = SQLITE_ERROR;
    }
  }
  if (rc != SQLITE_OK) {
    char message[512];
    sqlite3_snprintf(sizeof message, message, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    fail(ctx, rc, message);
    return;
  }
  sqlite3_finalize(st);
  sqlite3_result_int64(ctx, done);
}

#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
int sqlite3_importrows_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  (void)err;
  SQLITE_EXTENSION_INIT2(api);
  return sqlite3_create_function(db, "em_insert_rows", 4, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL,
                                 insert_rows, NULL, NULL);
}
