// CSV rows from SQLite straight into a buffer: the export worker's reading and encoding in C.
//
// Why: in JavaScript every value crosses from SQLite into a JS value (a string or a number) and
// is then written back out as bytes; that was most of the export thread's time (about 6.5 of 9
// CPU-seconds of a 2,000,000-row export). Here SQLite's bytes are copied, quoted where needed,
// and numbers printed, as one loop over the rows.
//
// The bytes are exactly those of the JavaScript writer (encoders.ts, csvRowWriter): numbers as
// JavaScript's String() prints them, booleans as true/false, text quoted when it holds a quote,
// a comma, CR or LF. A row this file does not write itself is handed back to JavaScript as its
// values (as better-sqlite3 would give them): a blob, text that is not valid UTF-8 (JavaScript
// would replace bytes), or a row larger than a whole buffer.
//
// API (Node-API, so one build loads in Node and in Electron, on the main thread and in workers):
//   open(file, sql, params, kinds[, handLimit]) -> handle   kinds: Uint8Array, 1 for a boolean
//     column; handLimit: the most bytes of values a row handed to JavaScript may hold (0: any)
//   fill(handle, buffer, at, out) -> undefined | values[]
//     writes whole rows from `at`; out (Float64Array): [end, rows written, status, row bytes]
//     status 0: the next row does not fit (flush, then fill again); 1: no more rows;
//     2: the returned values are the next row, for JavaScript to write (after `end`);
//     3: the next row would have been handed over but holds more than handLimit bytes of values
//        (out[3]); nothing of it reached JavaScript, and the reader stays on it
//   close(handle)
#define NAPI_VERSION 8
#include <node_api.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

typedef struct {
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int ncols;
  unsigned char *kinds;
  int pending; // a row has been stepped to and not yet written
  int done;
  double hand_limit; // bytes of values a handed-over row may hold; 0: no limit
} Reader;

enum { FULL = 0, DONE = 1, HANDED = 2, TOO_LARGE = 3 };
enum { NO_ROOM = -1, HAND_OVER = -2 };

static void reader_close(Reader *r) {
  if (r->stmt) sqlite3_finalize(r->stmt);
  if (r->db) sqlite3_close_v2(r->db);
  r->stmt = NULL;
  r->db = NULL;
  free(r->kinds);
  r->kinds = NULL;
}

static void reader_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  reader_close((Reader *)data);
  free(data);
}

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

#define CHECK(call)                                                                            \
  do {                                                                                         \
    if ((call) != napi_ok) return throw_error(env, "csv-rows: a Node-API call failed");       \
  } while (0)

// ---------------------------------------------------------------------------------------------
// Numbers as JavaScript prints them (Number.prototype.toString, ECMA-262 Number::toString):
// the fewest significant digits that read back as the same double, then JavaScript's layout.
// glibc's and the other C libraries' printf round correctly, so the shortest of 15, 16 and 17
// digits that round-trips is the one JavaScript picks (the closest such decimal to the value).
// The native-rows test compares both on random bit patterns and the edges of every layout.

static int put_str(char *out, const char *s) {
  int n = (int)strlen(s);
  memcpy(out, s, (size_t)n);
  return n;
}

static const double POW10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

static int format_uint(sqlite3_uint64 u, char *out) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u > 0);
  for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  return n;
}

// Most reals in data have a few decimals (prices, scores): m / 10^k for the smallest k, with m
// below 10^15, is then the value's shortest form when it reads back as the same double (IEEE
// division rounds correctly, and at most one such m is that close). 0 when not found.
static int format_decimal(double v, char *out) {
  double a = fabs(v);
  if (!(a >= 1e-6 && a < 1e15)) return 0;
  for (int k = 0; k <= 15; k++) {
    double m = nearbyint(a * POW10[k]);
    if (m >= 1e15) return 0;
    if (m / POW10[k] != a) continue;
    sqlite3_uint64 u = (sqlite3_uint64)m;
    sqlite3_uint64 p = (sqlite3_uint64)POW10[k];
    int len = 0;
    if (v < 0) out[len++] = '-';
    len += format_uint(u / p, out + len);
    if (k > 0) {
      out[len++] = '.';
      sqlite3_uint64 f = u % p;
      for (int i = k - 1; i >= 0; i--) {
        out[len + i] = (char)('0' + f % 10);
        f /= 10;
      }
      len += k;
    }
    return len;
  }
  return 0;
}

