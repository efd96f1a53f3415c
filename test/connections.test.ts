import { describe, expect, it } from 'vitest';
import { forEachOnConnections, queryRows, withWarehouse } from '../jobs/db.ts';

describe('forEachOnConnections', () => {
  it('runs every item once, on at most the connections asked for, each set up first', async () => {
    const seen = await withWarehouse(':memory:', async (db) => {
      const items = Array.from({ length: 9 }, (_, index) => index * 10);
      const runs: { item: number; index: number; connection: string }[] = [];
      await forEachOnConnections(
        db,
        2,
        items,
        async (connection, item, index) => {
          // a temporary variable belongs to its connection: it tells the two apart
          const [row] = await queryRows(connection, `select coalesce(getvariable('who'), 'main') as who`);
          runs.push({ item, index, connection: String(row!.who) });
        },
        async (sibling) => {
          await sibling.run(`set variable who = 'sibling'`);
        },
      );
      return runs;
    });
    expect(seen.map((run) => run.item).sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80]);
    expect(seen.every((run) => run.item === run.index * 10)).toBe(true);
    expect(new Set(seen.map((run) => run.connection))).toEqual(new Set(['main', 'sibling']));
  });

  it('starts no item after a failure, lets the others finish theirs, and throws the failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const outcome = withWarehouse(':memory:', (db) =>
      forEachOnConnections(db, 2, [0, 1, 2, 3, 4, 5], async (connection, item) => {
        started.push(item);
        if (item === 1) throw new Error('item 1 failed');
        await connection.run('select 1');
        finished.push(item);
      }),
    );
    await expect(outcome).rejects.toThrow('item 1 failed');
    // item 0 ran beside item 1; nothing started after the failure but what was already taken
    expect(started.slice(0, 2).sort()).toEqual([0, 1]);
    expect(started.length).toBeLessThanOrEqual(3);
    expect(finished).not.toContain(1);
  });

  it('uses one connection for one item, and none for none', async () => {
    const counts = await withWarehouse(':memory:', async (db) => {
      let calls = 0;
      await forEachOnConnections(db, 4, [], async () => {
        calls += 1;
      });
      const one: string[] = [];
      await forEachOnConnections(
        db,
        4,
        ['a'],
        async (_connection, item) => {
          one.push(item);
        },
        async () => {
          throw new Error('no sibling should be opened for one item');
        },
      );
      return { calls, one };
    });
    expect(counts).toEqual({ calls: 0, one: ['a'] });
  });
});
