/** Exit statuses, documented in the README: 0 ok, 1 data or audit failure, 2 usage, 75 locked. */
export const EXIT = { ok: 0, dataFailure: 1, usage: 2, locked: 75 } as const;

/** An error whose message is meant for the operator as it is, with the exit status to use. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.dataFailure,
  ) {
    super(message);
  }
}
