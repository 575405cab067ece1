// The import's CSV reading in C: records cut out of the file's bytes, each field checked against
// its column's type, and the fields written into a batch payload for the insert thread.
//
// Why: in JavaScript the reading thread decoded every byte into a string, split each line,
// tested each field with a regular expression and joined the batch into one more string; with
// the insert thread in C (import-rows.c) that thread was the import's critical path (about 5.7
// CPU-seconds of a 2,000,000-row import, against sqlite3's whole `.import` in 5.7-6.6 s).
//
// It only does what it can do exactly as the JavaScript reader does (csv-parser.ts,
// row-type-inferrer.ts); every other record is handed to JavaScript, which stays the one
// definition of the import:
// - a record whose fields do not all fit their column's current type as they are (the first
//   value of a column, a value that widens a column, a timestamp not already in canonical form),
//   a field count other than the header's (the header itself, blank lines, ragged rows), text
//   that is not valid UTF-8 or holds a NUL byte: DECLINE, with the record's extent; JavaScript reads that one record and the scan goes on;
// - anything odd in the CSV syntax (a character after a closing quote, a quote left open at the
//   end): REST, JavaScript reads the rest of the file and reports the error as it always has.
//
//   scanCsv(bytes, pos, end, final, kinds, out, outPos, outRows, maxRows, res) -> undefined
//     bytes, out: Uint8Array; kinds: Uint8Array, one type code per column (row-type-inferrer.ts:
//     0 unknown, 1 integer, 2 real, 3 boolean, 4 timestamp, 5 text); res: Float64Array(6):
//     [pos after the records read, outPos, rows written, lines read, status, declined end]
//     Fields are written as payload text: rows x columns fields joined by NUL ('' is NULL), a
//     NUL before the first field of a row unless out holds no row yet (outRows, the rows out
//     already holds, is 0); quotes removed and unescaped. maxRows: rows to write at most.
#define NAPI_VERSION 8
#include <node_api.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// MORE: every whole record is read (pos: where an unfinished one starts, or the end); FULL: maxRows
// rows written, or the next record does not fit in out.
enum { S_MORE = 0, S_FULL = 1, S_DECLINE = 2, S_REST = 3 };
enum { T_UNKNOWN = 0, T_INTEGER = 1, T_REAL = 2, T_BOOLEAN = 3, T_TIMESTAMP = 4, T_TEXT = 5 };

typedef struct {
  const uint8_t *start; // the field's bytes, quotes excluded
  size_t len;
  int escaped; // a quoted field holding doubled quotes
} Field;

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/** Well-formed UTF-8 (Unicode table 3-7) without NUL, as TextDecoder decodes without replacing. */
static int text_ok(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time, none of them NUL.
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ULL) || ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
        break;
      i += 8;
    }
    if (i >= n) break;
    uint8_t c = s[i];
    if (c == 0) return 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else
      return 0;
    if (i + need >= n) return 0;
    uint8_t c1 = s[i + 1];
    if (c1 < lo || c1 > hi) return 0;
    for (size_t k = 2; k <= need; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return 0;
    i += need + 1;
  }
  return 1;
}

/** values.ts parseInteger: no leading zeros, no '+', not -0, a safe integer. */
static int integer_ok(const uint8_t *s, size_t n) {
  size_t i = 0;
  if (n > 0 && s[0] == '-') i = 1;
  size_t digits = n - i;
  if (digits == 0 || digits > 16) return 0;
  for (size_t k = i; k < n; k++)
    if (!is_digit(s[k])) return 0;
  if (s[i] == '0') return digits == 1 && i == 0; // "0" only: "-0" and "007" are not integers
  if (digits == 16 && memcmp(s + i, "9007199254740991", 16) > 0) return 0;
  return 1;
}

/**
 * values.ts parseReal: -?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][+-]?\d+)? and finite. Finiteness is
 * decided here only when the magnitude is clearly below 1e300; closer cases go to JavaScript.
 */
static int real_ok(const uint8_t *s, size_t n) {
  size_t i = 0;
  if (i < n && s[i] == '-') i++;
  long intDigits = 0;
  if (i < n && s[i] == '.') {
    i++;
    size_t from = i;
    while (i < n && is_digit(s[i])) i++;
    if (i == from) return 0;
  } else {
    if (i >= n || !is_digit(s[i])) return 0;
    if (s[i] == '0') i++;
    else
      while (i < n && is_digit(s[i])) i++, intDigits++;
    if (i < n && s[i] == '.') {
      i++;
      while (i < n && is_digit(s[i])) i++;
    }
  }
  long exp = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t from = i;
    while (i < n && is_digit(s[i])) {
      if (exp < 100000) exp = exp * 10 + (s[i] - '0');
      i++;
    }
    if (i == from) return 0;
    if (neg) exp = -exp;
  }
  if (i != n) return 0;
  return intDigits + exp <= 300;
}

