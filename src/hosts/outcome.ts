// What a host mode hands back to the CLI: the bytes for stdout, the text for stderr, the exit code.
export interface Outcome {
  /** what goes to stdout, whole or in pieces written one after the other */
  stdout: string | readonly string[];
  stderr: string;
  exitCode: number;
  /** what --report-file keeps, when it is not `stderr` (the report in text form under --report none) */
  report?: string;
}