static int format_double(double v, char *out) {
  if (v == 0) return put_str(out, "0"); // -0 too
  int fast = format_decimal(v, out);
  if (fast > 0) return fast;
  if (isnan(v)) return put_str(out, "NaN");
  if (isinf(v)) return put_str(out, v < 0 ? "-Infinity" : "Infinity");
  char tmp[40];
  // Below DBL_MIN (subnormals) a double is so coarse that far fewer digits may read back: try
  // them all. Otherwise a decimal of up to 15 digits that reads back is what %.14e prints.
  for (int p = fabs(v) < 2.2250738585072014e-308 ? 1 : 15; p <= 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
    if (p == 17 || strtod(tmp, NULL) == v) break;
  }
  // tmp: [-]d.ddde[+-]x
  int len = 0;
  const char *s = tmp;
  if (*s == '-') {
    out[len++] = '-';
    s++;
  }
  char digits[20];
  int k = 0;
  for (; *s != 'e'; s++)
    if (*s != '.') digits[k++] = *s;
  int e10 = atoi(s + 1);
  while (k > 1 && digits[k - 1] == '0') k--;
  int n = e10 + 1; // the decimal point after n digits
  if (k <= n && n <= 21) {
    memcpy(out + len, digits, (size_t)k);
    len += k;
    for (int i = k; i < n; i++) out[len++] = '0';
  } else if (0 < n && n <= 21) {
    memcpy(out + len, digits, (size_t)n);
    len += n;
    out[len++] = '.';
    memcpy(out + len, digits + n, (size_t)(k - n));
    len += k - n;
  } else if (-6 < n && n <= 0) {
    out[len++] = '0';
    out[len++] = '.';
    for (int i = 0; i < -n; i++) out[len++] = '0';
    memcpy(out + len, digits, (size_t)k);
    len += k;
  } else {
    out[len++] = digits[0];
    if (k > 1) {
      out[len++] = '.';
      memcpy(out + len, digits + 1, (size_t)(k - 1));
      len += k - 1;
    }
    len += snprintf(out + len, 8, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
  }
  return len;
}

// An integer as better-sqlite3 gives it to JavaScript (a double) and String() prints it: exact
// up to 2^53, beyond that the double's digits.
static int format_int(sqlite3_int64 v, char *out) {
  const sqlite3_int64 safe = 9007199254740992LL; // 2^53
  if (v > safe || v < -safe) return format_double((double)v, out);
  if (v >= 0) return format_uint((sqlite3_uint64)v, out);
  out[0] = '-';
  return 1 + format_uint((sqlite3_uint64)(-v), out + 1);
}

// ---------------------------------------------------------------------------------------------

// 1 when the text must be quoted, 0 when not, -1 when it is not valid UTF-8 (JavaScript would
// have replaced bytes of it: that row goes to JavaScript). *quotes counts the quote characters.
static int scan_text(const unsigned char *s, int len, int *quotes) {
  int special = 0;
  int q = 0;
  for (int i = 0; i < len;) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c == '"') q++;
      else if (c == ',' || c == '\n' || c == '\r') special = 1;
      i++;
      continue;
    }
    int need;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c == 0xe0) lo = 0xa0;
      else if (c == 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c == 0xf0) lo = 0x90;
      else if (c == 0xf4) hi = 0x8f;
    } else return -1;
    if (i + need >= len) return -1;
    if (s[i + 1] < lo || s[i + 1] > hi) return -1;
    for (int j = 2; j <= need; j++)
      if (s[i + j] < 0x80 || s[i + j] > 0xbf) return -1;
    i += need + 1;
  }
  *quotes = q;
  return special || q > 0;
}

// Writes the current row at out[0..room); its length, NO_ROOM or HAND_OVER.
static long write_row(Reader *r, unsigned char *out, size_t room) {
  sqlite3_stmt *st = r->stmt;
  size_t at = 0;
  char num[40];
  for (int i = 0; i < r->ncols; i++) {
    if (i > 0) {
      if (at >= room) return NO_ROOM;
      out[at++] = ',';
    }
    int n;
    switch (sqlite3_column_type(st, i)) {
      case SQLITE_NULL:
        continue;
      case SQLITE_INTEGER: {
        sqlite3_int64 v = sqlite3_column_int64(st, i);
        n = r->kinds[i] ? put_str(num, v != 0 ? "true" : "false") : format_int(v, num);
        break;
      }
      case SQLITE_FLOAT: {
        double v = sqlite3_column_double(st, i);
        n = r->kinds[i] ? put_str(num, v != 0 && !isnan(v) ? "true" : "false")
                        : format_double(v, num);
        break;
      }
      case SQLITE_TEXT: {
        const unsigned char *s = sqlite3_column_text(st, i);
        int len = sqlite3_column_bytes(st, i);
        int quotes = 0;
        int quote = scan_text(s, len, &quotes);
        if (quote < 0) return HAND_OVER;
        size_t need = (size_t)len + (quote ? 2 + (size_t)quotes : 0);
        if (need > room - at) return NO_ROOM;
        if (!quote) {
          memcpy(out + at, s, (size_t)len);
          at += (size_t)len;
        } else {
          out[at++] = '"';
          for (int j = 0; j < len; j++) {
            if (s[j] == '"') out[at++] = '"';
            out[at++] = s[j];
          }
          out[at++] = '"';
        }
        continue;
      }
      default: // a blob: base64 in JavaScript
        return HAND_OVER;
    }
    if ((size_t)n > room - at) return NO_ROOM;
    memcpy(out + at, num, (size_t)n);
    at += (size_t)n;
  }
  if (room - at < 2) return NO_ROOM;
  out[at++] = '\r';
  out[at++] = '\n';
  return (long)at;
}

