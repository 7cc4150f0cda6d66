/**
 * Which refreshes of a `refresh --all` run side by side (sessions/side-by-side.ts): the order rules
 * alone, with refreshes that end when the test says so (no clock, no timing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFRESH_CONCURRENCY, refreshSideBySide, type SideBySideItem } from '../../main/engine/sessions/side-by-side';

interface Item extends SideBySideItem {
  readonly name: string;
}

/** Runs the items; each refresh waits until the test ends it. */
function harness(items: readonly Item[], options: { readonly concurrency?: number; readonly signal?: AbortSignal } = {}) {
  const running = new Map<string, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  const started: string[] = [];
  const endedOrder: string[] = [];
  let waiters: Array<() => void> = [];
  const settle = (): void => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  const done = refreshSideBySide(
    items,
    (item) =>
      new Promise<string>((resolve, reject) => {
        started.push(item.name);
        running.set(item.name, { resolve, reject });
        settle();
      }),
    { ...options, onEnded: (_outcome, index) => endedOrder.push(items[index]?.name ?? '?') },
  );
  /** Lets every refresh that can start now start. */
  const idle = async (): Promise<void> => {
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    done,
    started,
    endedOrder,
    running: () => [...running.keys()],
    async end(name: string, error?: Error): Promise<void> {
      const refresh = running.get(name);
      assert.ok(refresh, `${name} is not running (running: ${[...running.keys()].join(', ')})`);
      running.delete(name);
      if (error) refresh.reject(error);
      else refresh.resolve(`session of ${name}`);
      await idle();
    },
    idle,
  };
}

const totp = (name: string, device = name): Item => ({ name, device, source: 'totp' });
const person = (name: string, device = name): Item => ({ name, device, source: 'person' });

describe('refreshes side by side', () => {
  it('starts every generated code at once, up to the bound, and the next as one ends', async () => {
    const items = Array.from({ length: REFRESH_CONCURRENCY + 2 }, (_, i) => totp(`p${i}`));
    const run = harness(items);
    await run.idle();
    assert.deepEqual(
      run.running(),
      items.slice(0, REFRESH_CONCURRENCY).map((i) => i.name),
    );
    await run.end('p2');
    assert.equal(run.running().length, REFRESH_CONCURRENCY);
    assert.ok(run.running().includes(`p${REFRESH_CONCURRENCY}`));
    for (const name of run.running()) await run.end(name);
    for (const name of run.running()) await run.end(name);
    const outcomes = await run.done;
    assert.deepEqual(
      outcomes.map((o) => (o.kind === 'done' ? o.value : o.kind)),
      items.map((i) => `session of ${i.name}`),
    );
  });

  it('runs the profiles of one device one after another, in the order given', async () => {
    const run = harness([totp('a', 'device-1'), totp('b', 'device-2'), totp('c', 'device-1'), { name: 'd', device: 'device-1', source: 'command' }]);
    await run.idle();
    assert.deepEqual(run.running(), ['a', 'b']);
    await run.end('a');
    assert.deepEqual(run.running(), ['b', 'c']);
    await run.end('c', new Error('refused'));
    assert.deepEqual(run.running(), ['b', 'd']);
    await run.end('d');
    await run.end('b');
    const outcomes = await run.done;
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      ['done', 'done', 'failed', 'done'],
    );
  });

  it('reads YubiKeys one at a time, beside the other sources', async () => {
    const key = (name: string): Item => ({ name, device: name, source: 'yubikey' });
    const run = harness([key('y1'), totp('t1'), key('y2')]);
    await run.idle();
    assert.deepEqual(run.running(), ['y1', 't1']);
    await run.end('y1');
    assert.deepEqual(run.running(), ['t1', 'y2']);
    await run.end('t1');
    await run.end('y2');
    await run.done;
  });

  it('asks people one at a time, in the order given, once every generated code has ended', async () => {
    const run = harness([person('typed-1'), totp('g1'), person('typed-2'), totp('g2')]);
    await run.idle();
    assert.deepEqual(run.running(), ['g1', 'g2']);
    await run.end('g2');
    assert.deepEqual(run.running(), ['g1'], 'no question while a generated code is still on its way');
    await run.end('g1', new Error('refused'));
    assert.deepEqual(run.running(), ['typed-1']);
    await run.end('typed-1');
    assert.deepEqual(run.running(), ['typed-2']);
    await run.end('typed-2');
    await run.done;
    assert.deepEqual(run.started, ['g1', 'g2', 'typed-1', 'typed-2']);
    assert.deepEqual(run.endedOrder, ['g2', 'g1', 'typed-1', 'typed-2']);
  });

  it('once stopped, starts nothing more: the rest is skipped, what runs finishes', async () => {
    const stop = new AbortController();
    const run = harness([totp('g1'), person('typed-1'), person('typed-2')], { signal: stop.signal });
    await run.idle();
    await run.end('g1');
    assert.deepEqual(run.running(), ['typed-1']);
    stop.abort();
    await run.end('typed-1', new Error('cancelled'));
    const outcomes = await run.done;
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      ['done', 'failed', 'skipped'],
    );
    assert.deepEqual(run.started, ['g1', 'typed-1']);
  });
});
