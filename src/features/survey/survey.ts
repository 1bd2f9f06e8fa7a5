import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Services } from '../../services.ts';
import { recordSurveyAnswer } from '../candidates/journey-events.ts';

export const usefulnessLabels = ['Pas du tout utile', 'Peu utile', 'Assez utile', 'Utile', 'Très utile'] as const;
export const recommendLabels = { oui: 'Oui', 'peut-etre': 'Peut-être', non: 'Non' } as const;

export const surveySchema = z.preprocess(
  (raw) => ({ usefulness: '', recommend: '', comment: '', ...(typeof raw === 'object' && raw ? raw : {}) }),
  z.object({
    usefulness: z.enum(['1', '2', '3', '4', '5'], { message: 'Dites-nous si la Rencontre vous a été utile' }).transform(Number),
    recommend: z.enum(['oui', 'peut-etre', 'non'], { message: 'Dites-nous si vous la recommanderiez' }),
    comment: z
      .string()
      .trim()
      .max(1000, 'Le commentaire doit faire 1 000 caractères au plus')
      .transform((v) => v || null),
  }),
);
export type SurveyForm = z.output<typeof surveySchema>;

/** The two-question survey of a Rencontre: one answer per registration, which the person may change. */
export async function answerSurvey(s: Services, input: { registrationId: string; webinarId: string; form: SurveyForm; actor: Actor }): Promise<void> {
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const values = { usefulness: input.form.usefulness, recommend: input.form.recommend, comment: input.form.comment, created_at: now.toISOString() };
    await trx
      .insertInto('survey_answers')
      .values({ id: randomUUID(), registration_id: input.registrationId, webinar_id: input.webinarId, ...values })
      .onConflict((oc) => oc.column('registration_id').doUpdateSet(values))
      .execute();
    await recordAudit(trx, now, input.actor, 'survey.answered', { type: 'registration', id: input.registrationId }, { webinarId: input.webinarId });
    const reg = await trx
      .selectFrom('registrations')
      .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
      .select(['registrations.candidate_id', 'webinars.title', 'webinars.starts_at as startsAt'])
      .where('registrations.id', '=', input.registrationId)
      .executeTakeFirstOrThrow();
    const f = input.form;
    await recordSurveyAnswer(trx, {
      candidateId: reg.candidate_id,
      registrationId: input.registrationId,
      usefulness: f.usefulness,
      usefulnessLabel: usefulnessLabels[f.usefulness - 1] ?? String(f.usefulness),
      recommend: f.recommend,
      recommendLabel: recommendLabels[f.recommend],
      webinar: reg,
      at: now,
      actor: input.actor,
      zone: s.territory.timezone,
    });
  });
}

export async function surveySummary(s: Services, webinarId: string) {
  const rows = await s.db.kysely.selectFrom('survey_answers').select(['usefulness', 'recommend', 'comment']).where('webinar_id', '=', webinarId).execute();
  const n = rows.length;
  return {
    answers: n,
    averageUsefulness: n ? rows.reduce((a, r) => a + r.usefulness, 0) / n : null,
    recommend: { oui: rows.filter((r) => r.recommend === 'oui').length, 'peut-etre': rows.filter((r) => r.recommend === 'peut-etre').length, non: rows.filter((r) => r.recommend === 'non').length },
    comments: rows.map((r) => r.comment).filter((c): c is string => Boolean(c)),
  };
}
