import { JobRunner, type JobHandler } from './platform/jobs/jobs.ts';
import { reminderJobHandler, REMINDER_JOB, scheduleDueReminders } from './features/reminders/send-reminders.ts';
import { inviteNoShows } from './features/invitations/invite-no-shows.ts';
import { replayJobHandler, REPLAY_JOB } from './features/replay/send-replay.ts';
import { videoJobHandlers } from './features/video/video-jobs.ts';
import { ASSIGN_REFERENT_JOB, assignReferentJobHandler, enqueueUnassignedRequests } from './features/referents/assign-referent.ts';
import { keepOffersFresh } from './features/offers/offer-freshness.ts';
import { purgeExpiredPartnerSessions } from './features/partners/partner-sessions.ts';
import { APPOINTMENT_REMINDER_JOB } from './features/appointments/book-appointment.ts';
import { appointmentReminderJobHandler } from './features/appointments/appointment-reminders.ts';
import { flagUnansweredFollowUps, sendDueFollowUps } from './features/installations/follow-ups.ts';
import { sendTaskReminders } from './features/tasks/send-task-reminders.ts';
import { purgeContactForms } from './features/contact-form/submit-contact-form.ts';
import { statisticsRefresher } from './features/statistics/refresh-statistics.ts';
import type { Services } from './services.ts';

/** Every background job kind and periodic task of the platform, in one place. */
export function createJobRunner(s: Services): JobRunner {
  const handlers: Record<string, JobHandler> = {
    [REMINDER_JOB]: reminderJobHandler(s),
    [REPLAY_JOB]: replayJobHandler(s),
    ...videoJobHandlers(s),
    [ASSIGN_REFERENT_JOB]: assignReferentJobHandler(s),
    [APPOINTMENT_REMINDER_JOB]: appointmentReminderJobHandler(s),
  };
  const statistics = statisticsRefresher(s);
  return new JobRunner({
    db: s.db,
    clock: s.clock,
    logger: s.logger.child({ component: 'jobs' }),
    handlers,
    periodic: [
      { name: 'reminders', everyMs: 60_000, run: async () => void (await scheduleDueReminders(s)) },
      { name: 'no-show invitations', everyMs: 3600_000, run: async () => void (await inviteNoShows(s)) },
      { name: 'unassigned requests', everyMs: 600_000, run: async () => void (await enqueueUnassignedRequests(s)) },
      { name: 'task reminders', everyMs: 300_000, run: async () => void (await sendTaskReminders(s)) },
      { name: 'follow-ups', everyMs: 900_000, run: async () => void (await sendDueFollowUps(s)) },
      { name: 'unanswered follow-ups', everyMs: 3600_000, run: async () => void (await flagUnansweredFollowUps(s)) },
      { name: 'first contact forms purge', everyMs: 3600_000, run: async () => void (await purgeContactForms(s)) },
      { name: 'offers freshness', everyMs: 3600_000, run: async () => void (await keepOffersFresh(s)) },
      { name: 'partner sessions purge', everyMs: 3600_000, run: () => purgeExpiredPartnerSessions(s.db.kysely, s.clock.now()) },
      { name: 'statistics facts', everyMs: 3_000, run: async () => void (await statistics.run()) },
    ],
  });
}