// The current row as better-sqlite3's raw rows give it (numbers as doubles, text, Buffer, null).
static napi_value row_values(napi_env env, Reader *r) {
  napi_value arr;
  CHECK(napi_create_array_with_length(env, (size_t)r->ncols, &arr));
  for (int i = 0; i < r->ncols; i++) {
    napi_value v;
    switch (sqlite3_column_type(r->stmt, i)) {
      case SQLITE_INTEGER:
      case SQLITE_FLOAT:
        CHECK(napi_create_double(env, sqlite3_column_double(r->stmt, i), &v));
        break;
      case SQLITE_TEXT:
        CHECK(napi_create_string_utf8(env, (const char *)sqlite3_column_text(r->stmt, i),
                                      (size_t)sqlite3_column_bytes(r->stmt, i), &v));
        break;
      case SQLITE_BLOB: {
        const void *b = sqlite3_column_blob(r->stmt, i);
        void *copy;
        CHECK(napi_create_buffer_copy(env, (size_t)sqlite3_column_bytes(r->stmt, i),
                                      b ? b : "", &copy, &v));
        break;
      }
      default:
        CHECK(napi_get_null(env, &v));
    }
    CHECK(napi_set_element(env, arr, (uint32_t)i, v));
  }
  return arr;
}

// The bytes of the current row's values as SQLite holds them (numbers count 8): what handing it
// over would put on the JavaScript heap, at the least.
static double row_bytes(Reader *r) {
  double n = 0;
  for (int i = 0; i < r->ncols; i++) {
    int t = sqlite3_column_type(r->stmt, i);
    n += t == SQLITE_TEXT || t == SQLITE_BLOB ? (double)sqlite3_column_bytes(r->stmt, i) : 8;
  }
  return n;
}

static napi_value undefined_value(napi_env env) {
  napi_value v;
  CHECK(napi_get_undefined(env, &v));
  return v;
}

static Reader *get_reader(napi_env env, napi_value v) {
  Reader *r = NULL;
  if (napi_get_value_external(env, v, (void **)&r) != napi_ok) return NULL;
  return r;
}

static char *get_string(napi_env env, napi_value v) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

