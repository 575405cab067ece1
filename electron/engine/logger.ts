// A small structured logger whose every line passes through redaction of secrets.

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** False when debug lines are dropped, so callers can skip building them on hot paths. */
  readonly debugEnabled?: boolean;
}

const SECRET_QUERY =
  /([?&](?:signature|sig|token|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|x-goog-security-token|key|api_key|apikey|access_token|policy|key-pair-id|password|secret)=)[^&#\s"']+/gi;
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
// user:password@ in a URL.
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s"'@]+@/gi;

/** Removes presigned query values, URL passwords and bearer tokens from any text. */
export function redact(text: string): string {
  return text
    .replace(SECRET_QUERY, '$1[redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(USERINFO, '$1[redacted]@');
}

function redactFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const safe: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (/credential|password|secret|authorization|api_?key/i.test(k)) safe[k] = '[redacted]';
    else if (v instanceof Error) safe[k] = redact(v.message);
    else safe[k] = v;
  }
  return ' ' + redact(JSON.stringify(safe));
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
      if (order[lvl] < order[level]) return;
      write(
        `${new Date().toISOString()} ${lvl.toUpperCase()} ${redact(msg)}${redactFields(fields)}`,
      );
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debugEnabled: order.debug >= order[level],
  };
}

export const silentLogger: Logger = createLogger('silent');

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * A closed stdout or stderr (the reader of a pipe went away: `serve | head`, a closed terminal)
 * must not become an uncaught exception: the last-resort handler would log it to the same closed
 * pipe, which fails again, and the process spins there instead of stopping on SIGTERM. Write errors
 * of stdout and stderr are dropped: there is nowhere left to report them.
 */
export function surviveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', () => undefined);
  }
}

/**
 * A warning that may repeat many times a second (a store or queue that is down, every poll
 * failing): the first is logged, then at most one line per `windowMs`, carrying how many were
 * left out since the last line, so the log stays readable through an outage and still says it
 * lasted.
 */
export function quietWarn(
  logger: Logger,
  msg: string,
  windowMs = 60_000,
  now: () => number = Date.now,
): (fields?: Record<string, unknown>) => void {
  let quietUntil = Number.NEGATIVE_INFINITY;
  let quieted = 0;
  return (fields) => {
    const t = now();
    // Inside the window; a time before its start (the clock went back) opens a new one.
    if (t < quietUntil && t >= quietUntil - windowMs) {
      quieted += 1;
      return;
    }
    logger.warn(msg, { ...fields, ...(quieted > 0 ? { left_out_since_last_line: quieted } : {}) });
    quietUntil = t + windowMs;
    quieted = 0;
  };
}
