import { createHash, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import type { ContentDocument, ContentVersion } from './content.ts';
import { contentChanged } from './content-base.ts';
import { insertImage, insertVersion, latestVersion } from './content-repository.ts';

/**
 * Photos from a phone weigh 2 to 6 MB: 7 MB is enough for any of them (ASVS 5.2.1), and stays under
 * the 8 MB the application lets a back-office upload reach, so that the form says it in French.
 */
export const MAX_IMAGE_BYTES = 7 * 1024 * 1024;
/** A small file that decodes to a huge picture (a "decompression bomb") is refused before decoding it. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** Wide enough for a slide at 1280 × 720 and for a phone at twice its density. */
export const WEB_WIDTH = 1600;

export type ImageKind = 'jpeg' | 'png' | 'webp';

/**
 * What the file is, from its first bytes (its "magic number"), whatever its name or the type the
 * browser declared (ASVS 5.2.2): JPEG, PNG or WebP, or nothing we accept.
 */
export function detectImageKind(b: Uint8Array): ImageKind | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x)) return 'png';
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return 'webp';
  return null;
}

export class ImageRefused extends Error {}

export interface WebImage {
  data: Buffer;
  width: number;
  height: number;
  contentType: 'image/webp';
  kind: ImageKind;
}

/**
 * An uploaded file → the picture the site serves: checked by its content, decoded with a pixel limit,
 * turned upright (EXIF orientation), at most WEB_WIDTH wide, re-encoded as WebP without its metadata
 * (a phone's GPS position does not follow the photo onto the site).
 */
export async function prepareWebImage(bytes: Uint8Array): Promise<WebImage> {
  if (bytes.length === 0) throw new ImageRefused('Le fichier est vide : choisissez une photo.');
  if (bytes.length > MAX_IMAGE_BYTES) throw new ImageRefused(`Le fichier est trop lourd : 7 Mo au plus (il fait ${(bytes.length / 1024 / 1024).toFixed(1).replace('.', ',')} Mo).`);
  const kind = detectImageKind(bytes);
  if (!kind) throw new ImageRefused('Ce fichier n’est pas une image JPEG, PNG ou WebP, quel que soit son nom : choisissez une photo dans l’un de ces formats.');
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', animated: false });
    const meta = await image.metadata();
    if (meta.format !== kind) throw new ImageRefused('Le contenu de ce fichier ne correspond pas à une image valide : choisissez une autre photo.');
    const { data, info } = await image
      .rotate()
      .resize({ width: WEB_WIDTH, height: WEB_WIDTH, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, contentType: 'image/webp', kind };
  } catch (e) {
    if (e instanceof ImageRefused) throw e;
    const message = String((e as Error).message ?? e);
    if (/pixel limit/i.test(message)) throw new ImageRefused('Cette image a trop de pixels (40 millions au plus) : réduisez-la avant de l’envoyer.');
    throw new ImageRefused('Cette image est abîmée ou illisible : choisissez une autre photo.');
  }
}

/**
 * Adds an uploaded picture to a page: the image stored under a generated id (never the name it came
 * with, ASVS 5.3.2), and a new version of the page that shows it with its text alternative, in one
 * transaction, so a picture is never kept without the change that put it there.
 */
export async function addContentImage(
  s: Services,
  input: { pageKey: string; base: number; image: WebImage; alt: string; caption: string; credit: string; currentDocument: ContentDocument; agent: AgentRow; actor: Actor },
): Promise<ContentVersion> {
  const now = s.clock.now();
  const id = randomUUID();
  const saved = await s.db.transaction(async (trx) => {
    const latest = await latestVersion(trx, input.pageKey);
    const latestNumber = latest?.number ?? 0;
    if (latest && latestNumber !== input.base) throw new DomainError('content-conflict', `Cette page a été modifiée entre-temps par ${latest.createdByName} (version ${latest.number}) : rechargez-la, puis envoyez l’image à nouveau.`);
    await insertImage(trx, {
      id,
      page_key: input.pageKey,
      content_type: input.image.contentType,
      data: input.image.data.toString('base64'),
      width: input.image.width,
      height: input.image.height,
      bytes: input.image.data.length,
      sha256: createHash('sha256').update(input.image.data).digest('hex'),
      created_at: now.toISOString(),
      created_by: input.agent.id,
    });
    const base = latest?.document ?? input.currentDocument;
    const document: ContentDocument = { ...base, images: [...base.images, { id, alt: input.alt, caption: input.caption, credit: input.credit }] };
    const row = { id: randomUUID(), page_key: input.pageKey, number: latestNumber + 1, document: JSON.stringify(document), created_at: now.toISOString(), created_by: input.agent.id, created_by_name: input.agent.name, comment: `Image ajoutée : ${input.alt.slice(0, 80)}`, restored_from: null };
    await insertVersion(trx, row);
    await recordAudit(trx, now, input.actor, 'content.image-added', { type: 'content', id: input.pageKey }, { version: row.number, image: id, kind: input.image.kind, width: input.image.width, height: input.image.height });
    return { id: row.id, pageKey: row.page_key, number: row.number, document, createdAt: row.created_at, createdBy: row.created_by, createdByName: row.created_by_name, comment: row.comment, restoredFrom: null };
  });
  contentChanged(s.db);
  return saved;
}
