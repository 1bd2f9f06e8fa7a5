import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { applyZoomImport, fieldLabels, previewZoomImport, ZoomImportRefused, type ImportField, type ZoomImportInput } from '../features/imports/import-zoom-reports.ts';
import { plural, previewLines } from '../features/imports/zoom-import-summary.ts';
import { MAX_REPORT_BYTES } from '../features/imports/zoom-reports.ts';
import { systemActor } from '../platform/audit/audit.ts';
import { describeDatabase } from './describe-database.ts';
import { openCommandRuntime } from './command-runtime.ts';
import { EXIT, type CliOutput } from './output.ts';

export const IMPORT_USAGE = `Usage : nouvelle-vie import zoom [--registrations FICHIER] [--attendees FICHIER] [--webinar ID] [--zone FUSEAU] [--dry-run]

  --registrations FICHIER  le rapport d'inscription exporté de Zoom (Registration Report, CSV)
  --attendees FICHIER      le rapport de participation exporté de Zoom (Attendee Report, CSV)
  --webinar ID             la Rencontre concernée (identifiant ou adresse, comme rencontre-2026-04-24) ;
                           sans elle, la Rencontre tenue ce jour-là, ou créée d'après le rapport
  --zone FUSEAU            le fuseau horaire du compte Zoom (par défaut celui du territoire)
  --dry-run                affiche ce que l'import ferait, sans rien enregistrer

Un seul des deux rapports suffit. Importer deux fois les mêmes fichiers ne change rien.`;

/**
 * `nouvelle-vie import zoom`: loads Zoom's exported reports of a Rencontre, past ones included. It
 * always prints what it is about to do first; the import itself is one transaction, so a refusal or a
 * crash leaves the database as it was.
 */
export async function importCommand(argv: string[], io: CliOutput): Promise<number> {
  let args: ReturnType<typeof parseImportArgs>;
  try {
    args = parseImportArgs(argv);
  } catch (e) {
    const option = /'(-[^']*)'/.exec((e as Error).message)?.[1];
    io.err(`${option ? `Option inconnue : ${option}` : (e as Error).message}\n\n${IMPORT_USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out(IMPORT_USAGE);
    return EXIT.ok;
  }
  if (positionals[0] !== 'zoom' || positionals.length > 1) {
    io.err(`${positionals[0] && positionals[0] !== 'zoom' ? `Import inconnu : ${positionals[0]} (seul « zoom » existe).` : positionals.length > 1 ? `Argument inattendu : ${positionals.slice(1).join(' ')}` : 'Précisez : nouvelle-vie import zoom …'}\n\n${IMPORT_USAGE}`);
    return EXIT.usage;
  }
  if (!values.registrations && !values.attendees) {
    io.err(`Donnez au moins un rapport : --registrations FICHIER ou --attendees FICHIER.\n\n${IMPORT_USAGE}`);
    return EXIT.usage;
  }
  const files: Array<['registrations' | 'attendees', string | undefined]> = [
    ['registrations', values.registrations],
    ['attendees', values.attendees],
  ];
  const input: ZoomImportInput = { webinarId: values.webinar ?? null, zone: values.zone ?? null };
  for (const [field, file] of files) {
    if (!file) continue;
    const full = path.resolve(file);
    let size: number;
    try {
      const stat = fs.statSync(full);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      io.err(`Fichier introuvable : ${file} (--${field}).`);
      return EXIT.usage;
    }
    if (size > MAX_REPORT_BYTES) {
      io.err(`Import refusé, rien n’a été enregistré :\n  ${fieldLabels[field]} (${file}) : le fichier fait plus de ${MAX_REPORT_BYTES / (1024 * 1024)} Mo, la taille maximale d’un rapport importé.`);
      return EXIT.failure;
    }
    input[field === 'registrations' ? 'registrationsCsv' : 'attendeesCsv'] = fs.readFileSync(full);
  }

  const opened = await openCommandRuntime(io);
  if (typeof opened === 'number') return opened;
  const { config, runtime } = opened;
  try {
    const s = runtime.services;
    const where = describeDatabase(config);
    const preview = await previewZoomImport(s, input);
    io.out(`Aperçu de l’import (${where}) :`);
    for (const line of previewLines(preview, s.territory.timezone)) io.out(line);
    if (values['dry-run']) {
      io.out('Simulation (--dry-run) : rien n’a été enregistré.');
      return EXIT.ok;
    }
    const outcome = await applyZoomImport(s, { ...input, actor: systemActor });
    const a = outcome.applied;
    io.out(
      `Import enregistré : ${plural(a.people.toCreate.length, 'personne créée', 'personnes créées')}, ${plural(a.registrations.toCreate, 'inscription créée', 'inscriptions créées')}` +
        (outcome.attendance ? ` ; participation : ${plural(outcome.attendance.present, 'présent', 'présents')}, ${plural(outcome.attendance.absent, 'absent', 'absents')}.` : '.'),
    );
    io.out(`Rencontre : ${config.publicUrl}/admin/rencontres/${outcome.webinarId}`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ZoomImportRefused) {
      io.err('Import refusé, rien n’a été enregistré :');
      for (const [field, list] of Object.entries(e.problems) as Array<[ImportField, string[]]>) {
        const file = field === 'registrations' ? values.registrations : field === 'attendees' ? values.attendees : undefined;
        io.err(`  ${fieldLabels[field]}${file ? ` (${file})` : ''} :`);
        for (const p of list) io.err(`    ${p}`);
      }
      return EXIT.failure;
    }
    io.err(`Erreur : ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nRien n’a été enregistré.`);
    return EXIT.failure;
  } finally {
    await runtime.close();
  }
}

function parseImportArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      registrations: { type: 'string' },
      attendees: { type: 'string' },
      webinar: { type: 'string' },
      zone: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
