import type { AgentRow, SessionRow } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Site } from '../public/layout.tsx';

/** What every back-office handler finds on the context once the guard has let the request in. */
export type AdminEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    agent: AgentRow;
    session: SessionRow;
    /** The form body, already read by the guard for the CSRF check. */
    form: Record<string, string>;
    /** The same body with repeated fields (checkboxes) kept. */
    params: URLSearchParams;
  };
};

export interface AdminSite extends Site {
  /** Where the guard sends people who are not signed in. */
  signInPath: string;
}