static int num2(const uint8_t *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/** values.ts normalizeTimestamp's fast path: already YYYY-MM-DDTHH:MM:SS.mmmZ and in range. */
static int timestamp_ok(const uint8_t *s, size_t n) {
  static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (n != 24) return 0;
  for (int k = 0; k < 24; k++) {
    if (shape[k] == 'd') {
      if (!is_digit(s[k])) return 0;
    } else if (s[k] != (uint8_t)shape[k])
      return 0;
  }
  int year = num2(s) * 100 + num2(s + 2);
  int month = num2(s + 5);
  int day = num2(s + 8);
  if (month < 1 || month > 12 || day < 1) return 0;
  int days = month == 2 ? ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28)
             : (month == 4 || month == 6 || month == 9 || month == 11) ? 30
                                                                       : 31;
  return day <= days && num2(s + 11) <= 23 && num2(s + 14) <= 59 && num2(s + 17) <= 59;
}

static int field_ok(int kind, const Field *f) {
  if (f->len == 0) return 1; // NULL in any column
  const uint8_t *s = f->start;
  size_t n = f->len;
  switch (kind) {
    case T_TEXT:
      return text_ok(s, n);
    case T_INTEGER:
      return !f->escaped && integer_ok(s, n);
    case T_REAL:
      return !f->escaped && real_ok(s, n);
    case T_BOOLEAN:
      return !f->escaped && ((n == 4 && memcmp(s, "true", 4) == 0) ||
                             (n == 5 && memcmp(s, "false", 5) == 0));
    case T_TIMESTAMP:
      return !f->escaped && timestamp_ok(s, n);
    default:
      return 0; // unknown: the first value settles the type, in JavaScript
  }
}

typedef struct {
  const uint8_t *b;
  size_t end;
  int final;
  Field *fields;
  int ncols;
  int nfields;
  long lines; // newlines inside quoted fields
} Cut;

enum { CUT_OK = 0, CUT_MORE = 1, CUT_ODD = 2 };

static void add_field(Cut *c, const uint8_t *start, size_t len, int escaped) {
  if (c->nfields < c->ncols) {
    c->fields[c->nfields].start = start;
    c->fields[c->nfields].len = len;
    c->fields[c->nfields].escaped = escaped;
  }
  c->nfields++;
}

/**
 * Cuts the record starting at pos into fields as csv-parser.ts does; *next is where the next
 * record starts. CUT_MORE: the record runs past the bytes held (not final); CUT_ODD: a syntax
 * error or an ending the JavaScript parser should judge.
 */
static int cut_record(Cut *c, size_t pos, size_t *next) {
  const uint8_t *b = c->b;
  size_t end = c->end;
  c->nfields = 0;
  c->lines = 0;
  for (;;) {
    if (pos < end && b[pos] == '"') {
      size_t from = pos + 1;
      int escaped = 0;
      size_t q;
      for (;;) {
        const uint8_t *hit = memchr(b + from, '"', end - from);
        if (!hit) return c->final ? CUT_ODD : CUT_MORE;
        q = (size_t)(hit - b);
        if (q + 1 == end && !c->final) return CUT_MORE;
        if (q + 1 < end && b[q + 1] == '"') {
          escaped = 1;
          from = q + 2;
          continue;
        }
        break;
      }
      for (const uint8_t *p = b + pos + 1; (p = memchr(p, '\n', (size_t)(b + q - p))); p++)
        c->lines++;
      add_field(c, b + pos + 1, q - pos - 1, escaped);
      pos = q + 1;
      if (pos >= end) {
        if (!c->final) return CUT_MORE;
        *next = end;
        return CUT_OK;
      }
      uint8_t ch = b[pos];
      if (ch == ',') {
        pos++;
        continue;
      }
      if (ch == '\n') {
        *next = pos + 1;
        return CUT_OK;
      }
      if (ch == '\r') {
        if (pos + 1 >= end) {
          if (!c->final) return CUT_MORE;
          *next = end;
          return CUT_OK;
        }
        if (b[pos + 1] == '\n') {
          *next = pos + 2;
          return CUT_OK;
        }
      }
      return CUT_ODD;
    }
    // Unquoted: to the next comma or newline; a quote inside is kept, a CR before LF dropped.
    size_t p = pos;
    while (p < end && b[p] != ',' && b[p] != '\n') p++;
    if (p < end && b[p] == ',') {
      add_field(c, b + pos, p - pos, 0);
      pos = p + 1;
      continue;
    }
    if (p >= end && !c->final) return CUT_MORE;
    size_t stop = p;
    if (stop > pos && b[stop - 1] == '\r') stop--;
    add_field(c, b + pos, stop - pos, 0);
    *next = p < end ? p + 1 : end;
    return CUT_OK;
  }
}

