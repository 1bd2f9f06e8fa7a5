import { Hono } from 'hono';
import { agentAdminRoutes } from '../../features/agents/admin-routes.tsx';
import { auditAdminRoutes } from '../../features/audit/admin-routes.tsx';
import { candidateAdminRoutes } from '../../features/candidates/admin-routes.tsx';
import { contentAdminRoutes } from '../../features/content/admin-routes.tsx';
import { slidesAdminRoutes } from '../../features/slides/admin-routes.tsx';
import { dashboardAdminRoutes } from '../../features/dashboard/admin-routes.tsx';
import { importAdminRoutes } from '../../features/imports/admin-routes.tsx';
import { mailboxAdminRoutes } from '../../features/mailbox/admin-routes.tsx';
import { candidateOfferAdminRoutes } from '../../features/offers/candidate-offer-routes.tsx';
import { offerAdminRoutes } from '../../features/offers/admin-routes.tsx';
import { partnerAdminRoutes } from '../../features/partners/admin-routes.tsx';
import { referralAdminRoutes } from '../../features/referrals/admin-routes.tsx';
import { replayAdminRoutes } from '../../features/replay/admin-routes.tsx';
import { statisticsAdminRoutes } from '../../features/statistics/admin-routes.tsx';
import { videoAdminRoutes } from '../../features/video/admin-routes.tsx';
import { registrationAdminRoutes } from '../../features/registrations/admin-routes.tsx';
import { webinarAdminRoutes } from '../../features/webinars/admin-routes.tsx';
import { appointmentAdminRoutes } from '../../features/appointments/admin-routes.tsx';
import { installationAdminRoutes } from '../../features/installations/admin-routes.tsx';
import { referentAdminRoutes } from '../../features/referents/admin-routes.tsx';
import { taskAdminRoutes } from '../../features/tasks/admin-routes.tsx';
import type { Services } from '../../services.ts';
import type { Site } from '../public/layout.tsx';
import type { AdminEnv } from './admin-env.ts';
import { requireAgent } from './guard.ts';

export interface AdminAreaOptions {
  smtpConfigured: boolean;
  auditRetentionDays: number;
}

/**
 * The back-office, mounted at /admin. The guard runs before every route of it (a session, and the
 * CSRF token on writes); admin-only sub-apps, on their own prefix, add a role check of their own. Nothing here is decided by
 * matching URL strings.
 */
export function adminArea(s: Services, site: Site, opts: AdminAreaOptions) {
  const app = new Hono<AdminEnv>();
  app.use('*', requireAgent(s));

  app.route('/', dashboardAdminRoutes(s, site));
  app.route('/', webinarAdminRoutes(s, site));
  app.route('/', contentAdminRoutes(s, site));
  app.route('/', slidesAdminRoutes(s, site));
  app.route('/', registrationAdminRoutes(s, site));
  app.route('/', candidateAdminRoutes(s, site));
  app.route('/', referentAdminRoutes(s, site));
  app.route('/', taskAdminRoutes(s, site));
  app.route('/', appointmentAdminRoutes(s, site));
  app.route('/', installationAdminRoutes(s, site));
  app.route('/', offerAdminRoutes(s, site));
  app.route('/', candidateOfferAdminRoutes(s, site));
  app.route('/', referralAdminRoutes(s, site));
  app.route('/', partnerAdminRoutes(s, site));
  app.route('/', replayAdminRoutes(s, site));
  app.route('/', statisticsAdminRoutes(s, site));
  app.route('/', videoAdminRoutes(s));
  app.route('/', importAdminRoutes(s, site));
  app.route('/', mailboxAdminRoutes(s, site, { smtpConfigured: opts.smtpConfigured }));
  // Admin-only sub-apps check the role themselves, on their own prefix.
  app.route('/agents', agentAdminRoutes(s, site));
  app.route('/journal', auditAdminRoutes(s, site, { retentionDays: opts.auditRetentionDays }));
  return app;
}
