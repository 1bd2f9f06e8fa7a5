import { Hono } from 'hono';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { findWebinarById } from '../webinars/webinars-repository.ts';
import { roomOf, scheduleAttendanceFetch } from './video-jobs.ts';

/** What agents do with the video tool: enter a BigBlueButton room as moderator, read attendance again. */
export function videoAdminRoutes(s: Services) {
  const app = new Hono<AdminEnv>();

  app.get('/rencontres/:id/salle', async (c) => {
    const w = await findWebinarById(s.db.kysely, c.req.param('id'));
    if (!w) throw new NotFound('Rencontre introuvable');
    const agent = c.get('agent');
    if (w.videoTool !== 'bbb' || !s.video.bbb) throw new DomainError('no-room', 'Cette Rencontre n’a pas de salle BigBlueButton');
    const row = await s.db.kysely.selectFrom('webinars').select(['video_external_id', 'video_data']).where('id', '=', w.id).executeTakeFirstOrThrow();
    const room = roomOf({ videoExternalId: row.video_external_id, videoData: row.video_data });
    if (!room) throw new DomainError('no-room', 'La salle est en cours de création : réessayez dans une minute');
    const url = await s.video.bbb.joinUrlAtClick(room, { registrationId: `agent-${agent.id}`, email: agent.email, firstName: agent.name, lastName: '' }, 'moderator');
    if (!url) throw new DomainError('no-room', 'La salle n’est pas disponible');
    await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: agent.id, ip: clientIp(c, s.config.trustProxy) }, 'webinar.room-opened', { type: 'webinar', id: w.id });
    c.header('Cache-Control', 'no-store');
    return c.redirect(url, 302);
  });

  app.post('/rencontres/:id/presences', async (c) => {
    const w = await findWebinarById(s.db.kysely, c.req.param('id'));
    if (!w) throw new NotFound('Rencontre introuvable');
    if (w.videoTool === 'link') throw new DomainError('no-tool', 'Cette Rencontre n’utilise pas d’outil vidéo relié : importez un rapport ou cochez les présences');
    const now = s.clock.now();
    await scheduleAttendanceFetch(s.db.kysely, now, w.id, `agent:${now.toISOString()}`, 0);
    s.jobQueued();
    return c.redirect(`/admin/rencontres/${w.id}?ok=presences-demandees`, 303);
  });

  return app;
}
