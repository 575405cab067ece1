// A streaming JSON Lines reader: one object per line, blank lines skipped, errors name the line.
import { ImportError } from './import-error.ts';

const MAX_LINE_CHARS = 16 * 1024 * 1024;

export class JsonlParser {
  private buf = '';
  private nextLine = 1;
  private readonly onRecord: (obj: Record<string, unknown>, line: number) => void;

  constructor(onRecord: (obj: Record<string, unknown>, line: number) => void) {
    this.onRecord = onRecord;
  }

  /** The line being read, for errors found outside the parser (a broken gzip stream). */
  get currentLine(): number {
    return this.nextLine;
  }

  push(text: string): void {
    const buf = this.buf.length === 0 ? text : this.buf + text;
    let pos = 0;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', pos)) {
      this.record(buf.slice(pos, nl));
      pos = nl + 1;
    }
    this.buf = buf.slice(pos);
    if (this.buf.length > MAX_LINE_CHARS)
      throw new ImportError(`line ${this.nextLine}: a line longer than 16 MB`);
  }

  end(): void {
    if (this.buf.length > 0) this.record(this.buf);
    this.buf = '';
  }

  private record(text: string): void {
    const line = this.nextLine++;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ImportError(`line ${line}: invalid JSON (${(err as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new ImportError(`line ${line}: expected a JSON object`);
    this.onRecord(value as Record<string, unknown>, line);
  }
}
