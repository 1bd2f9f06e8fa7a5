import type { Context } from 'hono';

/**
 * The address of the client: the socket's peer, or the first hop of X-Forwarded-For when the app is
 * told it runs behind a proxy (TRUST_PROXY), since anyone can write that header otherwise.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = c.req.header('x-forwarded-for');
    if (fwd) return fwd.split(',')[0]!.trim();
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/** The body of a urlencoded form as a plain object (last value wins). Faster than parseBody for this case. */
export async function formBody(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return {};
  const text = await c.req.text();
  return Object.fromEntries(new URLSearchParams(text));
}
