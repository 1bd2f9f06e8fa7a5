import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { recordAudit, systemActor } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import type { OfferRow, PartnerRow } from '../../platform/db/schema.ts';
import { searchForm } from '../territory/communes.ts';
import { territoryDirectory, type Territory } from '../territory/territory.ts';
import { OFFER_TYPE_VALUES, searchable } from '../offers/offer.ts';
import { newOfferSlug } from '../offers/save-offer.ts';
import { partnerThemes, slugify } from './partner.ts';

const themeValues = partnerThemes.map((t) => t.value) as [string, ...string[]];

const demoSchema = z.object({
  partners: z.array(
    z.object({
      name: z.string().min(1),
      role: z.string().min(1),
      themes: z.array(z.enum(themeValues)).min(1),
      regions: z.array(z.string()).default([]),
      email: z.email().optional(),
      phone: z.string().optional(),
      website: z.url().optional(),
      contactName: z.string().optional(),
      contactEmail: z.email().optional(),
    }),
  ),
  offers: z
    .array(
      z.object({
        partner: z.string().optional(),
        title: z.string().min(1),
        type: z.enum(OFFER_TYPE_VALUES),
        sector: z.string().min(1),
        commune: z.string().min(1),
        region: z.string().optional(),
        description: z.string().min(1),
        conditions: z.string().default(''),
        contactEmail: z.email().optional(),
        /** Published this many days before the seeding. */
        ageDays: z.number().int().min(0).default(0),
      }),
    )
    .default([]),
});

export const DEMO_PARTNERS_FILE = 'demo-partners.json';

/**
 * The territory's demo partner directory and a few offers (territories/<id>/demo-partners.json),
 * when the directory is empty. Offers are marked as examples; nothing here is a real vacancy. Keys
 * that the territory does not know (a region, a sector) are refused rather than seeded wrong.
 */
export async function seedDemoPartners(db: Db, t: Territory, territoryNameOrPath: string, now: Date): Promise<{ partners: number; offers: number }> {
  const file = path.join(territoryDirectory(territoryNameOrPath), DEMO_PARTNERS_FILE);
  if (!fs.existsSync(file)) return { partners: 0, offers: 0 };
  const demo = demoSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const regions = new Set(t.regions.map((r) => r.key));
  const sectors = new Set(t.offers.sectors.map((x) => x.key));
  for (const p of demo.partners) for (const r of p.regions) if (!regions.has(r)) throw new Error(`${DEMO_PARTNERS_FILE}: région inconnue ${r} (${p.name})`);
  for (const o of demo.offers) {
    if (o.region && !regions.has(o.region)) throw new Error(`${DEMO_PARTNERS_FILE}: région inconnue ${o.region} (${o.title})`);
    if (!sectors.has(o.sector)) throw new Error(`${DEMO_PARTNERS_FILE}: secteur inconnu ${o.sector} (${o.title})`);
  }
  const existing = await db.kysely.selectFrom('partners').select('id').limit(1).executeTakeFirst();
  if (existing) return { partners: 0, offers: 0 };
  const communes = await db.kysely.selectFrom('communes').select(['code', 'name', 'region_key']).execute();
  const nowIso = now.toISOString();
  return db.transaction(async (trx) => {
    const byName = new Map<string, string>();
    for (const p of demo.partners) {
      const row: PartnerRow = {
        id: randomUUID(),
        slug: slugify(p.name),
        name: p.name,
        role: p.role,
        themes: JSON.stringify(p.themes),
        regions: JSON.stringify(p.regions),
        email: p.email ?? null,
        phone: p.phone ?? null,
        website: p.website ?? null,
        address: null,
        contact_name: p.contactName ?? null,
        contact_title: null,
        contact_email: p.contactEmail ?? null,
        contact_phone: null,
        status: 'active',
        created_at: nowIso,
        updated_at: nowIso,
      };
      await trx.insertInto('partners').values(row).execute();
      byName.set(p.name, row.id);
    }
    for (const o of demo.offers) {
      const at = new Date(now.getTime() - o.ageDays * 86_400_000).toISOString();
      const commune = communes.find((c) => searchForm(c.name) === searchForm(o.commune));
      const partnerId = o.partner ? byName.get(o.partner) : undefined;
      if (o.partner && !partnerId) throw new Error(`${DEMO_PARTNERS_FILE}: partenaire inconnu ${o.partner} (${o.title})`);
      const row: OfferRow = {
        id: randomUUID(),
        slug: newOfferSlug(o.title),
        title: o.title,
        type: o.type,
        sector: o.sector,
        commune_code: commune?.code ?? null,
        commune_name: commune?.name ?? o.commune,
        region_key: commune?.region_key ?? o.region ?? null,
        description: o.description,
        conditions: [o.conditions, 'Offre d’exemple de la démonstration.'].filter(Boolean).join('\n\n'),
        partner_id: partnerId ?? null,
        contact_name: null,
        contact_email: o.contactEmail ?? null,
        contact_phone: null,
        valid_from: null,
        valid_until: null,
        status: 'published',
        search_text: searchable(o.title, commune?.name ?? o.commune),
        created_by_type: 'system',
        created_by_id: null,
        published_at: at,
        confirmed_at: at,
        confirm_requested_at: null,
        confirm_token_hash: null,
        filled_at: null,
        expired_at: null,
        import_batch: null,
        created_at: at,
        updated_at: at,
      };
      await trx.insertInto('offers').values(row).execute();
    }
    await recordAudit(trx, now, systemActor, 'partner.demo-seeded', null, { partners: demo.partners.length, offers: demo.offers.length });
    return { partners: demo.partners.length, offers: demo.offers.length };
  });
}
