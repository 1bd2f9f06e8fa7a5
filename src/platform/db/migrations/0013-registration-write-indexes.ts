import type { Kysely } from 'kysely';

// Frozen in time. Every registration writes an entry in each index of its rows, and each index is
// pages the group commit writes to the WAL and syncs (ADR 0008). Three indexes that no query needs:
// - registrations_candidate (candidate_id): registrations_candidate_statistics (candidate_id, status,
//   webinar_id, attended) begins with the same column and serves the same lookups;
// - candidates_phone (phone): nothing looks a phone up as typed (the duplicates use phone_key, the
//   registrants' search a LIKE '%…%' that no index serves);
// - registrations_video_registrant: no query reads by the video tool's registrant id yet, and every
//   registration made without Zoom has none; kept for the day one does, partial, without the nulls.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('registrations_candidate').execute();
  await db.schema.dropIndex('candidates_phone').execute();
  await db.schema.dropIndex('registrations_video_registrant').execute();
  await db.schema.createIndex('registrations_video_registrant').on('registrations').column('video_registrant_id').where('video_registrant_id', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('registrations_video_registrant').execute();
  await db.schema.createIndex('registrations_video_registrant').on('registrations').column('video_registrant_id').execute();
  await db.schema.createIndex('candidates_phone').on('candidates').column('phone').execute();
  await db.schema.createIndex('registrations_candidate').on('registrations').column('candidate_id').execute();
}
