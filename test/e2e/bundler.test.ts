/**
 * End to end through a real bundler: `startDevnetServer` runs a Hardhat node and Alto on
 * 127.0.0.1; the dapp uses viem's own bundler client. The seed flow, each rejection of the
 * demo, and a batch.
 */

import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { after, before, describe, it } from 'node:test'
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  encodeFunctionData,
  http,
  type PublicClient,
  parseEther,
  parseUnits,
  publicActions,
  testActions,
} from 'viem'
import { type BundlerClient, createBundlerClient } from 'viem/account-abstraction'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { hardhat } from 'viem/chains'
import {
  connectDevnet,
  type DevnetServer,
  DevnetServerError,
  mintTestToken,
  startDevnetServer,
  testTokenAbi,
} from '../../src/devnet/index.js'
import {
  CallNotPermittedError,
  create2DeployerAddress,
  createBundlerSubmitter,
  defineSession,
  EndpointUnreachableError,
  generateSessionKey,
  getGrantSessionCalls,
  getRevokeSessionCalls,
  getSetSessionEnabledCalls,
  getSpendingLimits,
  PeriodLimitExceededError,
  SessionDisabledError,
  SessionExpiredError,
  SessionRevokedError,
  SpendingLimitExceededError,
  toOwnerAccount,
  toSessionKeyAccount,
  UnsafeUserOperationGasError,
  type UserOperationSubmitter,
} from '../../src/index.js'
import { freePort } from '../helpers/ports.js'

const tusd = (n: number) => parseUnits(String(n), 18)
let server: DevnetServer
let submitter: UserOperationSubmitter

/** Local addresses of the listening TCP sockets on `port`, from /proc (IPv4 and IPv6). */
function listeners(port: number): string[] {
  const found: string[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (!local || state !== '0A') continue
      const [address, hexPort] = local.split(':')
      if (Number.parseInt(hexPort, 16) === port) found.push(address)
    }
  }
  return found
}

before(async () => {
  server = await startDevnetServer({ rpcPort: await freePort(), bundlerPort: await freePort() })
  const client = createPublicClient({ chain: hardhat, transport: http(server.rpcUrl), pollingInterval: 100 })
  const bundlerClient = createBundlerClient({ client, transport: http(server.bundlerUrl), pollingInterval: 100 })
  // Pre-flight off: these tests prove what the bundler and the chain refuse.
  submitter = createBundlerSubmitter({ bundlerClient, preflight: false })
  Object.assign(context, { client, bundlerClient })
})

after(async () => {
  await server?.stop()
  for (const pid of Object.values(server?.pids ?? {})) {
    assert.throws(() => process.kill(pid, 0), 'the process is gone')
  }
})

const context = {} as { client: PublicClient; bundlerClient: BundlerClient }

describe('devnet server', () => {
  it('listens on 127.0.0.1 only (node and bundler)', () => {
    for (const url of [server.rpcUrl, server.bundlerUrl]) {
      const sockets = listeners(Number(new URL(url).port))
      assert.ok(sockets.length > 0, `something listens on ${url}`)
      // 0100007F is 127.0.0.1 in /proc's little-endian hex; anything else (0.0.0.0, ::) fails.
      assert.deepEqual([...new Set(sockets)], ['0100007F'], `only loopback on ${url}`)
    }
  })

  it('refuses the same port for the node and the bundler before starting anything', async () => {
    const port = await freePort()
    await assert.rejects(
      startDevnetServer({ rpcPort: port, bundlerPort: port }),
      (e: unknown) => e instanceof DevnetServerError && /cannot both listen on port/.test(e.message),
    )
    assert.deepEqual(listeners(port), [], 'nothing listens on the port')
  })

  it('refuses to start on a port already in use, with a clear error', async () => {
    const port = Number(new URL(server.rpcUrl).port)
    await assert.rejects(
      startDevnetServer({ rpcPort: port, bundlerPort: await freePort() }),
      (e: unknown) => e instanceof DevnetServerError && /already in use/.test(e.message),
    )
  })
})

/** Runs a script of the repo as its npm script does (node with tsx), collecting its output. */
function runScript(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: new URL('../..', import.meta.url),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, output: () => output }
}

