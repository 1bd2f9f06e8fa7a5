import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const options = { algorithm: 2 as const, // Algorithm.Argon2id (a const enum, not importable here)
  memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so that timing does not reveal which e-mails are agents. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hash('nouvelle-vie-dummy-password', options);
  return dummy;
}

/**
 * Whether a password is the one of an account, with the same work whether the account exists, has a
 * password yet or not: the answer's time tells nothing.
 */
export async function passwordMatches(stored: string | null | undefined, password: string): Promise<boolean> {
  if (stored) return verifyPassword(stored, password);
  await verifyPassword(await dummyHash(), password);
  return false;
}
