import { formatSlot } from '../../platform/time.ts';
import type { PlannedWebinar, ZoomImportPreview } from './import-zoom-reports.ts';

/** Plain-text words shared by the command line and the back-office, so both say the same thing. */

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n > 1 ? many : one}`;
}

export function spacedZoomId(id: string): string {
  return id.replace(/^(\d{3})(\d{4})(\d+)$/, '$1 $2 $3');
}

export const matchLabels: Record<PlannedWebinar['match'], string> = {
  given: 'la Rencontre choisie',
  'zoom-id': 'trouvée : la Rencontre de ce jour-là liée à ce webinaire Zoom',
  date: 'trouvée d’après la date et l’heure du rapport',
  create: 'à créer d’après le rapport, aucune Rencontre n’ayant eu lieu ce jour-là',
};

export const statusLabels: Record<string, string> = {
  denied: 'refusée dans Zoom',
  rejected: 'refusée dans Zoom',
  declined: 'refusée dans Zoom',
  pending: 'en attente d’approbation dans Zoom',
  cancelled: 'annulée dans Zoom',
  canceled: 'annulée dans Zoom',
};

export const lineList = (lines: number[]) => (lines.length > 1 ? `lignes ${lines.join(', ')}` : `ligne ${lines[0]}`);

/** The preview as lines of text, for the terminal. */
export function previewLines(p: ZoomImportPreview, zone: string): string[] {
  const out: string[] = [];
  const w = p.webinar;
  out.push(`Rencontre : « ${w.title} », ${formatSlot(w.startsAt, w.endsAt, zone)}`);
  out.push(`  ${matchLabels[w.match]}${w.zoomWebinarId ? ` ; webinaire Zoom ${spacedZoomId(w.zoomWebinarId)}` : ''}`);
  out.push(`Personnes : ${plural(p.people.toCreate.length, 'à créer', 'à créer')}, ${plural(p.people.existing, 'déjà connue', 'déjà connues')}`);
  out.push(`Inscriptions : ${plural(p.registrations.toCreate, 'à créer', 'à créer')}, ${plural(p.registrations.existing, 'déjà enregistrée', 'déjà enregistrées')}`);
  if (p.attendance) {
    const a = p.attendance;
    out.push(
      `Participation (présent à partir de ${a.thresholdMinutes} minutes) : ${plural(a.present, 'présent', 'présents')}, ${plural(a.absent, 'absent', 'absents')}` +
        (a.keptByAgent ? ` (dont ${plural(a.keptByAgent, 'choix d’agent conservé', 'choix d’agents conservés')})` : ''),
    );
  } else {
    out.push('Participation : pas de rapport de participation, rien n’est changé.');
  }
  out.push(`Hôtes : ${p.hosts}, panélistes : ${p.panelists} (ce ne sont pas des inscrits) ; personnes signalées « invitées » par Zoom : ${p.guests}`);
  if (p.matchedByName.length) {
    out.push('Rapprochées par le nom (connexion sans adresse e-mail) :');
    for (const m of p.matchedByName) out.push(`  - ${m.name} → ${m.email} (rapport de participation, ${lineList(m.lines)})`);
  }
  if (p.unmatched.length) {
    out.push('Connexions sans inscrit correspondant (non comptées) :');
    for (const u of p.unmatched) {
      const why = u.reason === 'same-name' ? 'plusieurs inscrits portent ce nom' : 'pas d’adresse e-mail';
      out.push(`  - ${u.name}, ${plural(u.minutes, 'minute', 'minutes')}, ${why}${u.isGuest ? ', invité·e' : ''} (${lineList(u.lines)})`);
    }
  }
  if (p.skipped.length) {
    out.push('Inscriptions non reprises :');
    for (const x of p.skipped) out.push(`  - ${x.name} <${x.email}>, ${statusLabels[x.status] ?? x.status} (rapport ${x.file === 'registrations' ? 'd’inscription' : 'de participation'}, ligne ${x.line})`);
  }
  if (p.people.toCreate.length) {
    out.push('Personnes à créer :');
    for (const x of p.people.toCreate) out.push(`  - ${`${x.firstName} ${x.lastName}`.trim()} <${x.email}>`);
  }
  if (p.warnings.length) {
    out.push('Remarques :');
    for (const x of p.warnings) out.push(`  - ${x}`);
  }
  return out;
}
