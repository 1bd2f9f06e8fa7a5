import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { AfterResponse } from './after-response.ts';

const later = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('work after the response', () => {
  it('waits for every piece of work, those started by another included, and logs a failure instead of throwing it', async () => {
    const lines: string[] = [];
    const logger = createLogger('error', {}, (line) => lines.push(line));
    const after = new AfterResponse(logger);
    const done: string[] = [];
    after.run('first', async () => {
      await later(30, null);
      done.push('first');
      after.run('second', async () => {
        await later(30, null);
        done.push('second');
      });
    });
    after.run('failing', async () => {
      await later(10, null);
      throw new Error('boom');
    });
    expect(after.size).toBe(2);
    await after.idle();
    expect(done).toEqual(['first', 'second']);
    expect(after.size).toBe(0);
    expect(lines.join('\n')).toContain('failing failed');
  });

  it('is idle at once when nothing runs', async () => {
    const after = new AfterResponse(createLogger('silent'));
    await after.idle();
    expect(after.size).toBe(0);
  });
});
