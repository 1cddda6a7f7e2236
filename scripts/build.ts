/**
 * npm run build — the package as a dapp installs it: ESM JavaScript, `.d.ts` types and source
 * maps in dist/ (tsc, from src/ after `npm run compile`), and the files tsc does not emit
 * (the bundler's loopback preload). dist/ is rebuilt from scratch each time.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
rmSync(join(root, 'dist'), { recursive: true, force: true })
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
)
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
copyFileSync(join(root, 'src', 'devnet', 'loopback.cjs'), join(root, 'dist', 'devnet', 'loopback.cjs'))
console.log('build: dist/ written (ESM + .d.ts)')
