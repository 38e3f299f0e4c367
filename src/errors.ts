// Errors a user can act on. Each says where (document number, line:column, file), what is wrong
// and how to fix it; the CLI prints `message` and exits with `exitCode`, never a stack trace.

export class UserError extends Error {
  constructor(
    message: string,
    /** 1 for bad input or configuration, 2 for a usage error */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A UserError about one input document: its 1-based number is data, for hosts to map it back. */
export class DocumentError extends UserError {
  constructor(
    message: string,
    readonly documentNumber: number,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** Raised when --strict turns warnings into errors; carries the records for a JSON report. */
export class StrictModeError extends UserError {
  constructor(
    message: string,
    readonly records: {
      changes: import('./report/records.js').ChangeRecord[];
      warnings: import('./report/records.js').WarningRecord[];
      documents: { in: number; out: number };
    },
  ) {
    super(message);
  }
}
