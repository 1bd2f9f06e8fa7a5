import { EmailButton, EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { RenderedEmail } from '../registrations/registration-emails.tsx';
import type { Territory } from '../territory/territory.ts';
import { formatDay } from './task.ts';

export interface DueTask {
  title: string;
  due_on: string;
  candidateId: string | null;
  candidateName: string | null;
}

/** The morning e-mail of a referent: the tasks due today and those late, each with its file. */
export async function renderTaskReminderEmail(c: { territory: Territory; publicUrl: string; agentName: string; today: string; tasks: DueTask[] }): Promise<RenderedEmail> {
  const t = c.territory;
  const late = c.tasks.filter((x) => x.due_on < c.today);
  const today = c.tasks.filter((x) => x.due_on >= c.today);
  const n = c.tasks.length;
  const subject = n === 1 ? `À faire aujourd’hui : ${c.tasks[0]!.title}` : `À faire aujourd’hui : ${n} tâches`;
  const line = (x: DueTask) => `- ${x.title}${x.candidateName ? ` (${x.candidateName})` : ''}${x.due_on < c.today ? `, prévue le ${formatDay(x.due_on)}` : ''}${x.candidateId ? ` : ${c.publicUrl}/admin/candidats/${x.candidateId}` : ''}`;
  const text = [
    `Bonjour ${c.agentName},`,
    '',
    ...(today.length ? ['Pour aujourd’hui :', ...today.map(line), ''] : []),
    ...(late.length ? ['En retard :', ...late.map(line), ''] : []),
    `Votre liste « À faire » : ${c.publicUrl}/admin/a-faire`,
  ].join('\n');
  const Item = ({ x }: { x: DueTask }) => (
    <li>
      {x.candidateId ? <a href={`${c.publicUrl}/admin/candidats/${x.candidateId}`}>{x.title}</a> : x.title}
      {x.candidateName ? ` (${x.candidateName})` : ''}
      {x.due_on < c.today ? `, prévue le ${formatDay(x.due_on)}` : ''}
    </li>
  );
  const html = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.programmeName} · espace de gestion` }} title={subject}>
      <p>Bonjour {c.agentName},</p>
      {today.length ? (
        <>
          <p>
            <strong>Pour aujourd’hui :</strong>
          </p>
          <ul>
            {today.map((x) => (
              <Item x={x} />
            ))}
          </ul>
        </>
      ) : null}
      {late.length ? (
        <>
          <p>
            <strong>En retard :</strong>
          </p>
          <ul>
            {late.map((x) => (
              <Item x={x} />
            ))}
          </ul>
        </>
      ) : null}
      <EmailButton href={`${c.publicUrl}/admin/a-faire`} colour={t.identity.colours.primary}>
        Ouvrir ma liste « À faire »
      </EmailButton>
    </EmailLayout>,
  );
  return { subject, html, text, attachments: [] };
}
