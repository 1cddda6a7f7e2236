import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Address, createWalletClient, http, parseEther, publicActions, testActions } from 'viem'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import { hardhat } from 'viem/chains'
import { create2DeployerAddress, entryPointAddress } from '../constants/addresses.js'
import { type Deployments, deployContracts } from '../deploy/deployContracts.js'
import { BaseError, type BaseErrorParameters, errorDocs } from '../errors/base.js'
import { create2DeployerCode } from './createDevnet.js'
import { deployTestToken } from './testContracts.js'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const host = '127.0.0.1'

/** The devnet server could not start, or one of its processes failed. */
export class DevnetServerError extends BaseError {
  override name = 'DevnetServerError'

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { docsPath: errorDocs.devnet, ...parameters })
  }
}

/** Options of {@link startDevnetServer}. */
export type StartDevnetServerOptions = {
  /** Port of the JSON-RPC node on 127.0.0.1; 8545 by default. */
  rpcPort?: number | undefined
  /** Port of the bundler on 127.0.0.1; 4337 by default. */
  bundlerPort?: number | undefined
  /** How long each process may take to answer, in ms; 60 s by default. */
  timeoutMs?: number | undefined
  /**
   * Cancels the start (e.g. on SIGTERM while the node is still starting): every process
   * started so far is stopped, and the promise rejects with a {@link DevnetServerError}.
   */
  signal?: AbortSignal | undefined
  /** Called if the node or the bundler exits while the server runs. */
  onUnexpectedExit?: ((what: 'node' | 'bundler', code: number | null) => void) | undefined
}

/** A running devnet: a Hardhat node (EDR) and the Alto bundler, both on 127.0.0.1. */
export type DevnetServer = {
  rpcUrl: string
  bundlerUrl: string
  chainId: number
  deployments: Deployments
  /** A test ERC-20 (open mint) deployed for demos and tests. */
  testToken: Address
  /** PIDs of the two child processes. */
  pids: { node: number; bundler: number }
  /** Stops both processes and waits until they are gone. */
  stop(): Promise<void>
}

/**
 * Starts a Hardhat node on 127.0.0.1, deploys the EntryPoint v0.7, the session-key module,
 * the account factory and a test token, then starts the Alto bundler on 127.0.0.1 against
 * it. Resolves once both answer; every wait is bounded.
 *
 * @throws {DevnetServerError} when a port is taken, or a process does not answer in time.
 * @example
 * import { startDevnetServer } from 'session-keys/devnet'
 * const server = await startDevnetServer()
 * console.log(server.rpcUrl, server.bundlerUrl)
 * await server.stop()
 */
