import type { Logger } from '../logger.ts';

/**
 * Work a route goes on with after it has answered: Zoom and BigBlueButton want their answer within a few
 * seconds, and do not send again what was answered 200. The work is kept track of, so that stopping the
 * server waits for it (a notification acknowledged is not lost by a restart) and a test can wait for it
 * instead of sleeping.
 */
export class AfterResponse {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Starts `work` on its own; a failure is logged with `label`, never thrown at the route that answered. */
  run(label: string, work: () => Promise<unknown>): void {
    const done: Promise<void> = Promise.resolve()
      .then(work)
      .then(
        () => undefined,
        (err: unknown) => this.logger.error(`${label} failed`, { err }),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** How many pieces of work are still running. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves once every piece of work has ended, those started meanwhile included. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
