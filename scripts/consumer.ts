/**
 * npm run test:consumer — the package the way a dapp gets it. Packs it (`npm pack`), installs
 * the tarball into a new app outside the repository with its own viem, then there:
 * type-checks a dapp in strict mode under `moduleResolution` bundler and nodenext, runs the
 * README's flow on the embedded chain through `session-keys` and `session-keys/devnet`, and
 * bundles the dapp flow for the browser (esbuild, viem external) to prove it has no Node-only
 * import, and holds its size to the committed snapshot (bench/results.json, +1%). Fails on the
 * first step that does not work.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const work = mkdtempSync(join(tmpdir(), 'session-keys-consumer-'))
const app = join(work, 'app')
mkdirSync(join(app, 'src'), { recursive: true })
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } })
  if (result.status !== 0) {
    console.error(`consumer: \`${command} ${args.join(' ')}\` failed in ${cwd}\n${result.stdout}\n${result.stderr}`)
    process.exit(1)
  }
  return result.stdout
}
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version

/** The README's flow block, exactly as written there, then the checks that it turned out as it says. */
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const flowBlock = /## The flow, end to end[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
if (!flowBlock) throw new Error('README.md has no ts block under "The flow, end to end"')
const flowSource = `// The README's flow (README.md, "The flow, end to end"), against the installed package.
${flowBlock}
// Checks (not in the README): the flow turned out as the README says.
import { sessionKeyValidatorAbi } from 'session-keys/abis'
const paid = await client.readContract({ address: usdc, abi: erc20Abi, functionName: 'balanceOf', args: [shop] })
if (paid !== parseUnits('600', 18) || limit.spent !== paid || !Array.isArray(sessionKeyValidatorAbi)) {
  throw new Error('the flow did not turn out as the README says')
}
console.log('flow: granted, paid 600 TUSD, refused 600 more (over the 1,000 limit)')
process.exit(0)
`

const dappSource = `// What a dapp ships to the browser: define, key, session account, grant calls, preflight.
export {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  preflight,
  toSessionKeyAccount,
} from 'session-keys'
`

try {
  // 1. The tarball, and what it ships.
  const [packed] = JSON.parse(run(npm, ['pack', '--pack-destination', work, '--json'], root)) as {
    filename: string
    size: number
    unpackedSize: number
    files: { path: string }[]
  }[]
  const paths = packed.files.map((f) => f.path)
  for (const required of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/devnet/index.js',
    'dist/devnet/loopback.cjs',
    'dist/abis.js',
    'contracts/session/SessionKeyValidator.sol',
    'artifacts/SessionKeyValidator.json',
    'hardhat.config.cjs',
  ]) {
    if (!paths.includes(required)) throw new Error(`the package does not ship ${required}`)
  }
  const stray = paths.filter((p) => /^(test|scripts|src|bench|examples|contracts\/test)\//.test(p))
  if (stray.length > 0) throw new Error(`the package ships files a dapp does not need: ${stray.join(', ')}`)
  console.log(`consumer: ${packed.filename}, ${packed.files.length} files, ${packed.size} bytes packed`)

  // 2. A new app with its own viem; Hardhat and Alto only because it uses session-keys/devnet.
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer-app',
        private: true,
        type: 'module',
        dependencies: { 'session-keys': `file:${join(work, packed.filename)}`, viem: versionOf('viem') },
        devDependencies: {
          typescript: versionOf('typescript'),
          esbuild: versionOf('esbuild'),
          hardhat: versionOf('hardhat'),
          '@pimlico/alto': versionOf('@pimlico/alto'),
          '@types/node': versionOf('@types/node'),
        },
      },
      null,
      2,
    ),
  )
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline'], app)
  if (existsSync(join(app, 'node_modules', 'session-keys', 'node_modules', 'viem'))) {
    throw new Error('the app got a second copy of viem under session-keys (viem must be a peer dependency)')
  }

  // 3. The README's flow, typed, against the installed package.
  writeFileSync(join(app, 'src', 'flow.ts'), flowSource)
  writeFileSync(join(app, 'src', 'dapp.ts'), dappSource)
  const strict = { strict: true, target: 'ES2022', skipLibCheck: false, types: ['node'], lib: ['ES2022', 'DOM'] }
  writeFileSync(
    join(app, 'tsconfig.nodenext.json'),
    JSON.stringify({
      compilerOptions: { ...strict, module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' },
      include: ['src'],
    }),
  )
  writeFileSync(
    join(app, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: { ...strict, module: 'ESNext', moduleResolution: 'Bundler', noEmit: true },
      include: ['src'],
    }),
  )
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc')
  run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], app)
  run(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], app)
  console.log('consumer: tsc --strict passes with moduleResolution bundler and nodenext')

  // 4. Run it: the embedded chain, a grant, a transfer, a refusal.
  const flow = run(process.execPath, [join(app, 'out', 'flow.js')], app)
  console.log(flow.trimEnd().replace(/^/gm, 'consumer:   '))

  // 5. A browser bundle of the dapp flow: no Node-only import, and its size.
  const esbuild = join(app, 'node_modules', 'esbuild', 'bin', 'esbuild')
  run(
    esbuild,
    [
      'src/dapp.ts',
      '--bundle',
      '--platform=browser',
      '--format=esm',
      '--minify',
      '--external:viem',
      '--outfile=out/dapp.bundle.js',
    ],
    app,
  )
  const bundle = readFileSync(join(app, 'out', 'dapp.bundle.js'))
  const gzip = gzipSync(bundle).length
  console.log(
    `consumer: browser bundle of the dapp flow (define, key, session account, grant calls, preflight): ${bundle.length} bytes minified, ${gzip} bytes min+gzip, viem external`,
  )
  // 6. The size gate, on what a dapp installs: no more than 1% over the committed snapshot
  // (bench/results.json; npm run bench rewrites it, and the commit says why it grew).
  const { sdk } = JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8')) as {
    sdk: { dappFlowBundleBytesGzip: number }
  }
  const budget = Math.floor(sdk.dappFlowBundleBytesGzip * 1.01)
  if (gzip > budget) {
    console.error(
      `consumer: the dapp flow is ${gzip} bytes min+gzip from the packed package, over its budget of ${budget} (bench/results.json ${sdk.dappFlowBundleBytesGzip} + 1%): trim it, or run npm run bench and say why in the commit`,
    )
    process.exit(1)
  }
  console.log(`consumer: size gate holds: ${gzip} ≤ ${budget} bytes (bench/results.json + 1%)`)
  console.log('consumer: every step passed')
} finally {
  rmSync(work, { recursive: true, force: true })
}
