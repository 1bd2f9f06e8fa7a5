import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBbb } from '../../../../tests/support/fake-bbb.ts';
import type { BbbConfig } from '../../../config.ts';
import { ManualClock } from '../../../platform/time.ts';
import { BbbApiError, BbbUnreachable, bbbChecksum, bbbQueryString, callBbb, list, node, parseBbbXml, signedBbbUrl, text } from './bbb-api.ts';

const SECRET = 'ECCJZNJWLPEA3YB6Y2LTQGQD3GJZ3F93';

describe('BBB checksum', () => {
  it('matches the worked example of BBB’s API documentation (SHA-1)', () => {
    // docs/docs/development/api.md, "API Security Model": the sum of this exact string is given there.
    const query = 'name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444';
    expect(bbbChecksum('create', query, '639259d4-9dd8-4b25-bf01-95f9567eaf4b', 'sha1')).toBe('1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17');
  });

  it.each([
    ['sha1', 40],
    ['sha256', 64],
    ['sha384', 96],
    ['sha512', 128],
  ] as const)('%s: hash of call name + query + secret, %i hex digits', (algorithm, length) => {
    const c = bbbChecksum('isMeetingRunning', 'meetingID=abc', SECRET, algorithm);
    expect(c).toHaveLength(length);
    expect(c).toBe(createHash(algorithm).update(`isMeetingRunningmeetingID=abc${SECRET}`).digest('hex'));
  });

  it('encodes every character a URL parser could rewrite, so the signed query is the one that arrives', () => {
    const q = bbbQueryString([
      ['name', "Rencontre d'été (Lozère) !*"],
      ['empty', ''],
      ['skipped', undefined],
      ['none', null],
      ['n', 3],
      ['b', true],
    ]);
    expect(q).toBe('name=Rencontre%20d%27%C3%A9t%C3%A9%20%28Loz%C3%A8re%29%20%21%2A&empty=&n=3&b=true');
    // What fetch will send is exactly what was signed.
    const url = signedBbbUrl({ url: 'https://bbb.example.fr/bigbluebutton/', secret: SECRET, checksum: 'sha256' }, 'create', [['name', "d'été"]]);
    expect(new URL(url).search).toBe(`?name=d%27%C3%A9t%C3%A9&checksum=${bbbChecksum('create', 'name=d%27%C3%A9t%C3%A9', SECRET, 'sha256')}`);
  });

  it('a call without parameters is signed on the empty query string', () => {
    const url = signedBbbUrl({ url: 'https://bbb.example.fr/bigbluebutton/', secret: SECRET, checksum: 'sha1' }, 'getMeetings', []);
    expect(url).toBe(`https://bbb.example.fr/bigbluebutton/api/getMeetings?checksum=${createHash('sha1').update(`getMeetings${SECRET}`).digest('hex')}`);
  });
});

describe('BBB XML answers', () => {
  it('keeps ids as strings, makes lists of single items, reads empty lists as none', () => {
    const r = parseBbbXml(`<response><returncode>SUCCESS</returncode><recordings><recording><recordID>0123</recordID>
      <playback><format><type>presentation</type><url>https://x/p?a=1&amp;b=2</url></format></playback></recording></recordings></response>`);
    const recs = list(node(r.recordings).recording);
    expect(recs).toHaveLength(1);
    expect(text(recs[0]!.recordID)).toBe('0123');
    expect(text(list(node(recs[0]!.playback).format)[0]!.url)).toBe('https://x/p?a=1&b=2');
    expect(list(node(parseBbbXml('<response><returncode>SUCCESS</returncode><recordings></recordings></response>').recordings).recording)).toEqual([]);
  });

  it('refuses what is not a BBB <response>', () => {
    expect(() => parseBbbXml('<html><body>502 Bad Gateway</body></html>')).toThrow(/not a BigBlueButton/);
  });
});

describe('Signed calls against the fake BBB server', () => {
  const clock = new ManualClock('2027-03-12T11:00:00Z');
  let bbb: FakeBbb;
  let sha256Only: FakeBbb;
  beforeAll(async () => {
    bbb = await FakeBbb.start({ secret: SECRET, clock });
    sha256Only = await FakeBbb.start({ secret: SECRET, clock, supportedChecksumAlgorithms: ['sha256'] });
  });
  afterAll(async () => {
    await bbb.stop();
    await sha256Only.stop();
  });
  const configFor = (fake: FakeBbb, checksum: BbbConfig['checksum'], secret = SECRET): BbbConfig => ({ url: fake.url, secret, checksum });

  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as const)('%s is accepted by a server that supports it', async (algorithm) => {
    const r = await callBbb(configFor(bbb, algorithm), 'isMeetingRunning', [['meetingID', "rencontre-d'été"]]);
    expect(text(r.running)).toBe('false');
    expect(bbb.calls.at(-1)).toMatchObject({ call: 'isMeetingRunning', returncode: 'SUCCESS' });
  });

  it('a server that dropped an algorithm from supportedChecksumAlgorithms answers checksumError', async () => {
    await expect(callBbb(configFor(sha256Only, 'sha1'), 'isMeetingRunning', [['meetingID', 'abc']])).rejects.toMatchObject({
      name: 'BbbApiError',
      messageKey: 'checksumError',
    });
    await expect(callBbb(configFor(sha256Only, 'sha256'), 'isMeetingRunning', [['meetingID', 'abc']])).resolves.toBeTruthy();
  });

  it('a wrong secret is a BbbApiError with BBB’s messageKey, not a crash', async () => {
    const e = await callBbb(configFor(bbb, 'sha256', 'not-the-secret'), 'getMeetingInfo', [['meetingID', 'abc']]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BbbApiError);
    expect((e as BbbApiError).messageKey).toBe('checksumError');
  });

  it('a server that does not answer BBB XML is BbbUnreachable', async () => {
    await expect(callBbb({ url: `${bbb.origin}/nothing-here/`, secret: SECRET, checksum: 'sha256' }, 'isMeetingRunning', [['meetingID', 'abc']])).rejects.toBeInstanceOf(BbbUnreachable);
  });
});
