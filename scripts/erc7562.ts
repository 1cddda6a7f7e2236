/**
 * npm run test:7562 — runs the integration and security suites with every session-key
 * validation traced and checked against ERC-7562, then prints the total. Fails on the first
 * violation (the failing test names the opcode or slot and the contract).
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const report = join(tmpdir(), `erc7562-${process.pid}.jsonl`)
const files = ['integration', 'security'].flatMap((dir) =>
  readdirSync(join(root, 'test', dir))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', dir, f)),
)
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: root,
  stdio: 'inherit',
  // Fewer random cases here: tracing costs about a second per validation.
  env: { ...process.env, ERC7562_TRACE: '1', ERC7562_REPORT: report, FUZZ_RUNS: '100' },
})
let traced = 0
let steps = 0
try {
  for (const line of readFileSync(report, 'utf8').trim().split('\n')) {
    const entry = JSON.parse(line) as { traced: number; steps: number }
    traced += entry.traced
    steps += entry.steps
  }
} catch {
  // no report: the suites did not run
}
rmSync(report, { force: true })
console.log(
  `\nERC-7562 check: ${traced} session-key validations traced (${steps} validation steps), violations: ${run.status === 0 ? 0 : 'see the failing test above'}`,
)
process.exit(run.status === 0 && traced > 0 ? 0 : 1)
