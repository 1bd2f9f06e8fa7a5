import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePartner, makePartnerUser, signInPartnerUser } from '../../src/features/partners/testing/partner-fixtures.ts';
import { makeAgent, signIn } from '../support/admin.ts';
import { createTestContext, type TestContext } from '../support/harness.ts';
import { textOf, titleOf } from './html.ts';

/** An error is shown where it happened: a person signed in to a space keeps its frame, menu and way home. */
describe('error pages in the frame of their space', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  it('in the back-office: an unknown object, an unknown address and a page kept for admins', async () => {
    const admin = await signIn(t, await makeAgent(t, 'admin'));
    for (const path of ['/admin/partenaires/partenaire-inconnu', '/admin/cette-page-n-existe-pas']) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(titleOf(html), path).toMatch(/^Page introuvable – Gestion /);
      const text = textOf(html);
      expect(text).toContain('Espace de gestion');
      expect(text).toContain('Retour au tableau de bord');
      expect(html).toContain('aria-label="Menu de gestion"');
    }
    const referent = await signIn(t, await makeAgent(t, 'referent'));
    const refused = await referent.get('/admin/agents');
    expect(refused.status).toBe(403);
    const text = textOf(await refused.text());
    expect(text).toContain('Accès refusé');
    expect(text).toContain('Retour au tableau de bord');
  });

  it('in the partner portal: another organisation’s offer, or none, is not found inside the portal', async () => {
    const partner = await signInPartnerUser(t, await makePartnerUser(t, await makePartner(t)));
    const res = await partner.get('/partenaires/offres/offre-inconnue');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(titleOf(html)).toMatch(/^Page introuvable – Espace partenaires /);
    expect(textOf(html)).toContain('Retour à l’accueil de l’espace partenaires');
  });

  it('on the public site for everyone else, signed in nowhere', async () => {
    const res = await t.app.request('/cette-page-n-existe-pas');
    expect(res.status).toBe(404);
    const text = textOf(await res.text());
    expect(text).toContain('Retour à l’accueil');
    expect(text).not.toContain('Espace de gestion');
  });
});
