/** The small set of typed errors the one error handler knows how to show. */
export class NotFound extends Error {
  constructor(message = 'Page introuvable') {
    super(message);
  }
}
export class Forbidden extends Error {
  constructor(message = 'Accès refusé') {
    super(message);
  }
}
/** A broken business rule, with a stable code the caller can branch on. */
export class DomainError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
  }
}
export class TooManyRequests extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Trop de tentatives');
  }
}
