// Distinct synthetic people never share an identity number, within a factory, across the shards'
// factories, and in a generated city: an ID hash on two accounts means one person (a shopkeeper who
// won the lottery, or a fraud scenario reusing one identity), never a coincidence.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkNationalId } from '../core/pii.ts';
import { Rng } from '../core/rng.ts';
import { IdentityFactory } from './identity.ts';
import type { Labels } from './labels.ts';
import { simulateToDir } from './simulate.ts';

const SECRET = 'identity-test-secret-0123456789';
const root = mkdtempSync(join(tmpdir(), 'qg-ids-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('IdentityFactory', () => {
  it('gives distinct valid numbers within a slot and across slots, even from the same seed', () => {
    const seen = new Set<string>();
    let drawn = 0;
    for (const index of [0, 1, 2]) {
      // The same seed in every slot: only the slot keeps the numbers apart.
      const f = new IdentityFactory(new Rng('same-seed'), SECRET, { index, of: 3 });
      for (let i = 0; i < 60_000; i++) {
        const id = f.nationalId('320706');
        expect(checkNationalId(id).ok).toBe(true);
        seen.add(id);
        drawn++;
      }
    }
    expect(seen.size).toBe(drawn);
  });

  it('refuses a slot outside the sequence space', () => {
    expect(() => new IdentityFactory(new Rng(1), SECRET, { index: 3, of: 3 })).toThrow(/slot 3 of 3/);
  });
});

describe('a generated city', () => {
  it('shares an ID hash between accounts only for one person: owners who won, fraud scenarios', async () => {
    const out = join(root, 'sim');
    await simulateToDir({ seed: 21, scale: 'small', users: 3_000, merchants: 120, usersPerShard: 700, hmacSecret: SECRET, threads: 1 }, out);
    const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as Labels;
    const usersByHash = new Map<string, Set<string>>();
    const owners = new Set<string>();
    for (const line of readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n')) {
      if (line.includes('"type":"merchant.registered"')) {
        const m = JSON.parse(line) as { ownerIdHash?: string };
        if (m.ownerIdHash) owners.add(m.ownerIdHash);
      } else if (line.includes('"type":"eligibility.granted"')) {
        const g = JSON.parse(line) as { userId: string; idHash: string };
        const set = usersByHash.get(g.idHash) ?? new Set<string>();
        set.add(g.userId);
        usersByHash.set(g.idHash, set);
      }
    }
    const shared = [...usersByHash].filter(([, users]) => users.size > 1);
    const unexplained = shared.filter(([hash, users]) => !owners.has(hash) && ![...users].some((u) => labels.users[u]));
    expect(usersByHash.size).toBeGreaterThan(2_500);
    expect(unexplained).toEqual([]);
  });
});
