import { describe, expect, it } from 'vitest';
import { summariseParticipants } from './zoom-attendance.ts';

const at = (min: number) => new Date(Date.parse('2027-01-15T11:30:00Z') + min * 60_000).toISOString();

describe('folding Zoom participant rows into one entry a person', () => {
  it('counts overlapping segments (a failover, a second device) once', () => {
    const entries = summariseParticipants([
      { name: 'Paul', registrant_id: 'r1', join_time: at(0), leave_time: at(30), duration: 1800 },
      { name: 'Paul', registrant_id: 'r1', join_time: at(20), leave_time: at(40), duration: 1200, failover: true },
      { name: 'Paul', registrant_id: 'r1', join_time: at(50), leave_time: at(55), duration: 300 },
    ]);
    expect(entries).toEqual([{ registrantId: 'r1', email: null, name: 'Paul', minutes: 45, joinedAt: at(0) }]);
  });

  it('adds the durations, in seconds, when the times are missing, and rounds to the nearest minute', () => {
    const entries = summariseParticipants([
      { name: 'Anne', user_email: 'anne@example.org', duration: 600 },
      { name: 'Anne', user_email: 'Anne@Example.org', duration: 331 },
    ]);
    expect(entries).toEqual([{ registrantId: null, email: 'anne@example.org', name: 'Anne', minutes: 16, joinedAt: null }]);
  });

  it('joins a row without registrant id to the registrant with the same e-mail; groups by name when nothing else is known', () => {
    const entries = summariseParticipants([
      { name: 'Marie', registrant_id: 'r2', user_email: 'marie@example.org', join_time: at(0), leave_time: at(10), duration: 600 },
      { name: 'Marie (téléphone)', user_email: 'marie@example.org', join_time: at(15), leave_time: at(20), duration: 300 },
      { name: 'Invité  Anonyme', join_time: at(1), leave_time: at(2), duration: 60 },
      { name: 'invité anonyme', join_time: at(5), leave_time: at(7), duration: 120 },
      { name: 'Attente', registrant_id: 'r3', status: 'in_waiting_room', join_time: at(0), leave_time: at(60), duration: 3600 },
    ]);
    expect(entries).toEqual([
      { registrantId: 'r2', email: 'marie@example.org', name: 'Marie', minutes: 15, joinedAt: at(0) },
      { registrantId: null, email: null, name: 'Invité  Anonyme', minutes: 3, joinedAt: at(1) },
    ]);
  });
});