export async function startDevnetServer(options: StartDevnetServerOptions = {}): Promise<DevnetServer> {
  const rpcPort = options.rpcPort ?? 8545
  const bundlerPort = options.bundlerPort ?? 4337
  const timeoutMs = options.timeoutMs ?? 60_000
  // Compared first: nothing is started for a request that cannot work.
  if (rpcPort === bundlerPort) {
    throw new DevnetServerError(`The node and the bundler cannot both listen on port ${rpcPort}.`, {
      metaMessages: ['Give them two different ports (--rpc-port and --bundler-port).'],
    })
  }
  for (const [name, port] of [
    ['rpc', rpcPort],
    ['bundler', bundlerPort],
  ] as const) {
    if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
      throw new DevnetServerError(`The ${name} port ${port} is not a port number.`)
    }
    await assertPortFree(port)
  }
  const rpcUrl = `http://${host}:${rpcPort}`
  const bundlerUrl = `http://${host}:${bundlerPort}`
  const children: ChildProcess[] = []
  let stopping = false
  const stop = async () => {
    stopping = true
    await Promise.all(children.map((child) => terminate(child)))
  }
  const { signal } = options
  const cancelled = () =>
    new DevnetServerError('The devnet start was cancelled; every process it had started is stopped.')
  if (signal?.aborted) throw cancelled()
  // Cancelling stops the children at once: the wait in progress then fails, and the catch below
  // reports the cancellation.
  const onAbort = () => void stop()
  signal?.addEventListener('abort', onAbort, { once: true })

  try {
    // The node prints its accounts' private keys on stdout: it is read, never shown.
    const node = track(
      spawn(
        process.execPath,
        [require.resolve('hardhat/internal/cli/bootstrap.js'), 'node', '--hostname', host, '--port', String(rpcPort)],
        {
          cwd: root,
          env: { ...process.env, HARDHAT_CONFIG: join(root, 'hardhat.config.cjs') },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
      'node',
    )
    await waitUntil('the Hardhat node', node, timeoutMs, () => rpc(rpcUrl, 'eth_chainId'))

    const [sender] = (await rpc(rpcUrl, 'eth_accounts')) as Address[]
    const client = createWalletClient({ chain: hardhat, transport: http(rpcUrl, { retryCount: 0 }), account: sender })
      .extend(publicActions)
      .extend(testActions({ mode: 'hardhat' }))
    if (!(await client.getCode({ address: create2DeployerAddress }))) {
      await client.setCode({ address: create2DeployerAddress, bytecode: create2DeployerCode })
    }
    const { deployed: _deployed, ...deployments } = await deployContracts(client)
    const testToken = await deployTestToken(client as never, { name: 'Test USD', symbol: 'TUSD' })

    // Fresh keys for the bundler's wallets, funded here, passed by environment (not argv).
    const executorKey = generatePrivateKey()
    const utilityKey = generatePrivateKey()
    for (const key of [executorKey, utilityKey]) {
      await client.setBalance({ address: privateKeyToAddress(key), value: parseEther('1000') })
    }
    const bundler = track(
      spawn(
        process.execPath,
        [
          '--require',
          join(here, 'loopback.cjs'),
          // Resolved like any dependency: hoisted into the app's node_modules when installed.
          join(dirname(require.resolve('@pimlico/alto')), 'cli', 'alto.js'),
          '--entrypoints',
          entryPointAddress,
          '--rpc-url',
          rpcUrl,
          '--port',
          String(bundlerPort),
          // EDR has no JavaScript tracer: the ERC-7562 checks are done by this project's tests.
          '--safe-mode',
          'false',
          '--block-time',
          '250',
          '--log-level',
          'warn',
        ],
        {
          cwd: root,
          env: { ...process.env, ALTO_EXECUTOR_PRIVATE_KEYS: executorKey, ALTO_UTILITY_PRIVATE_KEY: utilityKey },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
      'bundler',
    )
    await waitUntil('the Alto bundler', bundler, timeoutMs, () => rpc(bundlerUrl, 'eth_supportedEntryPoints'))
    if (signal?.aborted) throw cancelled()

    return {
      rpcUrl,
      bundlerUrl,
      chainId: hardhat.id,
      deployments,
      testToken,
      pids: { node: node.pid ?? -1, bundler: bundler.pid ?? -1 },
      stop,
    }
  } catch (error) {
    await stop()
    throw signal?.aborted ? cancelled() : error
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }

  function track(child: ChildProcess, what: 'node' | 'bundler'): ChildProcess & { output: string[] } {
    const output: string[] = []
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() && !/private key/i.test(line)) output.push(line)
      }
      output.splice(0, Math.max(0, output.length - 40))
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    child.on('exit', (code) => {
      if (!stopping) options.onUnexpectedExit?.(what, code)
    })
    children.push(child)
    // Started after a stop (a cancellation racing the start): stopped at once.
    if (stopping) void terminate(child)
    return Object.assign(child, { output })
  }
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new DevnetServerError(`Port ${port} on ${host} is already in use.`, {
          metaMessages: ['Stop the process that uses it, or choose other ports (--rpc-port, --bundler-port).'],
          cause: error,
        }),
      )
    })
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()))
  })
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  })
  const body = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(body.error.message)
  return body.result
}

async function waitUntil(
  what: string,
  child: ChildProcess & { output: string[] },
  timeoutMs: number,
  probe: () => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new DevnetServerError(`${what} exited with code ${child.exitCode} before it answered.`, {
        metaMessages: ['Its last output:', ...child.output.slice(-15)],
      })
    }
    try {
      await probe()
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  throw new DevnetServerError(`${what} did not answer within ${timeoutMs / 1000} s.`, {
    metaMessages: ['Its last output:', ...child.output.slice(-15)],
  })
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}
