// `node test/bench/dataset-queries.ts [--rows N]`: how long the suggestion and count questions take
// on a demo `leads` dataset of N rows (2,000,000 by default): each answered by a worker thread,
// timed from the service call (thread start included) to its answer.
import { parseArgs } from 'node:util';
import { createDatasetsService } from '../../electron/engine/datasets/datasets-service.ts';
import { makeContext } from '../helpers/context.ts';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '2000000' } } });
const rows = Number(args.rows);
const ctx = makeContext();
const svc = createDatasetsService(ctx);
try {
  const t0 = performance.now();
  await svc.ensureDemo(rows);
  console.log(
    `demo leads, ${rows} rows built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const time = async (label: string, run: () => Promise<unknown>) => {
    const ms: number[] = [];
    let out: unknown;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      out = await run();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(44)} median ${ms[2]!.toFixed(1)} ms (min ${ms[0]!.toFixed(1)}, max ${ms[4]!.toFixed(1)})`,
    );
    return out;
  };
  const st = (await time('values state', () => svc.values('leads', 'state', {}))) as {
    values: unknown[];
    rows_scanned: number;
  };
  console.log(`  ${st.values.length} values, ${st.rows_scanned} rows scanned`);
  await time('values email prefix "mar"', () => svc.values('leads', 'email', { prefix: 'mar' }));
  await time('values email (all distinct)', () => svc.values('leads', 'email', {}));
  await time('values score (integer)', () => svc.values('leads', 'score', {}));
  await time('count state = "Texas" (0 rows)', () =>
    svc.count('leads', { where: [{ column: 'state', op: 'eq', value: 'Texas' }] }),
  );
  await time('count state in TX, CA + time range', () =>
    svc.count('leads', {
      start_time: '2025-01-01T00:00:00Z',
      where: [{ column: 'state', op: 'in', value: ['TX', 'CA'] }],
    }),
  );
  await time('count (no filter)', () => svc.count('leads', null));
} finally {
  await svc.close();
  ctx.cleanup();
}
