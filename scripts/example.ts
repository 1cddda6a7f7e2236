/**
 * npm run example -- <name>   runs examples/<name>.ts against the embedded chain
 * npm run example -- --all    runs every example, each in its own process (CI)
 * Exits non-zero if an example does not turn out as expected.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const available = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort()
const [arg] = process.argv.slice(2)
if (!arg || (arg !== '--all' && !available.includes(arg))) {
  const said = arg === undefined ? 'No example named.' : `There is no example '${arg}'.`
  const near = arg ? available.find((name) => name.startsWith(arg.slice(0, 3)) || arg.startsWith(name)) : undefined
  console.error(
    `${said}${near ? ` Did you mean '${near}'?` : ''}\nUsage: npm run example -- <name> | --all\nExamples: ${available.join(', ')}`,
  )
  process.exit(1)
}
let failed = 0
for (const name of arg === '--all' ? available : [arg]) {
  console.log(`\n── example: ${name}`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'examples', `${name}.ts`)], {
    cwd: root,
    stdio: 'inherit',
  })
  if (run.status !== 0) {
    failed++
    console.error(`✗ example ${name} failed (exit ${run.status})`)
  }
}
process.exit(failed === 0 ? 0 : 1)
