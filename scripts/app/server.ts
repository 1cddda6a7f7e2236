/**
 * The demo app's server: the devnet (Hardhat node + Alto) and two static sites on two
 * origins of 127.0.0.1, the dapp and the wallet, so that they talk the way a dapp and a
 * wallet do (postMessage across origins). Each origin also forwards `/rpc` and `/bundler`
 * to the node and Alto (same-origin requests, no CORS), and serves `/config.json`; the
 * wallet's origin alone has `/faucet`, which funds a new demo account.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import {
  type Address,
  createTestClient,
  createWalletClient,
  http,
  isAddress,
  parseEther,
  parseUnits,
  publicActions,
} from 'viem'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import { hardhat } from 'viem/chains'
import { type DevnetServer, mintTestToken, startDevnetServer } from '../../src/devnet/index.js'

const host = '127.0.0.1'

/** What both pages read from `/config.json`. */
export type AppConfig = {
  chainId: number
  dappOrigin: string
  walletOrigin: string
  /** The test token the dapp charges in. */
  token: { address: Address; symbol: string; decimals: number }
  /** The dapp's service: where each paid use sends its fee. */
  service: Address
  /** The session-keys validator on this chain. */
  module: Address
}

export type AppServer = {
  dappUrl: string
  walletUrl: string
  config: AppConfig
  devnet: DevnetServer
  /** Stops the two sites and the devnet, and waits until all is gone. */
  stop(): Promise<void>
}

export type StartAppServerOptions = {
  /** The built app (vite build's output). */
  distDir: string
  dappPort?: number | undefined
  walletPort?: number | undefined
  rpcPort?: number | undefined
  bundlerPort?: number | undefined
  signal?: AbortSignal | undefined
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
}

/** The faucet's gift to a new demo account. */
const gift = { eth: parseEther('1'), tokens: parseUnits('100', 18) }

/**
 * Starts the devnet and the two sites; resolves once everything answers.
 *
 * @example
 * const app = await startAppServer({ distDir: 'dist-app' })
 * console.log(app.dappUrl, app.walletUrl)
 * await app.stop()
 */
export async function startAppServer(options: StartAppServerOptions): Promise<AppServer> {
  const dappPort = options.dappPort ?? 5173
  const walletPort = options.walletPort ?? 5174
  const ports = [dappPort, walletPort, options.rpcPort ?? 8545, options.bundlerPort ?? 4337]
  if (new Set(ports).size !== ports.length) {
    throw new Error(`The app needs four different ports; given ${ports.join(', ')}.`)
  }
  const distDir = resolve(options.distDir)
  await readFile(join(distDir, 'dapp', 'index.html')).catch(() => {
    throw new Error(`The app is not built in ${distDir}: run \`npm run app\` (it builds first).`)
  })
  const devnet = await startDevnetServer({
    rpcPort: options.rpcPort,
    bundlerPort: options.bundlerPort,
    signal: options.signal,
  })
  const config: AppConfig = {
    chainId: devnet.chainId,
    dappOrigin: `http://${host}:${dappPort}`,
    walletOrigin: `http://${host}:${walletPort}`,
    token: { address: devnet.testToken, symbol: 'TUSD', decimals: 18 },
    service: privateKeyToAddress(generatePrivateKey()),
    module: devnet.deployments.sessionKeyValidator,
  }
  const chain = { ...hardhat, id: devnet.chainId }
  const testClient = createTestClient({ chain, mode: 'hardhat', transport: http(devnet.rpcUrl) })
  // The node's first unlocked account mints the faucet's tokens (the test token's mint is open).
  const [fundingAccount] = (await testClient.request({ method: 'eth_accounts' } as never)) as Address[]
  const minter = createWalletClient({ chain, account: fundingAccount, transport: http(devnet.rpcUrl) }).extend(
    publicActions,
  )

  const servers: Server[] = []
  try {
    for (const [site, port] of [
      ['dapp', dappPort],
      ['wallet', walletPort],
    ] as const) {
      const server = createServer((request, response) => {
        handle(site, request, response).catch((error: unknown) => {
          if (!response.headersSent) send(response, 500, 'text/plain', `error: ${(error as Error).message}`)
        })
      })
      await new Promise<void>((done, fail) => {
        server.once('error', (error: NodeJS.ErrnoException) =>
          fail(
            new Error(
              error.code === 'EADDRINUSE' ? `Port ${port} (the ${site}) is taken: give another.` : error.message,
            ),
          ),
        )
        server.listen(port, host, () => done())
      })
      servers.push(server)
    }
  } catch (error) {
    for (const server of servers) server.close()
    await devnet.stop()
    throw error
  }

  async function handle(site: 'dapp' | 'wallet', request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', `http://${host}`)
    if (request.method === 'POST' && (url.pathname === '/rpc' || url.pathname === '/bundler')) {
      const body = await readBody(request)
      const upstream = await fetch(url.pathname === '/rpc' ? devnet.rpcUrl : devnet.bundlerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body.toString('utf8'),
      })
      send(response, upstream.status, 'application/json', Buffer.from(await upstream.arrayBuffer()))
      return
    }
    if (request.method === 'GET' && url.pathname === '/config.json') {
      send(response, 200, 'application/json', JSON.stringify(config))
      return
    }
    if (site === 'wallet' && request.method === 'POST' && url.pathname === '/faucet') {
      const { address } = JSON.parse((await readBody(request)).toString() || '{}') as { address?: unknown }
      if (typeof address !== 'string' || !isAddress(address, { strict: false })) {
        send(response, 400, 'application/json', JSON.stringify({ error: 'give { address } of the account to fund' }))
        return
      }
      await testClient.setBalance({ address, value: gift.eth })
      await mintTestToken(minter as never, { token: config.token.address, to: address, amount: gift.tokens })
      send(
        response,
        200,
        'application/json',
        JSON.stringify({ eth: gift.eth.toString(), tokens: gift.tokens.toString() }),
      )
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain', 'method not allowed')
      return
    }
    // Static files: the site's page at /, the shared assets under /assets/; nothing else.
    const path =
      url.pathname === '/' || url.pathname === '/index.html'
        ? join(distDir, site, 'index.html')
        : normalize(join(distDir, decodeURIComponent(url.pathname)))
    if (!path.startsWith(join(distDir, site) + sep) && !path.startsWith(join(distDir, 'assets') + sep)) {
      send(response, 404, 'text/plain', 'not found')
      return
    }
    const content = await readFile(path).catch(() => undefined)
    if (!content) {
      send(response, 404, 'text/plain', 'not found')
      return
    }
    send(response, 200, types[extname(path)] ?? 'application/octet-stream', content, site)
  }

  return {
    dappUrl: `${config.dappOrigin}/`,
    walletUrl: `${config.walletOrigin}/`,
    config,
    devnet,
    async stop() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((done) => {
              server.close(() => done())
              server.closeAllConnections()
            }),
        ),
      )
      await devnet.stop()
    },
  }
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  site?: 'dapp' | 'wallet',
): void {
  const headers: Record<string, string> = {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  }
  if (type.startsWith('text/html')) {
    // Scripts and connections from this origin only; the wallet may not be framed (clickjacking).
    headers['content-security-policy'] =
      `default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors ${site === 'wallet' ? "'none'" : "'self'"}`
  }
  response.writeHead(status, headers)
  response.end(body)
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > 1_000_000) throw new Error('request body over 1 MB')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}
