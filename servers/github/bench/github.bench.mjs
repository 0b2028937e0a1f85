// github server benchmarks: spawn → initialize against bare Node. Add the server's everyday calls beside
// its anchor (the reference server or the raw library) as it grows; see docs/architecture.md, "Benchmarks".
import { fileURLToPath } from 'node:url';
import { connectTimed, median, ms, timeSpawnToExit } from '../../../scripts/bench-lib/measure.mjs';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 15);

export async function run() {
  const startups = [];
  const bare = [];
  for (let i = 0; i < RUNS; i++) {
    const connection = await connectTimed({ args: [entry] });
    startups.push(connection.ms);
    await connection.client.close();
    bare.push(timeSpawnToExit(process.execPath, ['-e', '0']));
  }
  return {
    title: 'github server',
    rows: [{ measure: 'spawn → initialize', portico: median(startups), anchors: [{ name: '`node -e 0`', value: median(bare) }], format: ms }],
  };
}
