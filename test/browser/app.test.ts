/**
 * The demo app in a real browser: Debian's Chromium driven by playwright-core, the dapp and
 * the wallet on two origins, the devnet (Hardhat node + Alto) behind them. Every outcome the
 * page shows is checked against the chain, read by the test itself. Screenshots of each
 * step go to $SCREENSHOT_DIR (test-output/browser by default).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { type Address, createPublicClient, erc20Abi, http, type PublicClient, parseUnits } from 'viem'
import { entryPoint07Abi } from 'viem/account-abstraction'
import { hardhat } from 'viem/chains'
import { type AppServer, startAppServer } from '../../scripts/app/server.js'
import { deserializeSession, entryPointAddress, getSessionStatus, getValidatorNonceKey } from '../../src/index.js'
import { freePort } from '../helpers/ports.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const shots = join(root, process.env.SCREENSHOT_DIR ?? 'test-output/browser')
const tusd = (n: number) => parseUnits(String(n), 18)

let app: AppServer
let browser: Browser
let client: PublicClient
let profile: string
const timings: string[] = []

before(async () => {
  assert.ok(existsSync(chromiumPath), `Chromium is not at ${chromiumPath}: install Debian's chromium package`)
  mkdirSync(shots, { recursive: true })
  app = await startAppServer({
    distDir: join(root, 'dist-app'),
    dappPort: await freePort(),
    walletPort: await freePort(),
    rpcPort: await freePort(),
    bundlerPort: await freePort(),
  })
  client = createPublicClient({ chain: { ...hardhat, id: app.config.chainId }, transport: http(app.devnet.rpcUrl) })
  profile = mkdtempSync(join(tmpdir(), 'session-keys-chromium-'))
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
})

after(async () => {
  await browser?.close()
  await app?.stop()
  if (profile) rmSync(profile, { recursive: true, force: true })
  if (timings.length) console.log(`browser suite steps:\n  ${timings.join('\n  ')}`)
})

/** Runs a step, records its time, and screenshots the pages named. */
async function step<T>(name: string, run: () => Promise<T>, pages: Record<string, Page> = {}): Promise<T> {
  const start = performance.now()
  const result = await run()
  timings.push(`${name}: ${Math.round(performance.now() - start)} ms`)
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  for (const [label, page] of Object.entries(pages)) {
    if (!page.isClosed()) await page.screenshot({ path: join(shots, `${slug}-${label}.png`), fullPage: true })
  }
  return result
}

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 900, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  })
  context.setDefaultTimeout(60_000)
  return context
}

const balanceOf = (address: Address) =>
  client.readContract({ address: app.config.token.address, abi: erc20Abi, functionName: 'balanceOf', args: [address] })

async function storedSession(page: Page) {
  const text = await page.evaluate(() => localStorage.getItem('arcade.session'))
  assert.ok(text, 'the dapp stored its session')
  return deserializeSession(text)
}

async function nonceOf(account: Address) {
  return client.readContract({
    address: entryPointAddress,
    abi: entryPoint07Abi,
    functionName: 'getNonce',
    args: [account, getValidatorNonceKey(app.config.module)],
  })
}

/** Clicks "Connect wallet" and returns the wallet's pop-up once it shows the request. */
async function connect(dapp: Page): Promise<Page> {
  const [popup] = await Promise.all([
    dapp.waitForEvent('popup'),
    dapp.getByRole('button', { name: 'Connect wallet' }).click(),
  ])
  await popup.getByRole('heading', { name: /asks for a session key/ }).waitFor()
  return popup
}

async function lastLog(dapp: Page, status: string) {
  const entry = dapp.locator('ol.log li').first()
  await entry.and(dapp.locator(`[data-status="${status}"]`)).waitFor()
  return (await entry.innerText()).replace(/\s+/g, ' ')
}