static size_t write_field(uint8_t *out, const Field *f) {
  if (!f->escaped) {
    memcpy(out, f->start, f->len);
    return f->len;
  }
  size_t o = 0;
  for (size_t i = 0; i < f->len; i++) {
    out[o++] = f->start[i];
    if (f->start[i] == '"') i++; // the second of a doubled quote
  }
  return o;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int bytes_of(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, (void **)data, &ab, &off) != napi_ok) return 0;
  return type == napi_uint8_array;
}

napi_value csv_scan_js(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 10)
    return fail(env,
                "csv-scan: scanCsv(bytes, pos, end, final, kinds, out, outPos, outRows, maxRows, res)");
  uint8_t *b, *kinds, *out;
  size_t blen, ncols, cap, reslen;
  double posd, endd, outPosd, outRowsd, maxRowsd;
  bool final;
  double *res;
  napi_typedarray_type rtype;
  napi_value ab;
  size_t off;
  if (!bytes_of(env, argv[0], &b, &blen) || !bytes_of(env, argv[4], &kinds, &ncols) ||
      !bytes_of(env, argv[5], &out, &cap) ||
      napi_get_value_double(env, argv[1], &posd) != napi_ok ||
      napi_get_value_double(env, argv[2], &endd) != napi_ok ||
      napi_get_value_bool(env, argv[3], &final) != napi_ok ||
      napi_get_value_double(env, argv[6], &outPosd) != napi_ok ||
      napi_get_value_double(env, argv[7], &outRowsd) != napi_ok ||
      napi_get_value_double(env, argv[8], &maxRowsd) != napi_ok ||
      napi_get_typedarray_info(env, argv[9], &rtype, &reslen, (void **)&res, &ab, &off) !=
          napi_ok ||
      rtype != napi_float64_array || reslen < 6 || !(posd >= 0 && posd <= endd) ||
      !(endd <= (double)blen) || !(outPosd >= 0 && outPosd <= (double)cap))
    return fail(env, "csv-scan: bad arguments");
  size_t pos = (size_t)posd;
  size_t outPos = (size_t)outPosd;
  Cut c = {b, (size_t)endd, final, NULL, (int)ncols, 0, 0};
  c.fields = malloc(sizeof(Field) * (ncols > 0 ? ncols : 1));
  if (!c.fields) return fail(env, "csv-scan: out of memory");
  double rows = 0, lines = 0;
  int status = S_MORE;
  size_t declinedEnd = 0;
  while (pos < c.end) {
    if (rows >= maxRowsd) {
      status = S_FULL;
      break;
    }
    size_t next = pos;
    int r = cut_record(&c, pos, &next);
    if (r == CUT_MORE) break;
    if (r == CUT_ODD) {
      status = S_REST;
      break;
    }
    int fits = ncols > 0 && c.nfields == (int)ncols;
    int first = outRowsd == 0 && rows == 0;
    size_t need = first ? 0 : 1;
    for (int k = 0; fits && k < c.nfields; k++) {
      fits = field_ok(kinds[k], &c.fields[k]);
      need += c.fields[k].len + (k > 0);
    }
    if (fits && outPos + need > cap) {
      status = S_FULL; // JavaScript sends the batch or gives it a larger buffer
      break;
    }
    if (!fits) {
      status = S_DECLINE;
      declinedEnd = next;
      break;
    }
    if (!first) out[outPos++] = 0;
    for (int k = 0; k < c.nfields; k++) {
      if (k > 0) out[outPos++] = 0;
      outPos += write_field(out + outPos, &c.fields[k]);
    }
    rows++;
    lines += 1 + (double)c.lines;
    pos = next;
  }
  free(c.fields);
  res[0] = (double)pos;
  res[1] = (double)outPos;
  res[2] = rows;
  res[3] = lines;
  res[4] = status;
  res[5] = (double)declinedEnd;
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}
