/**
 * `npm run app` as a person runs it: it prints the two URLs, both pages answer on 127.0.0.1,
 * and SIGTERM (Ctrl-C's signal for a script) stops everything it started.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { freePort } from '../helpers/ports.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')

function runApp(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(tsx, [join(root, 'scripts', 'app.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout?.on('data', (chunk) => {
    text += chunk
  })
  child.stderr?.on('data', (chunk) => {
    text += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => text, exited }
}

async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true,
  )
}

describe('npm run app', () => {
  it('serves the dapp and the wallet on two origins, and SIGTERM stops everything', async () => {
    const ports = { dapp: await freePort(), wallet: await freePort(), rpc: await freePort(), bundler: await freePort() }
    const app = runApp([
      '--no-build',
      ...['--dapp-port', String(ports.dapp), '--wallet-port', String(ports.wallet)],
      ...['--rpc-port', String(ports.rpc), '--bundler-port', String(ports.bundler)],
    ])
    const deadline = Date.now() + 90_000
    while (!app.output().includes('Ctrl-C stops everything') && Date.now() < deadline) {
      assert.equal(app.child.exitCode, null, `npm run app exited early:\n${app.output()}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    assert.match(app.output(), new RegExp(`The dapp \\(Pixel Arcade\\): http://127\\.0\\.0\\.1:${ports.dapp}/`))
    assert.match(app.output(), new RegExp(`The wallet: +http://127\\.0\\.0\\.1:${ports.wallet}/`))
    for (const port of [ports.dapp, ports.wallet]) {
      const page = await fetch(`http://127.0.0.1:${port}/`)
      assert.equal(page.status, 200)
      assert.match(await page.text(), /<div id="root">/)
    }
    const wallet = await fetch(`http://127.0.0.1:${ports.wallet}/`)
    assert.match(
      wallet.headers.get('content-security-policy') ?? '',
      /frame-ancestors 'none'/,
      'the wallet cannot be framed',
    )
    const faucetOnDapp = await fetch(`http://127.0.0.1:${ports.dapp}/faucet`, { method: 'POST', body: '{}' })
    assert.equal(faucetOnDapp.status, 405, 'only the wallet origin has the faucet')
    assert.equal((await fetch(`http://127.0.0.1:${ports.dapp}/%2e%2e/package.json`)).status, 404, 'no path escapes')

    app.child.kill('SIGTERM')
    assert.equal(await app.exited, 0)
    for (const port of Object.values(ports)) {
      assert.ok(await refused(`http://127.0.0.1:${port}/`), `nothing listens on ${port} any more`)
    }
  })

  it('says what is wrong with a flag, without a stack trace', async () => {
    const app = runApp(['--port', '1'])
    assert.equal(await app.exited, 1)
    assert.match(app.output(), /Unknown option '--port'/)
    assert.match(app.output(), /Usage: npm run app/)
    assert.doesNotMatch(app.output(), /\n\s+at /)
  })
})
