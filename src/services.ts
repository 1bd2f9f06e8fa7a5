import type { Config } from './config.ts';
import type { Territory } from './features/territory/territory.ts';
import type { VideoTools } from './features/video/video-jobs.ts';
import type { Db } from './platform/db/database.ts';
import type { Logger } from './platform/logger.ts';
import type { Clock } from './platform/time.ts';

/** What use cases and routes receive from the composition root (main.ts or a test). */
export interface Services {
  readonly config: Pick<Config, 'publicUrl' | 'isHttps' | 'trustProxy' | 'env'>;
  readonly db: Db;
  readonly clock: Clock;
  readonly territory: Territory;
  readonly logger: Logger;
  /** Key of the HMAC that derives private links from a registration id and nonce. */
  readonly tokenKey: Buffer;
  /** Wakes the outbox worker after a commit that enqueued mail. */
  readonly mailQueued: () => void;
  /** The video tools configured (Zoom, BigBlueButton); a Rencontre on "link" needs none. */
  readonly video: VideoTools;
  /** Wakes the job runner after a commit that enqueued a job. */
  readonly jobQueued: () => void;
}
