import { JobRunner, type JobHandler } from './platform/jobs/jobs.ts';
import { reminderJobHandler, REMINDER_JOB, scheduleDueReminders } from './features/reminders/send-reminders.ts';
import { inviteNoShows } from './features/invitations/invite-no-shows.ts';
import { replayJobHandler, REPLAY_JOB } from './features/replay/send-replay.ts';
import { videoJobHandlers } from './features/video/video-jobs.ts';
import type { Services } from './services.ts';

/** Every background job kind and periodic task of the platform, in one place. */
export function createJobRunner(s: Services): JobRunner {
  const handlers: Record<string, JobHandler> = {
    [REMINDER_JOB]: reminderJobHandler(s),
    [REPLAY_JOB]: replayJobHandler(s),
    ...videoJobHandlers(s),
  };
  return new JobRunner({
    db: s.db,
    clock: s.clock,
    logger: s.logger.child({ component: 'jobs' }),
    handlers,
    periodic: [
      { name: 'reminders', everyMs: 60_000, run: async () => void (await scheduleDueReminders(s)) },
      { name: 'no-show invitations', everyMs: 3600_000, run: async () => void (await inviteNoShows(s)) },
    ],
  });
}
