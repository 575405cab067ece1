// The one error an import fails with on purpose: a message naming the line, and a code.

export type ImportErrorCode = 'INVALID_FILE' | 'DISK_FULL' | 'INTERNAL';

export class ImportError extends Error {
  readonly code: ImportErrorCode;
  constructor(message: string, code: ImportErrorCode = 'INVALID_FILE') {
    super(message);
    this.name = 'ImportError';
    this.code = code;
  }
}

export class ImportCanceled extends Error {
  constructor() {
    super('the import was canceled');
    this.name = 'ImportCanceled';
  }
}
