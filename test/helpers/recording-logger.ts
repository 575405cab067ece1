// A logger that keeps the warnings and errors it is given, for a test to assert on or to print.
import type { Logger } from '../../electron/engine/logger.ts';

export interface LoggedLine {
  readonly level: 'warn' | 'error';
  readonly msg: string;
  readonly fields: Record<string, unknown> | undefined;
}

export function recordingLogger(): { logger: Logger; lines: LoggedLine[]; text(): string } {
  const lines: LoggedLine[] = [];
  const keep = (level: LoggedLine['level']) => (msg: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, msg, fields });
  return {
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: keep('warn'),
      error: keep('error'),
    },
    lines,
    /** Every line, one per line of text. */
    text: () =>
      lines.map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.fields ?? {})}`).join('\n'),
  };
}