// Binds a parameter as better-sqlite3 does: numbers as REAL, bigints as INTEGER, strings as TEXT.
static int bind_param(napi_env env, sqlite3_stmt *st, int index, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_null || t == napi_undefined) return sqlite3_bind_null(st, index) == SQLITE_OK;
  if (t == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    return sqlite3_bind_double(st, index, d) == SQLITE_OK;
  }
  if (t == napi_bigint) {
    int64_t i;
    bool lossless;
    napi_get_value_bigint_int64(env, v, &i, &lossless);
    return lossless && sqlite3_bind_int64(st, index, i) == SQLITE_OK;
  }
  if (t == napi_string) {
    char *s = get_string(env, v);
    if (!s) return 0;
    int ok = sqlite3_bind_text(st, index, s, -1, free) == SQLITE_OK;
    return ok;
  }
  return 0;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) return throw_error(env, "csv-rows: open(file, sql, params, kinds[, handLimit])");
  double hand_limit = 0;
  if (argc >= 5 && (napi_get_value_double(env, argv[4], &hand_limit) != napi_ok ||
                    !(hand_limit >= 0)))
    return throw_error(env, "csv-rows: handLimit must be a number of bytes, 0 for none");
  Reader *r = calloc(1, sizeof(Reader));
  if (!r) return throw_error(env, "csv-rows: out of memory");
  r->hand_limit = hand_limit;
  char *file = get_string(env, argv[0]);
  char *sql = get_string(env, argv[1]);
  char message[512] = "";
  if (!file || !sql) snprintf(message, sizeof message, "csv-rows: file and sql must be strings");
  else if (sqlite3_open_v2(file, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    snprintf(message, sizeof message, "%s", r->db ? sqlite3_errmsg(r->db) : "cannot open");
  else {
    // Every page is read once, in order: keep SQLite's page cache at its minimum.
    sqlite3_exec(r->db, "PRAGMA cache_size = -1024", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(r->db, sql, -1, &r->stmt, NULL) != SQLITE_OK)
      snprintf(message, sizeof message, "%s", sqlite3_errmsg(r->db));
  }
  free(file);
  free(sql);
  if (!message[0]) {
    uint32_t n = 0;
    CHECK(napi_get_array_length(env, argv[2], &n));
    if ((int)n != sqlite3_bind_parameter_count(r->stmt))
      snprintf(message, sizeof message, "csv-rows: %u parameters for %d", n,
               sqlite3_bind_parameter_count(r->stmt));
    for (uint32_t i = 0; !message[0] && i < n; i++) {
      napi_value v;
      CHECK(napi_get_element(env, argv[2], i, &v));
      if (!bind_param(env, r->stmt, (int)i + 1, v))
        snprintf(message, sizeof message, "csv-rows: parameter %u cannot be bound", i + 1);
    }
  }
  if (!message[0]) {
    void *data;
    size_t len;
    napi_typedarray_type type;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, argv[3], &type, &len, &data, &ab, &off) != napi_ok ||
        type != napi_uint8_array || (int)len > sqlite3_column_count(r->stmt))
      snprintf(message, sizeof message, "csv-rows: kinds must be a Uint8Array, one per column");
    else {
      r->ncols = (int)len;
      r->kinds = malloc(len > 0 ? len : 1);
      if (len > 0) memcpy(r->kinds, data, len);
    }
  }
  if (message[0]) {
    reader_close(r);
    free(r);
    return throw_error(env, message);
  }
  napi_value handle;
  if (napi_create_external(env, r, reader_finalize, NULL, &handle) != napi_ok) {
    reader_close(r);
    free(r);
    return throw_error(env, "csv-rows: a Node-API call failed");
  }
  return handle;
}

static napi_value js_fill(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Reader *r = argc == 4 ? get_reader(env, argv[0]) : NULL;
  if (!r) return throw_error(env, "csv-rows: fill(handle, buffer, at, out)");
  if (!r->stmt) return throw_error(env, "csv-rows: the reader is closed");
  unsigned char *buf;
  size_t cap;
  CHECK(napi_get_buffer_info(env, argv[1], (void **)&buf, &cap));
  double atd;
  CHECK(napi_get_value_double(env, argv[2], &atd));
  double *out;
  size_t outLen;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  CHECK(napi_get_typedarray_info(env, argv[3], &type, &outLen, (void **)&out, &ab, &off));
  if (type != napi_float64_array || outLen < 4 || atd < 0 || atd > (double)cap)
    return throw_error(env, "csv-rows: bad fill arguments");
  size_t at = (size_t)atd;
  double rows = 0;
  int status = FULL;
  double bytes = 0;
  napi_value handed = NULL;
  for (;;) {
    if (!r->pending) {
      if (r->done) {
        status = DONE;
        break;
      }
      int rc = sqlite3_step(r->stmt);
      if (rc == SQLITE_DONE) {
        r->done = 1;
        status = DONE;
        break;
      }
      if (rc != SQLITE_ROW) return throw_error(env, sqlite3_errmsg(r->db));
      r->pending = 1;
    }
    long n = write_row(r, buf + at, cap - at);
    if (n >= 0) {
      at += (size_t)n;
      rows++;
      r->pending = 0;
      continue;
    }
    // A row that does not fit an empty buffer goes to JavaScript, which writes it in parts.
    if (n == NO_ROOM && at > 0) break;
    // A row too large for the JavaScript heap is never made into values there: the worker would
    // run out of memory, and V8 may then abort the whole process rather than only the worker.
    bytes = row_bytes(r);
    if (r->hand_limit > 0 && bytes > r->hand_limit) {
      status = TOO_LARGE;
      break;
    }
    handed = row_values(env, r);
    if (!handed) return NULL;
    r->pending = 0;
    status = HANDED;
    break;
  }
  out[0] = (double)at;
  out[1] = rows;
  out[2] = status;
  out[3] = bytes;
  return handed ? handed : undefined_value(env);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Reader *r = argc == 1 ? get_reader(env, argv[0]) : NULL;
  if (r) reader_close(r);
  return undefined_value(env);
}

// The import's CSV scanner (csv-scan.c), in the same addon.
napi_value csv_scan_js(napi_env env, napi_callback_info info);

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"scanCsv", NULL, csv_scan_js, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"fill", NULL, js_fill, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 4, props) != napi_ok) return NULL;
  return exports;
}
