import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { offerSchema, type OfferForm } from './offer-schemas.ts';
import { resolveCommune, type ResolvedCommune } from './save-offer.ts';

export type ReadOffer = { ok: true; form: OfferForm; commune: ResolvedCommune; partnerId: string | null } | { ok: false; errors: FieldErrors };

/**
 * An offer form as posted, checked: the fields by the schema, the commune against the territory's
 * communes, the partner (agents only) against the directory's active partners.
 */
export async function readOfferForm(s: Services, body: Record<string, string>, opts: { withPartner: boolean }): Promise<ReadOffer> {
  const t = s.territory;
  const errors: FieldErrors = {};
  const parsed = offerSchema({ sectors: t.offers.sectors.map((x) => x.key), regions: t.regions.map((r) => r.key) }).safeParse(body);
  if (!parsed.success) for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'title')] ??= i.message;
  let partnerId: string | null = null;
  if (opts.withPartner && body.partner) {
    const p = await s.db.kysely.selectFrom('partners').select(['id', 'status']).where('id', '=', body.partner).executeTakeFirst();
    if (!p || p.status !== 'active') errors.partner = 'Choisissez un partenaire actif dans la liste';
    else partnerId = p.id;
  }
  let commune: ResolvedCommune | null = null;
  if (parsed.success) {
    const r = await resolveCommune(s.db.kysely, parsed.data.commune, parsed.data.region);
    if ('problem' in r) errors.commune = r.problem;
    else commune = r;
  }
  if (!parsed.success || !commune || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, form: parsed.data, commune, partnerId };
}
