// What a host mode hands back to the CLI: the bytes for stdout, the text for stderr, the exit code.
export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}
