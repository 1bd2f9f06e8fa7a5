import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';

describe('time-ordered ids', () => {
  it('are UUID version 7, unique, and sort in the order they were made', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => newId(1_800_000_000_000 + i));
    for (const id of ids.slice(0, 5)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // The first 48 bits are the milliseconds.
    expect(Number.parseInt(newId(1_800_000_000_123).replace(/-/g, '').slice(0, 12), 16)).toBe(1_800_000_000_123);
  });

  it('differ within the same millisecond, across many refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, () => newId(1_800_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    // 80 random bits each: no two ids share their random part either.
    expect(new Set(ids.map((id) => id.slice(14))).size).toBe(ids.length);
  });
});
