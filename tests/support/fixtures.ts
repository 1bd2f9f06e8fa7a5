import { randomUUID } from 'node:crypto';
import type { RegistrationForm } from '../../src/features/registrations/registration-schemas.ts';
import type { Db } from '../../src/platform/db/database.ts';
import type { NewWebinarRow } from '../../src/platform/db/schema.ts';
import { zonedWallTimeToUtc } from '../../src/platform/time.ts';

/** A published Rencontre on a Friday at 12:30 Paris time. */
export async function createWebinar(db: Db, over: Partial<NewWebinarRow> & { date?: string } = {}): Promise<NewWebinarRow> {
  const date = over.date ?? '2027-01-15';
  const start = zonedWallTimeToUtc(date, '12:30', 'Europe/Paris');
  const { date: _d, ...rest } = over;
  const row: NewWebinarRow = {
    id: randomUUID(),
    slug: `rencontre-${date}-${randomUUID().slice(0, 6)}`,
    title: `Rencontre Lozère Nouvelle Vie du ${date}`,
    kind: 'generic',
    theme: null,
    status: 'published',
    starts_at: start.toISOString(),
    ends_at: new Date(start.getTime() + 3600_000).toISOString(),
    capacity: 100,
    video_tool: 'link',
    join_url: 'https://visio.example.org/j/123',
    replay_url: null,
    summary: 'Une heure pour découvrir la Lozère.',
    description: '',
    programme: '[]',
    speakers: '[]',
    partners: '[]',
    promotion_cost_cents: null,
    created_at: '2026-12-01T00:00:00.000Z',
    updated_at: '2026-12-01T00:00:00.000Z',
    ...rest,
  };
  await db.kysely.insertInto('webinars').values(row).execute();
  return row;
}

/** The fields a person types, as the browser posts them. */
export function formFields(over: Record<string, string> = {}): Record<string, string> {
  return {
    firstName: 'Élise',
    lastName: 'Martin',
    email: 'elise.martin@example.org',
    phone: '06 12 34 56 78',
    livesIn: 'france',
    postcode: '69003',
    town: 'Lyon',
    country: '',
    project: 'salarie',
    household: 'enfants',
    horizon: '6-12-mois',
    desiredRegion: 'margeride',
    heardFrom: 'facebook',
    question: '',
    ...over,
  };
}

/** The same, already validated: what a use case receives. */
export function parsedForm(over: Partial<RegistrationForm> = {}): RegistrationForm {
  return {
    firstName: 'Élise',
    lastName: 'Martin',
    email: 'elise.martin@example.org',
    phone: null,
    livesIn: 'france',
    postcode: '69003',
    town: 'Lyon',
    country: 'France',
    project: 'salarie',
    household: 'enfants',
    horizon: '6-12-mois',
    desiredRegion: 'margeride',
    heardFrom: null,
    question: null,
    newsOptIn: false,
    ...over,
  };
}

export function postForm(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}