describe('npm run devnet', () => {
  /** Starts scripts/devnet.ts as `npm run devnet` does (tsx), on two free ports. */
  async function startScript() {
    const ports = [await freePort(), await freePort()]
    return {
      ports,
      ...runScript('scripts/devnet.ts', ['--rpc-port', String(ports[0]), '--bundler-port', String(ports[1])]),
    }
  }
  async function until(condition: () => boolean, what: string, ms = 60_000) {
    const deadline = Date.now() + ms
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  it('SIGTERM while the node is still starting stops everything it started', async () => {
    const run = await startScript()
    // The node listens; contracts are being deployed and Alto takes seconds more to answer.
    await until(() => listeners(run.ports[0]).length > 0, 'the node to listen')
    assert.ok(listeners(run.ports[1]).length === 0 && !run.output().includes('Devnet ready.'), 'still starting')
    run.child.kill('SIGTERM')
    const code = await run.exited
    assert.equal(code, 1, 'a cancelled start exits with 1')
    assert.match(run.output(), /cancelled; every process it had started is stopped/)
    await until(() => run.ports.every((p) => listeners(p).length === 0), 'the ports to be free', 10_000)
  })

  it('SIGTERM once ready stops the node and the bundler', async () => {
    const run = await startScript()
    await until(() => run.output().includes('Devnet ready.'), 'the devnet to be ready')
    assert.ok(
      run.ports.every((p) => listeners(p).length > 0),
      'both listen',
    )
    run.child.kill('SIGTERM')
    assert.equal(await run.exited, 0)
    await until(() => run.ports.every((p) => listeners(p).length === 0), 'the ports to be free', 10_000)
  })
})

describe('connecting to a running node without its bundler', () => {
  it('connectDevnet names the bundler that does not answer before it deploys or funds anything', async () => {
    const bundlerUrl = `http://127.0.0.1:${await freePort()}`
    const blockBefore = await context.client.getBlockNumber()
    await assert.rejects(
      connectDevnet({ rpcUrl: server.rpcUrl, bundlerUrl }),
      (e: unknown) =>
        e instanceof EndpointUnreachableError &&
        new RegExp(`^The bundler at ${bundlerUrl}/? does not answer`).test(e.shortMessage),
    )
    assert.equal(await context.client.getBlockNumber(), blockBefore, 'no transaction was sent')
  })

  it('the demo says so in one line and exits 1, with nothing deployed', async () => {
    const bundlerUrl = `http://127.0.0.1:${await freePort()}`
    const blockBefore = await context.client.getBlockNumber()
    const demo = runScript('scripts/demo.ts', ['--rpc', server.rpcUrl, '--bundler', bundlerUrl])
    const code = await demo.exited
    const output = demo.output()
    assert.equal(code, 1)
    assert.match(output, new RegExp(`The bundler at ${bundlerUrl}/? does not answer`))
    assert.ok(output.length < 1_500, `a short report, not the request in hex (${output.length} chars)`)
    assert.equal(await context.client.getBlockNumber(), blockBefore, 'nothing was deployed')
  })
})

describe('npm run deploy on a chain without the CREATE2 deployer', () => {
  it('says what is missing and how to get it, and sends nothing', async () => {
    const admin = createTestClient({ chain: hardhat, mode: 'hardhat', transport: http(server.rpcUrl) })
    const key = generatePrivateKey()
    await admin.setBalance({ address: privateKeyToAccount(key).address, value: 10n ** 18n })
    const deployer = await context.client.getCode({ address: create2DeployerAddress })
    await admin.setCode({ address: create2DeployerAddress, bytecode: '0x' })
    try {
      const blockBefore = await context.client.getBlockNumber()
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/deploy.ts', '--rpc', server.rpcUrl], {
        cwd: new URL('../..', import.meta.url),
        encoding: 'utf8',
        env: { ...process.env, DEPLOYER_PRIVATE_KEY: key },
      })
      assert.equal(result.status, 1)
      assert.match(
        result.stderr,
        /The deterministic CREATE2 deployer is not deployed at 0x4e59b44847b379578588920ca78fbf26c0b4956c/i,
      )
      assert.match(result.stderr, /deterministic-deployment-proxy/)
      assert.equal(await context.client.getBlockNumber(), blockBefore, 'nothing was sent')
    } finally {
      await admin.setCode({ address: create2DeployerAddress, bytecode: deployer ?? '0x' })
    }
  })
})

