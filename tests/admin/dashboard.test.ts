import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTask } from '../../src/features/tasks/manage-tasks.ts';
import { makeAgent, signIn } from '../support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { textOf } from '../http/html.ts';

/** The back-office's first page tells each agent what "À faire" holds for them today. */
describe.each(dialects())('the dashboard on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    // Monday 4 January 2027, 10:00 in Paris.
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  it('counts the agent’s own tasks late or due today, links them to “À faire”, and says nothing of a colleague’s or of next week’s', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana' });
    const bruno = await makeAgent(t, 'referent', { name: 'Bruno' });
    await createTask(t.s, { candidateId: null, form: { title: 'Rappeler Mme Martin', dueOn: '2027-01-04', assigneeId: ana.id }, by: ana });
    await createTask(t.s, { candidateId: null, form: { title: 'Envoyer les offres', dueOn: '2027-01-05', assigneeId: ana.id }, by: ana });
    await createTask(t.s, { candidateId: null, form: { title: 'Préparer la visite', dueOn: '2027-01-11', assigneeId: ana.id }, by: ana });
    await createTask(t.s, { candidateId: null, form: { title: 'Tâche de Bruno', dueOn: '2027-01-04', assigneeId: bruno.id }, by: bruno });
    // The next morning the Monday task is late, Tuesday's is due.
    t.clock.set('2027-01-05T07:00:00.000Z');
    const html = await (await (await signIn(t, ana)).get('/admin')).text();
    expect(html).toContain('<a href="/admin/a-faire">2 tâches en retard ou pour aujourd’hui</a>');
    const brunos = textOf(await (await (await signIn(t, bruno)).get('/admin')).text());
    expect(brunos).toContain('1 tâche en retard ou pour aujourd’hui');
    expect(brunos).not.toContain('2 tâches');
  });
});
