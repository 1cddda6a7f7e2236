/**
 * npm run fuzz -- --runs 100000 [--seed N]
 * Long runs of the differential test (module vs pre-flight check) and of the invariant
 * sequences. A failure prints the seed and the shrunk case; re-run it with --seed.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' } } })
const runs = values.runs ?? '10000'
if (!/^\d+$/.test(runs) || Number(runs) < 1) {
  console.error('--runs takes a positive whole number, e.g. npm run fuzz -- --runs 100000')
  process.exit(1)
}
if (values.seed !== undefined && !/^-?\d+$/.test(values.seed)) {
  console.error('--seed takes the whole number a failing run printed')
  process.exit(1)
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    'test/security/differential.test.ts',
    'test/security/invariants.test.ts',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FUZZ_RUNS: runs, ...(values.seed ? { FUZZ_SEED: values.seed } : {}) },
  },
)
process.exit(run.status ?? 1)
