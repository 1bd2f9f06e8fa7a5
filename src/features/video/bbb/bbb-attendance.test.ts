import { describe, expect, it } from 'vitest';
import { attendanceFromPresence, type BbbPresenceEvent } from './bbb-attendance.ts';
import { presenceFromWebhookEvent } from './bbb-callbacks.ts';

const M = 'nouvelle-vie-1';
const ev = (kind: BbbPresenceEvent['kind'], at: string, userId: string | null = null, internalUserId: string | null = null, name: string | null = null): BbbPresenceEvent => ({
  kind,
  meetingId: M,
  internalMeetingId: 'int-1',
  userId,
  internalUserId,
  name,
  role: userId ? 'VIEWER' : null,
  at: `2027-03-12T${at}:00.000Z`,
});
const after = { now: new Date('2027-03-12T15:00:00Z'), presentNow: null, endedAt: null, plannedEnd: new Date('2027-03-12T12:30:00Z') };
const minutes = (entries: ReturnType<typeof attendanceFromPresence>) => Object.fromEntries(entries.map((e) => [e.registrantId, e.minutes]));

describe('attendance from bbb-webhooks events', () => {
  it('adds the segments of a person who left and came back; the same event received twice counts once', () => {
    const events = [
      ev('user-joined', '11:30', 'a', 'w_1', 'Ana'),
      ev('user-left', '11:40', 'a', 'w_1'),
      ev('user-left', '11:40', 'a', 'w_1'),
      ev('user-joined', '11:50', 'a', 'w_2', 'Ana B.'),
      ev('user-joined', '11:50', 'a', 'w_2', 'Ana B.'),
      ev('user-left', '12:05', 'a', 'w_2'),
    ];
    expect(attendanceFromPresence(events, after)).toEqual([{ registrantId: 'a', email: null, name: 'Ana B.', minutes: 25, joinedAt: '2027-03-12T11:30:00.000Z' }]);
  });

  it('a connection with no user-left ends at the next meeting-ended, else when the API says it ended, else at the planned end', () => {
    const events = [ev('user-joined', '11:30', 'a', 'w_1'), ev('meeting-ended', '12:20'), ev('user-joined', '12:40', 'b', 'w_2')];
    // b joined a later session whose end nobody reported: the planned end is before, so nothing is invented.
    expect(minutes(attendanceFromPresence(events, after))).toEqual({ a: 50, b: 0 });
    expect(minutes(attendanceFromPresence([ev('user-joined', '11:30', 'a', 'w_1')], after))).toEqual({ a: 60 });
    expect(minutes(attendanceFromPresence([ev('user-joined', '11:30', 'a', 'w_1')], { ...after, endedAt: new Date('2027-03-12T11:45:00Z') }))).toEqual({ a: 15 });
    // Never past now, whatever the planned end says.
    expect(minutes(attendanceFromPresence([ev('user-joined', '11:30', 'a', 'w_1')], { ...after, now: new Date('2027-03-12T11:36:00Z') }))).toEqual({ a: 6 });
  });

  it('while the meeting runs, an open connection counts up to now', () => {
    const running = { ...after, now: new Date('2027-03-12T11:42:00Z'), presentNow: new Set(['a']) };
    expect(minutes(attendanceFromPresence([ev('user-joined', '11:30', 'a', 'w_1')], running))).toEqual({ a: 12 });
  });

  it('a second join of the same connection without a leave closes the first one', () => {
    const events = [ev('user-joined', '11:30', 'a', 'w_1'), ev('user-joined', '11:35', 'a', 'w_1'), ev('user-left', '11:45', 'a', 'w_1')];
    expect(minutes(attendanceFromPresence(events, after))).toEqual({ a: 15 });
  });

  it('reads bbb-webhooks’ mapped events and ignores the others', () => {
    const joined = {
      data: {
        type: 'event',
        id: 'user-joined',
        attributes: {
          meeting: { 'internal-meeting-id': 'int-1', 'external-meeting-id': M },
          user: { 'internal-user-id': 'w_lxcl6yagcfbj', 'external-user-id': 'reg-1', name: 'Zoé', role: 'VIEWER', presenter: 'false' },
        },
        event: { ts: 1804851000000 },
      },
    };
    expect(presenceFromWebhookEvent(joined)).toEqual({
      kind: 'user-joined',
      meetingId: M,
      internalMeetingId: 'int-1',
      userId: 'reg-1',
      internalUserId: 'w_lxcl6yagcfbj',
      name: 'Zoé',
      role: 'VIEWER',
      at: new Date(1804851000000).toISOString(),
    });
    expect(presenceFromWebhookEvent({ data: { ...joined.data, id: 'user-raise-hand-changed' } })).toBeNull();
    expect(presenceFromWebhookEvent({ data: { ...joined.data, event: {} } })).toBeNull();
    expect(presenceFromWebhookEvent('nonsense')).toBeNull();
  });
});
