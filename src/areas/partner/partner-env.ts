import type { PartnerRow, PartnerSessionRow, PartnerUserRow } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';

/** What every partner portal handler finds on the context once the guard has let the request in. */
export type PartnerEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    partnerUser: PartnerUserRow;
    /** The signed-in user's organisation: every query of the portal is scoped to its id. */
    partner: PartnerRow;
    partnerSession: PartnerSessionRow;
    /** The form body, already read by the guard for the CSRF check. */
    form: Record<string, string>;
    /** The same body with repeated fields (checkboxes) kept. */
    params: URLSearchParams;
  };
};