/** A new owner account with `eth` and 10,000 TUSD, the devnet's admin client, and a fresh recipient. */
async function fundedOwner(eth: bigint) {
  const { client } = context
  const [sender] = await createWalletClient({ chain: hardhat, transport: http(server.rpcUrl) }).getAddresses()
  const admin = createWalletClient({ chain: hardhat, transport: http(server.rpcUrl), account: sender })
    .extend(publicActions)
    .extend(testActions({ mode: 'hardhat' }))
  const owner = await toOwnerAccount({ client, owner: privateKeyToAccount(generatePrivateKey()) })
  await admin.setBalance({ address: owner.address, value: eth })
  const token = server.testToken
  await mintTestToken(admin as never, { token, to: owner.address, amount: tusd(10_000) })
  return { admin, owner, token, recipient: privateKeyToAccount(generatePrivateKey()).address }
}

describe('the seed flow through Alto', () => {
  it('grants, transfers, and rejects everything outside the session', async () => {
    const { client, bundlerClient } = context
    const { admin, owner, token, recipient } = await fundedOwner(parseEther('1'))
    const transfer = (amount: bigint, on: Address = token) => ({
      to: on,
      data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, amount] }),
    })
    const now = Number((await client.getBlock()).timestamp)
    const ask = (enable: boolean) => {
      const key = generateSessionKey()
      const session = defineSession({
        account: owner.address,
        chainId: hardhat.id,
        sessionKey: key.address,
        permissions: [
          { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(1000) },
        ],
        validity: { endTimestamp: now + 3600, enable },
        now,
      })
      return { key, session }
    }

    // The owner approves with one user operation (deploy + install + create), gas from the bundler.
    const { key, session } = ask(true)
    await submitter.sendUserOperation({ account: owner, calls: await getGrantSessionCalls(client, { session }) })
    const dapp = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })

    // viem's own bundler actions, unchanged.
    const hash = await bundlerClient.sendUserOperation({ account: dapp, calls: [transfer(tusd(300))] })
    const receipt = await bundlerClient.waitForUserOperationReceipt({ hash })
    assert.equal(receipt.success, true)

    // A batch of calls in one operation.
    await submitter.sendUserOperation({ account: dapp, calls: [transfer(tusd(200)), transfer(tusd(100))] })
    const [limit] = await getSpendingLimits(client, { session })
    assert.equal(limit.spent, tusd(600))

    await assert.rejects(
      submitter.sendUserOperation({ account: dapp, calls: [transfer(tusd(500))] }),
      (e: unknown) => e instanceof SpendingLimitExceededError && e.spent === tusd(600) && e.limit === tusd(1000),
    )
    const approve = encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [recipient, 1n] })
    await assert.rejects(
      submitter.sendUserOperation({ account: dapp, calls: [{ to: token, data: approve }] }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'method',
    )
    await assert.rejects(
      submitter.sendUserOperation({ account: dapp, calls: [transfer(1n, server.deployments.sessionAccountFactory)] }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'destination',
    )

    const disabled = ask(false)
    await submitter.sendUserOperation({
      account: owner,
      calls: await getGrantSessionCalls(client, { session: disabled.session }),
    })
    const disabledDapp = await toSessionKeyAccount({
      client,
      session: disabled.session,
      sessionKey: disabled.key.privateKey,
    })
    await assert.rejects(
      submitter.sendUserOperation({ account: disabledDapp, calls: [transfer(1n)] }),
      SessionDisabledError,
    )

    await submitter.sendUserOperation({ account: owner, calls: getRevokeSessionCalls({ session }) })
    await assert.rejects(submitter.sendUserOperation({ account: dapp, calls: [transfer(1n)] }), SessionRevokedError)

    await submitter.sendUserOperation({
      account: owner,
      calls: getSetSessionEnabledCalls({ session: disabled.session, enabled: true }),
    })
    await submitter.sendUserOperation({ account: disabledDapp, calls: [transfer(1n)] })
    await admin.increaseTime({ seconds: 2 * 3600 })
    await admin.mine({ blocks: 1 })
    await assert.rejects(
      submitter.sendUserOperation({ account: disabledDapp, calls: [transfer(1n)] }),
      SessionExpiredError,
    )

    const balance = await client.readContract({
      address: token,
      abi: testTokenAbi,
      functionName: 'balanceOf',
      args: [recipient],
    })
    assert.equal(balance, tusd(600) + 1n)
  })

  it('a recurring allowance through Alto: the day is charged, and its 11th TUSD refused', async () => {
    const { client, bundlerClient } = context
    const { owner, token, recipient } = await fundedOwner(parseEther('1'))
    const transfer = (amount: bigint) => ({
      to: token,
      data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, amount] }),
    })
    const now = Number((await client.getBlock()).timestamp)
    // Alto refuses an operation whose validAfter (here, the day's start) is after its own wall
    // clock, and earlier tests moved the chain's clock ahead of it: the days start a minute
    // before the wall clock. (Renewal on the next day is tested on chain, in the security suite.)
    const start = Math.floor(Date.now() / 1000) - 60
    const key = generateSessionKey()
    const session = defineSession({
      account: owner.address,
      chainId: hardhat.id,
      sessionKey: key.address,
      permissions: [
        {
          whitelistDestination: token,
          whitelistMethods: ['transfer(address,uint256)'],
          recurring: { period: 'day', start, tokenAmount: tusd(10) },
        },
      ],
      validity: { endTimestamp: now + 10 * 86_400 },
      now,
    })
    await submitter.sendUserOperation({ account: owner, calls: await getGrantSessionCalls(client, { session }) })
    const dapp = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })
    // The bundler simulates, accepts and includes an operation whose window is the day it claims.
    const hash = await bundlerClient.sendUserOperation({ account: dapp, calls: [transfer(tusd(6))] })
    assert.equal((await bundlerClient.waitForUserOperationReceipt({ hash })).success, true)
    await assert.rejects(
      submitter.sendUserOperation({ account: dapp, calls: [transfer(tusd(5))] }),
      (e: unknown) => e instanceof PeriodLimitExceededError && e.spent === tusd(6) && e.limit === tusd(10),
    )
    const [limits] = await getSpendingLimits(client, { session })
    assert.deepEqual([limits.period?.spent, limits.period?.remaining], [tusd(6), tusd(4)])
    await submitter.sendUserOperation({ account: dapp, calls: [transfer(tusd(4))] })
    const balance = await client.readContract({
      address: token,
      abi: testTokenAbi,
      functionName: 'balanceOf',
      args: [recipient],
    })
    assert.equal(balance, tusd(10))
  })

  it('hole 2: a hostile bundler that inflates its gas estimate gets no signature, and nothing moves', async () => {
    const { client } = context
    const { owner, token, recipient } = await fundedOwner(parseEther('100'))
    const now = Number((await client.getBlock()).timestamp)
    const key = generateSessionKey()
    const session = defineSession({
      account: owner.address,
      chainId: hardhat.id,
      sessionKey: key.address,
      permissions: [
        { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(1000) },
      ],
      validity: { endTimestamp: now + 3600 },
      gasBudget: parseEther('0.0005'),
      now,
    })
    await submitter.sendUserOperation({ account: owner, calls: await getGrantSessionCalls(client, { session }) })
    const dapp = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })

    // A real bundler (Alto) behind a proxy on 127.0.0.1 that rewrites its gas estimates.
    let inflateTo = 0n
    const proxy = createHttpServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks).toString()
      const answer = await fetch(server.bundlerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then((r) => r.json())
      const estimate = JSON.parse(body).method === 'eth_estimateUserOperationGas'
      if (estimate && answer.result) answer.result.preVerificationGas = `0x${inflateTo.toString(16)}`
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const { port } = proxy.address() as { port: number }
    const bundlerClient = createBundlerClient({
      client,
      transport: http(`http://127.0.0.1:${port}`),
      pollingInterval: 100,
    })
    const hostile = createBundlerSubmitter({ bundlerClient })
    // Without the pre-flight check, the signer itself is the last gate.
    const unchecked = createBundlerSubmitter({ bundlerClient, preflight: false })
    const transfer = {
      to: token,
      data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, tusd(1)] }),
    }
    const state = () =>
      Promise.all([
        client.getBalance({ address: owner.address }),
        client.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [recipient] }),
        dapp.getNonce(),
        getSpendingLimits(client, { session }),
      ])
    try {
      const before = await state()
      // 60,000,000 gas of preVerificationGas: over the signing limit.
      inflateTo = 60_000_000n
      await assert.rejects(
        unchecked.sendUserOperation({ account: dapp, calls: [transfer] }),
        (e: unknown) => e instanceof UnsafeUserOperationGasError && e.field === 'preVerificationGas',
      )
      // Within the signing limit, over what is left of the session's budget: the chain's refusal, predicted.
      inflateTo = 1_900_000n
      for (const through of [hostile, unchecked]) {
        await assert.rejects(
          through.sendUserOperation({ account: dapp, calls: [transfer] }),
          (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'gas-budget',
        )
      }
      assert.deepEqual(await state(), before, 'no operation was signed or sent')
    } finally {
      proxy.close()
    }
  })
})
