/** Exit codes of the `nouvelle-vie` command, stable for scripts. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Where a command writes: what it did on stdout, what went wrong on stderr. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export const cliOutput: CliOutput = {
  out: (line) => void process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  err: (line) => void process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
};