describe('the demo app in Chromium', () => {
  it('connect, approve, three payments land, the rest is refused, revoke ends it', async () => {
    const context = await newContext()
    const dapp = await context.newPage()
    await step('open the dapp', () => dapp.goto(app.dappUrl), { dapp })

    const popup = await step('connect: the wallet shows the request', () => connect(dapp))
    assert.equal(await popup.getByTestId('requesting-origin').innerText(), app.config.dappOrigin)
    const lines = await popup.getByTestId('approval-lines').innerText()
    assert.match(lines, /transfer\(address,uint256\)/)
    assert.match(lines, /at most 30 TUSD in total/)
    assert.match(lines, new RegExp(`Only if transfer\\(address,uint256\\): to = ${app.config.service}`))
    assert.match(
      await popup.getByTestId('worst-case').innerText(),
      /Test USD\s+30 TUSD\s+ETH sent with calls\s+0 ETH\s+Gas\s+0.05 ETH/,
    )
    assert.match(
      await popup.getByTestId('validity').innerText(),
      /CET \((59 min|1 h)\)$/,
      "times in the user's time zone",
    )
    await popup.screenshot({ path: join(shots, 'approval.png'), fullPage: true })

    await step(
      'approve: the account and the session are created on chain',
      async () => {
        await Promise.all([popup.waitForEvent('close'), popup.getByRole('button', { name: 'Approve' }).click()])
        await dapp.getByText('Connected.').waitFor()
      },
      { dapp },
    )
    const { session } = await storedSession(dapp)
    assert.equal((await getSessionStatus(client, { session })).status, 'active', 'the chain has the session')
    const account = session.account
    assert.equal(await balanceOf(account), tusd(100), 'the faucet gave the new account 100 TUSD')

    const play = dapp.getByRole('button', { name: /^Play/ })
    for (const n of [1, 2]) {
      await step(`play ${n} lands`, async () => {
        await play.click()
        await lastLog(dapp, 'landed')
      })
      assert.equal(await balanceOf(app.config.service), tusd(10 * n), `the service got paid ${n} times`)
    }

    const nonceBefore = await nonceOf(account)
    await step(
      'not allowed: refused before sending',
      async () => {
        await dapp.getByRole('button', { name: 'Try something not allowed' }).click()
        assert.match(await lastLog(dapp, 'refused-here'), /The session does not allow this\..*argument rule/)
      },
      { dapp },
    )
    await step(
      'not allowed, forced: refused by the chain',
      async () => {
        await dapp.getByRole('button', { name: 'Send it to the chain anyway' }).click()
        assert.match(await lastLog(dapp, 'refused-by-chain'), /The session does not allow this\./)
      },
      { dapp },
    )
    assert.equal(await nonceOf(account), nonceBefore, 'neither refused operation reached the chain')
    assert.equal(await balanceOf(account), tusd(80), 'the account paid only the two plays')

    await step('play 3 lands', async () => {
      await play.click()
      await lastLog(dapp, 'landed')
    })
    assert.equal(await balanceOf(app.config.service), tusd(30))
    await dapp
      .getByTestId('allowance-left')
      .filter({ hasText: /^0 TUSD$/ })
      .waitFor()

    await step(
      'play 4: over the allowance, refused',
      async () => {
        await play.click()
        assert.match(await lastLog(dapp, 'refused-here'), /allowance for this session is used up/)
        await dapp.getByRole('button', { name: 'Ask again' }).waitFor()
      },
      { dapp },
    )
    assert.equal(await balanceOf(app.config.service), tusd(30), 'the over-limit payment did not happen')
    assert.equal(await nonceOf(account), nonceBefore + 1n, 'only play 3 reached the chain')

    await step(
      'reload: the stored session is restored',
      async () => {
        await dapp.reload()
        await dapp.getByText('your session was restored').waitFor()
        await dapp
          .getByTestId('allowance-left')
          .filter({ hasText: /^0 TUSD$/ })
          .waitFor()
      },
      { dapp },
    )

    const wallet = await context.newPage()
    await step(
      'the session manager lists the session',
      async () => {
        await wallet.goto(app.walletUrl)
        const row = wallet.locator(`tr[data-session="${session.id}"]`)
        await row.getByText('Active').waitFor()
        assert.match(await row.innerText(), /0 TUSD of 30 TUSD/)
      },
      { wallet },
    )
    await step(
      'revoke in the manager',
      async () => {
        await wallet.getByRole('button', { name: new RegExp(`Revoke the session of .* ${session.sessionKey}`) }).click()
        await wallet.getByText('The session is revoked.').waitFor()
        await wallet.locator(`tr[data-session="${session.id}"]`).getByText('Revoked').waitFor()
      },
      { wallet },
    )
    assert.equal((await getSessionStatus(client, { session })).status, 'revoked', 'the chain says revoked')

    await dapp.bringToFront()
    const nonceRevoked = await nonceOf(account)
    await step(
      'after the revoke the next operation is refused',
      async () => {
        await play.click()
        assert.match(await lastLog(dapp, 'refused-here'), /The wallet revoked this session\./)
      },
      { dapp },
    )
    assert.equal(await nonceOf(account), nonceRevoked)
    assert.equal(await balanceOf(app.config.service), tusd(30))

    // Ask again: the account exists now, so the wallet signs an off-chain grant (no transaction),
    // and the dapp's first payment creates the session on chain.
    const [again] = await Promise.all([
      dapp.waitForEvent('popup'),
      dapp.getByRole('button', { name: 'Ask again' }).click(),
    ])
    await again.getByRole('heading', { name: /asks for a session key/ }).waitFor()
    await step(
      'ask again: an off-chain grant, the first payment creates the session',
      async () => {
        await Promise.all([again.waitForEvent('close'), again.getByRole('button', { name: 'Approve' }).click()])
        await dapp.getByText('Connected.').waitFor()
        const renewed = await storedSession(dapp)
        assert.ok(renewed.grant, 'the wallet answered with an off-chain grant')
        assert.equal((await getSessionStatus(client, { session: renewed.session })).status, 'not-found')
        await play.click()
        await lastLog(dapp, 'landed')
        assert.equal((await getSessionStatus(client, { session: renewed.session })).status, 'active')
      },
      { dapp },
    )
    assert.equal(await balanceOf(app.config.service), tusd(40), 'the new session paid once')
    await context.close()
  })

  it('reject: the dapp is told, and nothing is created on chain', async () => {
    const context = await newContext()
    const dapp = await context.newPage()
    await dapp.goto(app.dappUrl)
    const popup = await connect(dapp)
    await step(
      'reject',
      async () => {
        await Promise.all([popup.waitForEvent('close'), popup.getByRole('button', { name: 'Reject' }).click()])
        await dapp.getByText('You declined in the wallet. Nothing was granted.').waitFor()
      },
      { dapp },
    )
    assert.equal(await dapp.evaluate(() => localStorage.getItem('arcade.session')), null)
    await context.close()
  })

  it('a request from an origin the wallet does not know is ignored', async () => {
    const context = await newContext()
    const evilOrigin = 'http://evil.localhost'
    // A page at a third origin (served by the browser itself) that opens the wallet and asks it.
    await context.route(`${evilOrigin}/**`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>elsewhere</title><p>elsewhere</p>' }),
    )
    const evil = await context.newPage()
    await evil.goto(`${evilOrigin}/`)
    const [popup] = await Promise.all([
      evil.waitForEvent('popup'),
      evil.evaluate((walletUrl) => {
        const w = window.open(walletUrl, 'wallet', 'popup')
        window.addEventListener('message', (event) => {
          if (event.source === w && (event.data as { type?: string })?.type === 'session-keys/ready') {
            w?.postMessage(
              { type: 'session-keys/request', id: 'x', method: 'wallet_requestExecutionPermissions', params: [] },
              '*',
            )
          }
        })
      }, app.walletUrl),
    ])
    await step(
      'unknown origin: ignored',
      async () => {
        await popup.getByText(`a request from ${evilOrigin}, which is not a dapp this wallet knows`).waitFor()
      },
      { wallet: popup },
    )
    assert.equal(await popup.getByRole('heading', { name: /asks for a session key/ }).count(), 0)
    await context.close()
  })

  it('a tampered stored session is refused on reload', async () => {
    const context = await newContext()
    const dapp = await context.newPage()
    await dapp.goto(app.dappUrl)
    const popup = await connect(dapp)
    await Promise.all([popup.waitForEvent('close'), popup.getByRole('button', { name: 'Approve' }).click()])
    await dapp.getByText('Connected.').waitFor()
    await step(
      'tampered storage: refused',
      async () => {
        // Raise the stored limit tenfold: the checksum no longer matches.
        await dapp.evaluate(() => {
          const text = localStorage.getItem('arcade.session') ?? ''
          localStorage.setItem('arcade.session', text.replace(/"tokenLimit":"(\d+)"/, '"tokenLimit":"$10"'))
        })
        await dapp.reload()
        await dapp.getByText('was changed, so it was refused and forgotten').waitFor()
      },
      { dapp },
    )
    assert.equal(await dapp.evaluate(() => localStorage.getItem('arcade.session')), null, 'the copy was forgotten')
    await dapp.getByRole('button', { name: 'Connect wallet' }).waitFor()
    await context.close()
  })
})
